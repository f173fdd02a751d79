package filesystem

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"sync"

	pb "github.com/wrenn-dev/wrenn/cmd/envd/internal/gen/filesystem"
)

// maxBufferedEvents bounds what a polled watcher keeps between
// GetWatcherEvents calls; past it the oldest events are dropped.
const maxBufferedEvents = 10_000

// polled is a CreateWatcher watch whose events wait for GetWatcherEvents.
type polled struct {
	w       *watcher
	mu      sync.Mutex
	buf     []*pb.FilesystemEvent
	dropped int
	err     error // set when the watch died; reported by the next poll
	stopped chan struct{}
}

// collect buffers the watcher's events until it stops.
func (p *polled) collect(log *slog.Logger) {
	defer close(p.stopped)
	for ev := range p.w.events {
		p.mu.Lock()
		if len(p.buf) >= maxBufferedEvents {
			n := len(p.buf) - maxBufferedEvents + 1
			p.buf = append(p.buf[:0], p.buf[n:]...)
			if p.dropped == 0 {
				log.Warn("watcher: event buffer full, dropping oldest", "path", p.w.root)
			}
			p.dropped += n
		}
		p.buf = append(p.buf, ev)
		p.mu.Unlock()
	}
	p.mu.Lock()
	p.err = p.w.err
	p.mu.Unlock()
}

// drain returns and clears the buffered events, or the error that ended the watch.
func (p *polled) drain() ([]*pb.FilesystemEvent, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := p.buf
	p.buf, p.dropped = nil, 0
	if len(out) == 0 && p.err != nil {
		return nil, p.err
	}
	return out, nil
}

// registry holds the polled watchers by id.
type registry struct {
	mu sync.Mutex
	m  map[string]*polled
}

func newRegistry() *registry { return &registry{m: map[string]*polled{}} }

func (r *registry) add(w *watcher, log *slog.Logger) (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("watcher id: %w", err)
	}
	id := hex.EncodeToString(b[:])
	p := &polled{w: w, stopped: make(chan struct{})}
	go p.collect(log)
	r.mu.Lock()
	r.m[id] = p
	r.mu.Unlock()
	return id, nil
}

func (r *registry) get(id string) (*polled, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	p, ok := r.m[id]
	if !ok {
		return nil, fmt.Errorf("%w: %q", errUnknownWatcher, id)
	}
	return p, nil
}

// remove stops and forgets a watcher, waiting until its goroutines are done.
func (r *registry) remove(id string) error {
	r.mu.Lock()
	p, ok := r.m[id]
	delete(r.m, id)
	r.mu.Unlock()
	if !ok {
		return fmt.Errorf("%w: %q", errUnknownWatcher, id)
	}
	p.w.Close()
	<-p.stopped
	return nil
}

func (r *registry) closeAll() {
	r.mu.Lock()
	ids := make([]string, 0, len(r.m))
	for id := range r.m {
		ids = append(ids, id)
	}
	r.mu.Unlock()
	for _, id := range ids {
		_ = r.remove(id)
	}
}

package process

import (
	"sync"

	rpc "github.com/wrenn-dev/wrenn/cmd/envd/internal/gen/process"
)

// subscriberBuffer is how many output chunks (≤ readChunk bytes each) may wait
// for one subscriber before the process's pipe readers block on it.
const subscriberBuffer = 16

// hub fans one process's output out to its subscribers (the Start stream and any
// Connect streams).
//
// Backpressure, not dropping: a chunk is handed to every subscriber before the
// next read, so a slow client slows the process down the way a slow terminal
// would, and no client ever sees a gap in the output (SDKs collect stdout
// verbatim). Memory stays bounded at subscriberBuffer chunks per subscriber. A
// client that goes away unsubscribes (its stream context ends), so it can never
// block the process; with no subscriber at all the output is read and dropped.
type hub struct {
	// publishing is held shared by publishers and exclusively by finish, so no
	// chunk can be sent after a subscriber's channel was closed.
	publishing sync.RWMutex

	mu    sync.Mutex
	subs  map[*subscriber]struct{}
	ended bool
	end   *rpc.ProcessEvent
}

// subscriber receives output events on ch; ch is closed once the end event is
// available from the hub.
type subscriber struct {
	ch    chan *rpc.ProcessEvent
	gone  chan struct{}
	leave func()
}

func newHub() *hub { return &hub{subs: map[*subscriber]struct{}{}} }

// subscribe adds a subscriber that sees output from now on. On an ended hub it
// returns one whose channel is already closed.
func (h *hub) subscribe() *subscriber {
	s := &subscriber{ch: make(chan *rpc.ProcessEvent, subscriberBuffer), gone: make(chan struct{})}
	var once sync.Once
	s.leave = func() {
		once.Do(func() {
			h.mu.Lock()
			delete(h.subs, s)
			h.mu.Unlock()
			close(s.gone)
		})
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.ended {
		close(s.ch)
	} else {
		h.subs[s] = struct{}{}
	}
	return s
}

// publish hands a copy of chunk, wrapped by wrap, to every subscriber, waiting
// for each to have room (or to leave). Without subscribers it does nothing, so
// the caller's buffer can be reused at once.
func (h *hub) publish(chunk []byte, wrap func([]byte) *rpc.ProcessEvent) {
	h.publishing.RLock()
	defer h.publishing.RUnlock()
	h.mu.Lock()
	if h.ended || len(h.subs) == 0 {
		h.mu.Unlock()
		return
	}
	subs := make([]*subscriber, 0, len(h.subs))
	for s := range h.subs {
		subs = append(subs, s)
	}
	h.mu.Unlock()

	ev := wrap(append([]byte(nil), chunk...)) // shared read-only by all subscribers
	for _, s := range subs {
		select {
		case s.ch <- ev:
		case <-s.gone:
		}
	}
}

// finish records the end event and closes every subscriber's channel after the
// chunks already published. Later publishes are dropped.
func (h *hub) finish(end *rpc.ProcessEvent) {
	h.publishing.Lock()
	h.mu.Lock()
	h.ended, h.end = true, end
	subs := h.subs
	h.subs = nil
	h.mu.Unlock()
	h.publishing.Unlock()
	for s := range subs {
		close(s.ch)
	}
}

// endEvent is the process's end event (nil before finish).
func (h *hub) endEvent() *rpc.ProcessEvent {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.end
}

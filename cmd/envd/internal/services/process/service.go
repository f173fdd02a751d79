// Package process implements envd's process.Process Connect service: it starts
// processes as the requested user, fans their output out to any number of
// streams and feeds them input, wire-compatible with E2B's envd.
package process

import (
	"fmt"
	"log/slog"
	"slices"
	"sync"

	rpc "github.com/wrenn-dev/wrenn/cmd/envd/internal/gen/process"
	"github.com/wrenn-dev/wrenn/cmd/envd/internal/gen/process/processconnect"
	"github.com/wrenn-dev/wrenn/cmd/envd/internal/state"
)

// Service is the registry of running processes behind the Process RPCs; one
// exists per envd so every stream and input call sees the same processes.
type Service struct {
	processconnect.UnimplementedProcessHandler
	defaults *state.Defaults
	log      *slog.Logger

	mu    sync.Mutex // guards procs; held across fork/exec so tags stay unique
	procs map[int]*proc
}

var _ processconnect.ProcessHandler = (*Service)(nil)

// New returns a Service whose processes get d's env vars, user and workdir.
func New(d *state.Defaults, log *slog.Logger) *Service {
	if log == nil {
		log = slog.Default()
	}
	return &Service{defaults: d, log: log, procs: map[int]*proc{}}
}

// register runs start (which forks p) and records p under its pid, refusing a
// tag that a running process already has.
func (s *Service) register(p *proc, start func() (int, error)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p.tag != nil {
		for _, q := range s.procs {
			if q.tag != nil && *q.tag == *p.tag {
				return fmt.Errorf("%w: %q (pid %d)", ErrTagInUse, *p.tag, q.pid)
			}
		}
	}
	pid, err := start()
	if err != nil {
		return err
	}
	p.pid = pid
	s.procs[pid] = p // a stale entry with a reused pid is replaced; remove checks identity
	return nil
}

// remove forgets p once it exited.
func (s *Service) remove(p *proc) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.procs[p.pid] == p {
		delete(s.procs, p.pid)
	}
}

// find returns the running process a selector names.
func (s *Service) find(sel *rpc.ProcessSelector) (*proc, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch v := sel.GetSelector().(type) {
	case *rpc.ProcessSelector_Pid:
		if p, ok := s.procs[int(v.Pid)]; ok {
			return p, nil
		}
		return nil, fmt.Errorf("%w: pid %d", ErrNotFound, v.Pid)
	case *rpc.ProcessSelector_Tag:
		for _, p := range s.procs {
			if p.tag != nil && *p.tag == v.Tag {
				return p, nil
			}
		}
		return nil, fmt.Errorf("%w: tag %q", ErrNotFound, v.Tag)
	}
	return nil, ErrNoSelector
}

// running lists the registered processes ordered by pid.
func (s *Service) running() []*proc {
	s.mu.Lock()
	defer s.mu.Unlock()
	ps := make([]*proc, 0, len(s.procs))
	for _, p := range s.procs {
		ps = append(ps, p)
	}
	slices.SortFunc(ps, func(a, b *proc) int { return a.pid - b.pid })
	return ps
}

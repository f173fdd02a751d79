// Package reaper collects zombie processes when envd is PID 1, without stealing
// the exit status of the children envd itself started (those are Tracked and
// waited for by their os/exec owner).
package reaper

import (
	"sync"
)

var (
	mu      sync.Mutex
	tracked = map[int]struct{}{}
)

// Start runs start (which forks a child and returns its pid, or an error) and
// tracks the pid atomically with respect to the reaper, so a child that exits
// at once is not reaped behind its owner's back.
func Start(start func() (int, error)) error {
	mu.Lock()
	defer mu.Unlock()
	pid, err := start()
	if err != nil {
		return err
	}
	tracked[pid] = struct{}{}
	return nil
}

// Untrack hands pid back to the reaper (call after its owner waited for it).
func Untrack(pid int) {
	mu.Lock()
	defer mu.Unlock()
	delete(tracked, pid)
}

func isTracked(pid int) bool {
	_, ok := tracked[pid]
	return ok
}

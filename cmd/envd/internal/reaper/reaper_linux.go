package reaper

import (
	"context"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// Run reaps untracked zombie children of envd until ctx ends. It wakes on
// SIGCHLD and, as a safety net, every few seconds.
func Run(ctx context.Context) {
	ch := make(chan os.Signal, 16)
	signal.Notify(ch, unix.SIGCHLD)
	defer signal.Stop(ch)
	tick := time.NewTicker(5 * time.Second)
	defer tick.Stop()
	for {
		reapOnce()
		select {
		case <-ctx.Done():
			return
		case <-ch:
		case <-tick.C:
		}
	}
}

// reapOnce waits for every zombie whose parent is envd and that nobody tracks.
func reapOnce() {
	self := os.Getpid()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return
	}
	mu.Lock()
	defer mu.Unlock()
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || isTracked(pid) {
			continue
		}
		ppid, state, ok := stat(pid)
		if !ok || ppid != self || state != 'Z' {
			continue
		}
		var ws unix.WaitStatus
		_, _ = unix.Wait4(pid, &ws, unix.WNOHANG, nil)
	}
}

// stat reads the parent pid and state letter from /proc/<pid>/stat.
func stat(pid int) (ppid int, state byte, ok bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, 0, false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')') // the command name may contain spaces and parens
	if i < 0 || i+4 > len(s) {
		return 0, 0, false
	}
	f := strings.Fields(s[i+2:])
	if len(f) < 2 {
		return 0, 0, false
	}
	pp, err := strconv.Atoi(f[1])
	return pp, f[0][0], err == nil
}

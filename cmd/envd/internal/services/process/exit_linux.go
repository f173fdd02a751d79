package process

import (
	"errors"

	"golang.org/x/sys/unix"
)

// waitExited blocks until pid has exited without reaping it (WNOWAIT): the pid
// stays reserved until cmd.Wait, so a signal sent meanwhile cannot hit a new
// process that reused it.
func waitExited(pid int) {
	for {
		var info unix.Siginfo
		err := unix.Waitid(unix.P_PID, pid, &info, unix.WEXITED|unix.WNOWAIT, nil)
		if !errors.Is(err, unix.EINTR) {
			return
		}
	}
}

package process_test

import (
	"context"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"connectrpc.com/connect"

	rpc "github.com/wrenn-dev/wrenn/cmd/envd/internal/gen/process"
)

func TestSendSignalKillsGroup(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		signal rpc.Signal
		status string
	}{
		{rpc.Signal_SIGNAL_SIGKILL, "signal: killed"},
		{rpc.Signal_SIGNAL_SIGTERM, "signal: terminated"},
	} {
		t.Run(tc.signal.String(), func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, "root", "")
			e, done := startBackground(t, f.json, startReq("/bin/sh", "-c", "sleep 1000 & echo $!; wait"))
			waitUntil(t, "child pid", func() bool { return e.stdoutHas("\n") })
			child := strings.TrimSpace(e.stdout.String())
			ctx := context.Background()
			if _, err := f.json.SendSignal(ctx, connect.NewRequest(&rpc.SendSignalRequest{
				Process: byPID(e.startPID()), Signal: tc.signal,
			})); err != nil {
				t.Fatalf("SendSignal: %v", err)
			}
			waitEnd(t, done)
			if e.end.GetExitCode() != -1 || e.end.GetExited() || e.end.GetStatus() != tc.status {
				t.Fatalf("end = %v", e.end)
			}
			waitUntil(t, "child "+child+" to die", func() bool { return gone(child) })
		})
	}
}

func TestSignalErrors(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "root", "")
	ctx := context.Background()
	_, err := f.json.SendSignal(ctx, connect.NewRequest(&rpc.SendSignalRequest{Process: byPID(1 << 30), Signal: rpc.Signal_SIGNAL_SIGKILL}))
	wantCode(t, err, connect.CodeNotFound)
	_, err = f.json.SendSignal(ctx, connect.NewRequest(&rpc.SendSignalRequest{Process: byTag("nope"), Signal: rpc.Signal_SIGNAL_SIGKILL}))
	wantCode(t, err, connect.CodeNotFound)
	_, err = f.json.SendSignal(ctx, connect.NewRequest(&rpc.SendSignalRequest{Process: byPID(1), Signal: rpc.Signal_SIGNAL_UNSPECIFIED}))
	wantCode(t, err, connect.CodeInvalidArgument)
	_, err = f.json.SendSignal(ctx, connect.NewRequest(&rpc.SendSignalRequest{Signal: rpc.Signal_SIGNAL_SIGTERM}))
	wantCode(t, err, connect.CodeInvalidArgument)
}

// gone reports whether pid no longer runs (absent, or a zombie awaiting its reaper).
func gone(pid string) bool {
	b, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return true
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i >= 0 && i+2 < len(s) && s[i+2] == 'Z'
}

func killPID(t *testing.T, pid string) {
	t.Helper()
	n, err := strconv.Atoi(pid)
	if err != nil || n <= 1 {
		t.Fatalf("bad pid %q", pid)
	}
	_ = syscall.Kill(n, syscall.SIGKILL)
	deadline := time.Now().Add(5 * time.Second)
	for !gone(pid) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
}

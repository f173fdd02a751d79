package process_test

import (
	"context"
	"testing"

	"connectrpc.com/connect"

	rpc "github.com/wrenn-dev/wrenn/cmd/envd/internal/gen/process"
)

func TestPTYEchoAndResize(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "root", "")
	ctx := context.Background()
	req := startReq("/bin/sh")
	req.Msg.Pty = &rpc.PTY{Size: &rpc.PTY_Size{Cols: 80, Rows: 24}}
	req.Msg.Process.Envs = map[string]string{"PS1": "$ "}
	e, done := startBackground(t, f.json, req)
	sel := byPID(e.startPID())
	send := func(s string) {
		t.Helper()
		if _, err := f.json.SendInput(ctx, connect.NewRequest(&rpc.SendInputRequest{
			Process: sel, Input: &rpc.ProcessInput{Input: &rpc.ProcessInput_Pty{Pty: []byte(s)}},
		})); err != nil {
			t.Fatalf("SendInput: %v", err)
		}
	}

	send("stty size; echo $TERM\n")
	waitUntil(t, "stty size 24 80", func() bool { return e.ptyHas("24 80\r\nxterm-256color\r\n") })
	if _, err := f.json.Update(ctx, connect.NewRequest(&rpc.UpdateRequest{
		Process: sel, Pty: &rpc.PTY{Size: &rpc.PTY_Size{Cols: 100, Rows: 40}},
	})); err != nil {
		t.Fatalf("Update: %v", err)
	}
	send("stty size\n")
	waitUntil(t, "stty size 40 100", func() bool { return e.ptyHas("40 100\r\n") })

	_, err := f.json.CloseStdin(ctx, connect.NewRequest(&rpc.CloseStdinRequest{Process: sel}))
	wantCode(t, err, connect.CodeFailedPrecondition)
	send("exit 7\n")
	waitEnd(t, done)
	if e.end.GetExitCode() != 7 {
		t.Fatalf("end %v", e.end)
	}
}

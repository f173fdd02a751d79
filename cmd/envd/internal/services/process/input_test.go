package process_test

import (
	"context"
	"testing"

	"connectrpc.com/connect"

	rpc "github.com/wrenn-dev/wrenn/cmd/envd/internal/gen/process"
)

func stdin(b string) *rpc.ProcessInput {
	return &rpc.ProcessInput{Input: &rpc.ProcessInput_Stdin{Stdin: []byte(b)}}
}

func TestSendInputAndCloseStdin(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "root", "")
	ctx := context.Background()
	e, done := startBackground(t, f.json, startReq("cat"))
	sel := byPID(e.startPID())
	for _, chunk := range []string{"hello ", "world\n"} {
		if _, err := f.json.SendInput(ctx, connect.NewRequest(&rpc.SendInputRequest{Process: sel, Input: stdin(chunk)})); err != nil {
			t.Fatalf("SendInput: %v", err)
		}
	}
	waitUntil(t, "echoed input", func() bool { return e.stdoutHas("hello world\n") })
	if _, err := f.json.CloseStdin(ctx, connect.NewRequest(&rpc.CloseStdinRequest{Process: sel})); err != nil {
		t.Fatalf("CloseStdin: %v", err)
	}
	waitEnd(t, done)
	if e.end.GetExitCode() != 0 || e.stdout.String() != "hello world\n" {
		t.Fatalf("stdout %q end %v", e.stdout.String(), e.end)
	}
	_, err := f.json.SendInput(ctx, connect.NewRequest(&rpc.SendInputRequest{Process: sel, Input: stdin("x")}))
	wantCode(t, err, connect.CodeNotFound)
}

func TestStdinFalseGivesEOF(t *testing.T) {
	t.Parallel()
	req := startReq("cat")
	req.Msg.Stdin = new(false)
	e := run(t, newFixture(t, "root", "").json, req)
	if e.stdout.Len() != 0 || e.end.GetExitCode() != 0 {
		t.Fatalf("stdout %q end %v", e.stdout.String(), e.end)
	}
}

func TestStreamInputOverH2C(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "root", "")
	ctx := context.Background()
	e, done := startBackground(t, f.grpc, startReq("cat"))
	sel := byPID(e.startPID())
	in := f.grpc.StreamInput(ctx)
	for _, m := range []*rpc.StreamInputRequest{
		{Event: &rpc.StreamInputRequest_Start{Start: &rpc.StreamInputRequest_StartEvent{Process: sel}}},
		{Event: &rpc.StreamInputRequest_Data{Data: &rpc.StreamInputRequest_DataEvent{Input: stdin("one ")}}},
		{Event: &rpc.StreamInputRequest_Keepalive{Keepalive: &rpc.StreamInputRequest_KeepAlive{}}},
		{Event: &rpc.StreamInputRequest_Data{Data: &rpc.StreamInputRequest_DataEvent{Input: stdin("two\n")}}},
	} {
		if err := in.Send(m); err != nil {
			t.Fatalf("StreamInput send: %v", err)
		}
	}
	if _, err := in.CloseAndReceive(); err != nil {
		t.Fatalf("StreamInput: %v", err)
	}
	if _, err := f.grpc.CloseStdin(ctx, connect.NewRequest(&rpc.CloseStdinRequest{Process: sel})); err != nil {
		t.Fatalf("CloseStdin: %v", err)
	}
	waitEnd(t, done)
	if e.stdout.String() != "one two\n" {
		t.Fatalf("stdout %q", e.stdout.String())
	}
}

func TestInputErrors(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "root", "")
	ctx := context.Background()
	req := startReq("sleep", "30")
	req.Msg.Stdin = new(false)
	e, _ := startBackground(t, f.json, req)
	sel := byPID(e.startPID())

	_, err := f.json.SendInput(ctx, connect.NewRequest(&rpc.SendInputRequest{Process: sel, Input: stdin("x")}))
	wantCode(t, err, connect.CodeFailedPrecondition)
	_, err = f.json.SendInput(ctx, connect.NewRequest(&rpc.SendInputRequest{
		Process: sel, Input: &rpc.ProcessInput{Input: &rpc.ProcessInput_Pty{Pty: []byte("x")}},
	}))
	wantCode(t, err, connect.CodeFailedPrecondition)
	_, err = f.json.Update(ctx, connect.NewRequest(&rpc.UpdateRequest{
		Process: sel, Pty: &rpc.PTY{Size: &rpc.PTY_Size{Cols: 10, Rows: 10}},
	}))
	wantCode(t, err, connect.CodeFailedPrecondition)
	_, err = f.json.SendInput(ctx, connect.NewRequest(&rpc.SendInputRequest{Process: byTag("nope"), Input: stdin("x")}))
	wantCode(t, err, connect.CodeNotFound)
	_, err = f.json.CloseStdin(ctx, connect.NewRequest(&rpc.CloseStdinRequest{Process: byPID(1 << 30)}))
	wantCode(t, err, connect.CodeNotFound)
}

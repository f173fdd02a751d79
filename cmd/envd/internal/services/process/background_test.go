package process_test

import (
	"context"
	"testing"
	"time"

	"connectrpc.com/connect"

	rpc "github.com/wrenn-dev/wrenn/cmd/envd/internal/gen/process"
)

// TestBackgroundListConnect mirrors commands.run(cmd, {background: true}): the
// Start stream goes away (here its Connect-Timeout-Ms passes), the process keeps
// running, shows in List, and a Connect by tag sees the rest of it.
func TestBackgroundListConnect(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "root", "")
	const script = "sleep 0.8; for i in 1 2 3; do echo tick $i; sleep 0.2; done; exit 4"
	req := startReq("/bin/sh", "-c", script)
	req.Msg.Tag = new("bg")
	ctx, cancel := context.WithTimeout(context.Background(), 400*time.Millisecond)
	defer cancel()
	s, err := f.json.Start(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	first := &events{}
	err = drain(s, startEvent, first)
	wantCode(t, err, connect.CodeDeadlineExceeded)
	if first.first != "start" || first.end != nil {
		t.Fatalf("first stream: first=%q end=%v", first.first, first.end)
	}

	dup := startReq("true")
	dup.Msg.Tag = new("bg")
	ds, err := f.json.Start(context.Background(), dup)
	if err == nil {
		for ds.Receive() {
		}
		err = ds.Err()
	}
	wantCode(t, err, connect.CodeAlreadyExists)

	list, err := f.grpc.List(context.Background(), connect.NewRequest(&rpc.ListRequest{}))
	if err != nil {
		t.Fatal(err)
	}
	var info *rpc.ProcessInfo
	for _, p := range list.Msg.GetProcesses() {
		if p.GetTag() == "bg" {
			info = p
		}
	}
	if info == nil || info.GetPid() != first.pid || info.GetConfig().GetCmd() != "/bin/sh" ||
		info.GetConfig().GetArgs()[1] != script || info.GetConfig().GetCwd() != "/root" {
		t.Fatalf("List = %v, want the bg process %d", list.Msg, first.pid)
	}

	cs, err := f.json.Connect(context.Background(), connect.NewRequest(&rpc.ConnectRequest{Process: byTag("bg")}))
	if err != nil {
		t.Fatal(err)
	}
	e := &events{}
	if err := drain(cs, connectEvent, e); err != nil {
		t.Fatalf("Connect stream: %v", err)
	}
	if e.first != "start" || e.pid != first.pid || e.stdout.String() != "tick 1\ntick 2\ntick 3\n" || e.end.GetExitCode() != 4 {
		t.Fatalf("Connect: first=%q pid=%d stdout=%q end=%v", e.first, e.pid, e.stdout.String(), e.end)
	}

	list, err = f.json.List(context.Background(), connect.NewRequest(&rpc.ListRequest{}))
	if err != nil || len(list.Msg.GetProcesses()) != 0 {
		t.Fatalf("List after end = %v, %v", list, err)
	}
	gone, err := f.json.Connect(context.Background(), connect.NewRequest(&rpc.ConnectRequest{Process: byTag("bg")}))
	if err == nil {
		err = drain(gone, connectEvent, &events{})
	}
	wantCode(t, err, connect.CodeNotFound)
}

// TestTwoSubscribers checks the fan-out: a Start stream and a Connect stream
// both see the output that follows the Connect.
func TestTwoSubscribers(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "root", "")
	req := startReq("/bin/sh", "-c", "read x; echo got $x")
	e, done := startBackground(t, f.json, req)
	cs, err := f.grpc.Connect(context.Background(), connect.NewRequest(&rpc.ConnectRequest{Process: byPID(e.startPID())}))
	if err != nil {
		t.Fatal(err)
	}
	second := &events{}
	secondDone := make(chan error, 1)
	go func() { secondDone <- drain(cs, connectEvent, second) }()
	waitUntil(t, "connect start event", func() bool { return second.startPID() != 0 })
	if _, err := f.json.SendInput(context.Background(), connect.NewRequest(&rpc.SendInputRequest{
		Process: byPID(e.startPID()), Input: stdin("it\n"),
	})); err != nil {
		t.Fatal(err)
	}
	waitEnd(t, done)
	waitEnd(t, secondDone)
	for _, ev := range []*events{e, second} {
		if ev.stdout.String() != "got it\n" || ev.end.GetExitCode() != 0 {
			t.Fatalf("stdout %q end %v", ev.stdout.String(), ev.end)
		}
	}
}

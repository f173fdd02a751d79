package process_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"

	rpc "github.com/wrenn-dev/wrenn/cmd/envd/internal/gen/process"
	"github.com/wrenn-dev/wrenn/cmd/envd/internal/gen/process/processconnect"
	"github.com/wrenn-dev/wrenn/cmd/envd/internal/services/process"
	"github.com/wrenn-dev/wrenn/cmd/envd/internal/state"
)

// fixture serves a real Service over HTTP/1.1 and h2c and holds two clients:
// Connect+JSON (what the E2B SDKs speak) and gRPC over h2c.
type fixture struct {
	defaults *state.Defaults
	json     processconnect.ProcessClient
	grpc     processconnect.ProcessClient
	// raw is gRPC over h2c without gzip, for bulk output (compression under the
	// race detector would dominate the test's run time).
	raw processconnect.ProcessClient
}

func newFixture(t *testing.T, user, workdir string) *fixture {
	t.Helper()
	d := state.New(user, workdir)
	mux := http.NewServeMux()
	mux.Handle(processconnect.NewProcessHandler(process.New(d, slog.New(slog.NewTextHandler(io.Discard, nil)))))
	srv := httptest.NewUnstartedServer(mux)
	srv.Config.Protocols = new(http.Protocols)
	srv.Config.Protocols.SetHTTP1(true)
	srv.Config.Protocols.SetUnencryptedHTTP2(true)
	srv.Start()

	h2c := new(http.Protocols)
	h2c.SetUnencryptedHTTP2(true)
	h2cClient := &http.Client{Transport: &http.Transport{Protocols: h2c, DialContext: (&net.Dialer{}).DialContext}}
	f := &fixture{
		defaults: d,
		json:     processconnect.NewProcessClient(srv.Client(), srv.URL, connect.WithProtoJSON()),
		grpc:     processconnect.NewProcessClient(h2cClient, srv.URL, connect.WithGRPC()),
		raw: processconnect.NewProcessClient(h2cClient, srv.URL, connect.WithGRPC(),
			connect.WithAcceptCompression("gzip", nil, nil)),
	}
	t.Cleanup(func() {
		f.killAll()
		srv.CloseClientConnections()
		srv.Close()
	})
	return f
}

// killAll SIGKILLs whatever a test left running.
func (f *fixture) killAll() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	res, err := f.json.List(ctx, connect.NewRequest(&rpc.ListRequest{}))
	if err != nil {
		return
	}
	for _, p := range res.Msg.GetProcesses() {
		_, _ = f.json.SendSignal(ctx, connect.NewRequest(&rpc.SendSignalRequest{
			Process: byPID(p.GetPid()), Signal: rpc.Signal_SIGNAL_SIGKILL,
		}))
	}
}

func byPID(pid uint32) *rpc.ProcessSelector {
	return &rpc.ProcessSelector{Selector: &rpc.ProcessSelector_Pid{Pid: pid}}
}

func byTag(tag string) *rpc.ProcessSelector {
	return &rpc.ProcessSelector{Selector: &rpc.ProcessSelector_Tag{Tag: tag}}
}

func startReq(cmd string, args ...string) *connect.Request[rpc.StartRequest] {
	return connect.NewRequest(&rpc.StartRequest{Process: &rpc.ProcessConfig{Cmd: cmd, Args: args}})
}

func asUser(req interface{ Header() http.Header }, user string) {
	req.Header().Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(user+":")))
}

// events is what one Start/Connect stream delivered.
type events struct {
	mu         sync.Mutex
	first      string // kind of the first event
	pid        uint32
	stdout     bytes.Buffer
	stderr     bytes.Buffer
	pty        bytes.Buffer
	dataEvents int
	keepalives int
	end        *rpc.ProcessEvent_EndEvent
}

func (e *events) add(ev *rpc.ProcessEvent) {
	e.mu.Lock()
	defer e.mu.Unlock()
	kind := "other"
	switch v := ev.GetEvent().(type) {
	case *rpc.ProcessEvent_Start:
		kind, e.pid = "start", v.Start.GetPid()
	case *rpc.ProcessEvent_Data:
		kind = "data"
		e.dataEvents++
		e.stdout.Write(v.Data.GetStdout())
		e.stderr.Write(v.Data.GetStderr())
		e.pty.Write(v.Data.GetPty())
	case *rpc.ProcessEvent_End:
		kind, e.end = "end", v.End
	case *rpc.ProcessEvent_Keepalive:
		kind = "keepalive"
		e.keepalives++
	}
	if e.first == "" {
		e.first = kind
	}
}

// ptyHas reports whether the PTY output so far contains s.
func (e *events) ptyHas(s string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return strings.Contains(e.pty.String(), s)
}

func (e *events) stdoutHas(s string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return strings.Contains(e.stdout.String(), s)
}

func (e *events) startPID() uint32 {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.pid
}

// stream is a server stream of Start or Connect responses.
type stream interface {
	Receive() bool
	Err() error
}

// drain reads a stream to its end into e; get extracts the event of a message.
func drain[T any](s interface {
	stream
	Msg() *T
}, get func(*T) *rpc.ProcessEvent, e *events) error {
	for s.Receive() {
		e.add(get(s.Msg()))
	}
	return s.Err()
}

func startEvent(m *rpc.StartResponse) *rpc.ProcessEvent     { return m.GetEvent() }
func connectEvent(m *rpc.ConnectResponse) *rpc.ProcessEvent { return m.GetEvent() }

// run starts a process and collects all its events.
func run(t *testing.T, c processconnect.ProcessClient, req *connect.Request[rpc.StartRequest]) *events {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s, err := c.Start(ctx, req)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	e := &events{}
	if err := drain(s, startEvent, e); err != nil {
		t.Fatalf("Start stream: %v", err)
	}
	if e.first != "start" || e.end == nil {
		t.Fatalf("want start first and an end event; first=%q end=%v", e.first, e.end)
	}
	return e
}

// startBackground starts a process, streams its events into e in the background
// and waits for the start event.
func startBackground(t *testing.T, c processconnect.ProcessClient, req *connect.Request[rpc.StartRequest]) (*events, <-chan error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	s, err := c.Start(ctx, req)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	e := &events{}
	done := make(chan error, 1)
	go func() { done <- drain(s, startEvent, e) }()
	waitUntil(t, "start event", func() bool { return e.startPID() != 0 })
	return e, done
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func waitEnd(t *testing.T, done <-chan error) {
	t.Helper()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("stream: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("timed out waiting for the end of the stream")
	}
}

func wantCode(t *testing.T, err error, code connect.Code) {
	t.Helper()
	var ce *connect.Error
	if !errors.As(err, &ce) || ce.Code() != code {
		t.Fatalf("want %v, got %v", code, err)
	}
}

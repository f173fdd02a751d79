package filesystem

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"connectrpc.com/connect"

	"github.com/wrenn-dev/wrenn/cmd/envd/internal/fsinfo"
	pb "github.com/wrenn-dev/wrenn/cmd/envd/internal/gen/filesystem"
)

// eventStream reads a WatchDir stream in the background.
type eventStream struct {
	msgs chan *pb.WatchDirResponse
}

func watch(t *testing.T, h *harness, msg *pb.WatchDirRequest, keepalive string) *eventStream {
	t.Helper()
	ctx, cancel := context.WithCancel(bg())
	t.Cleanup(cancel)
	req := as("root", msg)
	if keepalive != "" {
		req.Header().Set("Keepalive-Ping-Interval", keepalive)
	}
	stream, err := h.client.WatchDir(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if !stream.Receive() {
		t.Fatalf("no first message: %v", stream.Err())
	}
	if stream.Msg().GetStart() == nil {
		t.Fatalf("first message = %v, want start", stream.Msg())
	}
	s := &eventStream{msgs: make(chan *pb.WatchDirResponse, 1024)}
	go func() {
		defer close(s.msgs)
		for stream.Receive() {
			s.msgs <- stream.Msg()
		}
	}()
	return s
}

// waitFor reads events until one has the given type and name.
func (s *eventStream) waitFor(t *testing.T, typ pb.EventType, name string) *pb.FilesystemEvent {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case m, ok := <-s.msgs:
			if !ok {
				t.Fatalf("stream ended waiting for %v %q", typ, name)
			}
			if ev := m.GetFilesystem(); ev != nil && ev.GetType() == typ && ev.GetName() == name {
				return ev
			}
		case <-deadline:
			t.Fatalf("timed out waiting for %v %q", typ, name)
		}
	}
}

func TestWatchDirEvents(t *testing.T) {
	h := newHarness(t)
	dir := t.TempDir()
	s := watch(t, h, &pb.WatchDirRequest{Path: dir, IncludeEntry: true}, "")
	f := filepath.Join(dir, "f.txt")
	writeFile(t, f, "one")
	ev := s.waitFor(t, pb.EventType_EVENT_TYPE_CREATE, "f.txt")
	if ev.GetEntry().GetPath() != f {
		t.Fatalf("entry = %v", ev.GetEntry())
	}
	s.waitFor(t, pb.EventType_EVENT_TYPE_WRITE, "f.txt")
	if err := os.Chmod(f, 0o600); err != nil {
		t.Fatal(err)
	}
	s.waitFor(t, pb.EventType_EVENT_TYPE_CHMOD, "f.txt")
	if err := os.Rename(f, filepath.Join(dir, "g.txt")); err != nil {
		t.Fatal(err)
	}
	s.waitFor(t, pb.EventType_EVENT_TYPE_RENAME, "f.txt")
	s.waitFor(t, pb.EventType_EVENT_TYPE_CREATE, "g.txt")
	if err := os.Remove(filepath.Join(dir, "g.txt")); err != nil {
		t.Fatal(err)
	}
	if ev := s.waitFor(t, pb.EventType_EVENT_TYPE_REMOVE, "g.txt"); ev.Entry != nil {
		t.Fatalf("removed file has entry %v", ev.GetEntry())
	}
}

func TestWatchDirRecursive(t *testing.T) {
	h := newHarness(t)
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "old"), 0o755); err != nil {
		t.Fatal(err)
	}
	s := watch(t, h, &pb.WatchDirRequest{Path: dir, Recursive: true}, "")
	writeFile(t, filepath.Join(dir, "old", "a"), "x")
	s.waitFor(t, pb.EventType_EVENT_TYPE_WRITE, "old/a")

	// A directory created after the watch started is watched too.
	if err := os.Mkdir(filepath.Join(dir, "new"), 0o755); err != nil {
		t.Fatal(err)
	}
	s.waitFor(t, pb.EventType_EVENT_TYPE_CREATE, "new")
	writeFile(t, filepath.Join(dir, "new", "b"), "x")
	s.waitFor(t, pb.EventType_EVENT_TYPE_WRITE, "new/b")

	// mkdir -p: inner levels exist before their watches; they are announced.
	if err := os.MkdirAll(filepath.Join(dir, "p", "q", "r"), 0o755); err != nil {
		t.Fatal(err)
	}
	s.waitFor(t, pb.EventType_EVENT_TYPE_CREATE, "p/q/r")
	writeFile(t, filepath.Join(dir, "p", "q", "r", "c"), "x")
	s.waitFor(t, pb.EventType_EVENT_TYPE_WRITE, "p/q/r/c")

	// A directory moved within the tree keeps being watched under its new name.
	if err := os.Rename(filepath.Join(dir, "new"), filepath.Join(dir, "moved")); err != nil {
		t.Fatal(err)
	}
	s.waitFor(t, pb.EventType_EVENT_TYPE_RENAME, "new")
	s.waitFor(t, pb.EventType_EVENT_TYPE_CREATE, "moved")
	writeFile(t, filepath.Join(dir, "moved", "d"), "x")
	s.waitFor(t, pb.EventType_EVENT_TYPE_WRITE, "moved/d")
}

func TestWatchDirUploadLooksWritten(t *testing.T) {
	h := newHarness(t)
	dir := t.TempDir()
	s := watch(t, h, &pb.WatchDirRequest{Path: dir}, "")
	err := fsinfo.WriteFile(filepath.Join(dir, "up.txt"), fsinfo.Owner{}, nil, func(f *os.File) error {
		_, err := f.WriteString("content")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	s.waitFor(t, pb.EventType_EVENT_TYPE_WRITE, "up.txt")
}

func TestWatchDirKeepalive(t *testing.T) {
	h := newHarness(t)
	s := watch(t, h, &pb.WatchDirRequest{Path: t.TempDir()}, "1")
	select {
	case m := <-s.msgs:
		if m.GetKeepalive() == nil {
			t.Fatalf("message = %v, want keepalive", m)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("no keepalive")
	}
}

func TestWatchDirErrors(t *testing.T) {
	h := newHarness(t)
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "f"), "x")
	for _, tt := range []struct {
		path string
		code connect.Code
	}{
		{filepath.Join(dir, "missing"), connect.CodeNotFound},
		{filepath.Join(dir, "f"), connect.CodeInvalidArgument},
	} {
		stream, err := h.client.WatchDir(bg(), as("root", &pb.WatchDirRequest{Path: tt.path}))
		if err == nil {
			for stream.Receive() {
				t.Fatalf("%s: got %v", tt.path, stream.Msg())
			}
			err = stream.Err()
		}
		wantCode(t, err, tt.code)
		_, err = h.client.CreateWatcher(bg(), as("root", &pb.CreateWatcherRequest{Path: tt.path}))
		wantCode(t, err, tt.code)
	}
}

func TestPolledWatcher(t *testing.T) {
	h := newHarness(t)
	dir := t.TempDir()
	res, err := h.client.CreateWatcher(bg(), as("root", &pb.CreateWatcherRequest{Path: dir, Recursive: true}))
	if err != nil {
		t.Fatal(err)
	}
	id := res.Msg.GetWatcherId()
	writeFile(t, filepath.Join(dir, "a"), "x")
	var names []string
	deadline := time.Now().Add(5 * time.Second)
	for len(names) < 2 && time.Now().Before(deadline) {
		ev, err := h.client.GetWatcherEvents(bg(), as("root", &pb.GetWatcherEventsRequest{WatcherId: id}))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range ev.Msg.GetEvents() {
			names = append(names, e.GetType().String()+" "+e.GetName())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if len(names) < 2 || names[0] != "EVENT_TYPE_CREATE a" || names[1] != "EVENT_TYPE_WRITE a" {
		t.Fatalf("events = %v", names)
	}
	// Events are cleared once returned.
	ev, err := h.client.GetWatcherEvents(bg(), as("root", &pb.GetWatcherEventsRequest{WatcherId: id}))
	if err != nil || len(ev.Msg.GetEvents()) != 0 {
		t.Fatalf("second poll = %v, %v", ev, err)
	}
	if _, err := h.client.RemoveWatcher(bg(), as("root", &pb.RemoveWatcherRequest{WatcherId: id})); err != nil {
		t.Fatal(err)
	}
	_, err = h.client.RemoveWatcher(bg(), as("root", &pb.RemoveWatcherRequest{WatcherId: id}))
	wantCode(t, err, connect.CodeNotFound)
	_, err = h.client.GetWatcherEvents(bg(), as("root", &pb.GetWatcherEventsRequest{WatcherId: id}))
	wantCode(t, err, connect.CodeNotFound)
}

func TestPolledBufferBounded(t *testing.T) {
	w := &watcher{root: "/", events: make(chan *pb.FilesystemEvent), done: make(chan struct{})}
	p := &polled{w: w, stopped: make(chan struct{})}
	go p.collect(slogDiscard())
	for i := range maxBufferedEvents + 5 {
		w.events <- &pb.FilesystemEvent{Name: string(rune('a' + i%26))}
	}
	close(w.events)
	<-p.stopped
	got, err := p.drain()
	if err != nil || len(got) != maxBufferedEvents {
		t.Fatalf("buffered %d, %v; want %d", len(got), err, maxBufferedEvents)
	}
}

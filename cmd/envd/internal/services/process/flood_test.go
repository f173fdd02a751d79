package process_test

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"

	rpc "github.com/wrenn-dev/wrenn/cmd/envd/internal/gen/process"
)

const floodBytes = 200_000_000

// TestFloodWithSlowSubscriber pushes 200 MB through a subscriber that reads
// slowly at first: every byte must arrive, in ≤32 KiB events, without the test
// process's peak RSS growing anywhere near the volume (no unbounded buffering).
// Not parallel, so the RSS peak is this test's own.
func TestFloodWithSlowSubscriber(t *testing.T) {
	f := newFixture(t, "root", "")
	before := peakRSS(t)
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	s, err := f.raw.Start(ctx, startReq("head", "-c", strconv.Itoa(floodBytes), "/dev/zero"))
	if err != nil {
		t.Fatal(err)
	}
	var total, dataEvents, maxChunk, pid, writtenWhileSlow int
	var end *rpc.ProcessEvent_EndEvent
	for s.Receive() {
		ev := s.Msg().GetEvent()
		if ev.GetStart() != nil {
			pid = int(ev.GetStart().GetPid())
		}
		if n := len(ev.GetData().GetStdout()); n > 0 {
			total += n
			maxChunk = max(maxChunk, n)
			dataEvents++
			if dataEvents <= 40 {
				time.Sleep(20 * time.Millisecond) // a slow client: the process must wait, not buffer
			}
			if dataEvents == 40 {
				writtenWhileSlow = bytesWritten(t, pid)
			}
		}
		if ev.GetEnd() != nil {
			end = ev.GetEnd()
		}
	}
	if err := s.Err(); err != nil {
		t.Fatalf("stream: %v", err)
	}
	if total != floodBytes || end.GetExitCode() != 0 || maxChunk > 32<<10 {
		t.Fatalf("got %d bytes in %d events (max %d), end %v", total, dataEvents, maxChunk, end)
	}
	// Backpressure: while the client was slow, head could only fill the pipe, the
	// subscriber buffer and the HTTP/2 flow-control window (4 MiB per stream).
	if writtenWhileSlow > 16<<20 {
		t.Fatalf("head wrote %d MiB while the client had read %d events", writtenWhileSlow>>20, 40)
	}
	// Buffering the flood would add ≥190 MiB; the race detector's own overhead is
	// well below that.
	if grew := peakRSS(t) - before; grew > 150<<20 {
		t.Fatalf("peak RSS grew by %d MiB while streaming %d MB", grew>>20, floodBytes/1_000_000)
	}
	t.Logf("%d bytes in %d events; %d KiB written while slow; peak RSS %d MiB before, %d MiB after",
		total, dataEvents, writtenWhileSlow>>10, before>>20, peakRSS(t)>>20)
}

// TestFloodWithoutSubscriber: once the client is gone, output is read and
// dropped, so the process runs to completion instead of blocking on a full pipe.
func TestFloodWithoutSubscriber(t *testing.T) {
	f := newFixture(t, "root", "")
	req := startReq("head", "-c", strconv.Itoa(floodBytes), "/dev/zero")
	req.Msg.Tag = new("flood")
	ctx, cancel := context.WithCancel(context.Background())
	s, err := f.json.Start(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if !s.Receive() || s.Msg().GetEvent().GetStart() == nil {
		t.Fatalf("want a start event first: %v", s.Err())
	}
	cancel()
	deadline := time.Now().Add(30 * time.Second)
	for {
		list, err := f.json.List(context.Background(), connect.NewRequest(&rpc.ListRequest{}))
		if err != nil {
			t.Fatal(err)
		}
		if len(list.Msg.GetProcesses()) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("flood without subscriber still running: %v", list.Msg)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// peakRSS is the test process's peak resident set size (VmHWM) in bytes.
func peakRSS(t *testing.T) int {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skip("no /proc/self/status")
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return kb << 10
		}
	}
	t.Skip("no VmHWM")
	return 0
}

// bytesWritten is how many bytes pid has written so far (wchar in /proc/pid/io).
func bytesWritten(t *testing.T, pid int) int {
	t.Helper()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/io")
	if err != nil {
		t.Fatalf("read io of pid %d: %v", pid, err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "wchar:"); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(v))
			return n
		}
	}
	t.Fatalf("no wchar in /proc/%d/io", pid)
	return 0
}

package api

import (
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// zeros is an endless stream of zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// TestLargeFileRoundTrip streams 128 MiB up and down: both directions must
// stream (no whole-file buffering) and run at disk speed.
func TestLargeFileRoundTrip(t *testing.T) {
	if testing.Short() {
		t.Skip("large transfer")
	}
	const size = 128 << 20
	s := newFilesServer(t)
	target := filepath.Join(t.TempDir(), "large.bin")

	start := time.Now()
	res := s.do(t, http.MethodPost, "/files", url.Values{"path": {target}}, io.LimitReader(zeros{}, size),
		map[string]string{"Content-Type": "application/octet-stream"})
	wantStatus(t, res, http.StatusOK)
	up := time.Since(start)
	if fi, err := os.Stat(target); err != nil || fi.Size() != size {
		t.Fatalf("uploaded %v, %v", fi, err)
	}

	start = time.Now()
	res = s.do(t, http.MethodGet, "/files", url.Values{"path": {target}}, nil, nil)
	n, err := io.Copy(io.Discard, res.Body)
	if err != nil || n != size || res.StatusCode != http.StatusOK {
		t.Fatalf("downloaded %d bytes, status %d, %v", n, res.StatusCode, err)
	}
	down := time.Since(start)
	t.Logf("128 MiB: upload %v (%.0f MiB/s), download %v (%.0f MiB/s)",
		up, 128/up.Seconds(), down, 128/down.Seconds())
}

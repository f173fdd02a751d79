package api

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/wrenn-dev/wrenn/cmd/envd/internal/fsinfo"
)

func TestUploadMultipart(t *testing.T) {
	requireRoot(t)
	s := newFilesServer(t)
	dir := t.TempDir()
	// Without a path parameter, each part's filename is its target path.
	a, b := filepath.Join(dir, "new", "a.txt"), filepath.Join(dir, "b.txt")
	ct, body := multipartBody(t, [2]string{a, "alpha"}, [2]string{b, "beta"})
	res := s.do(t, http.MethodPost, "/files", url.Values{"username": {"nobody"}}, body,
		map[string]string{"Content-Type": ct})
	var got []uploaded
	if err := json.Unmarshal(wantStatus(t, res, http.StatusOK), &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Path != a || got[0].Name != "a.txt" || got[0].Type != "file" || got[1].Path != b {
		t.Fatalf("response = %+v", got)
	}
	if readFile(t, a) != "alpha" || readFile(t, b) != "beta" {
		t.Fatal("content mismatch")
	}
	for _, p := range []string{a, filepath.Dir(a)} {
		if e, err := fsinfo.Stat(p); err != nil || e.GetOwner() != "nobody" {
			t.Fatalf("%s owner: %v %v", p, e.GetOwner(), err)
		}
	}
	// A path naming an existing directory receives the part under its filename.
	ct, body = multipartBody(t, [2]string{"ignored/dir/c.txt", "gamma"})
	res = s.do(t, http.MethodPost, "/files", url.Values{"path": {dir}}, body, map[string]string{"Content-Type": ct})
	wantStatus(t, res, http.StatusOK)
	if readFile(t, filepath.Join(dir, "c.txt")) != "gamma" {
		t.Fatal("content mismatch")
	}
	// A path naming a file is the target; existing files are overwritten.
	ct, body = multipartBody(t, [2]string{"whatever", "delta"})
	res = s.do(t, http.MethodPost, "/files", url.Values{"path": {b}}, body, map[string]string{"Content-Type": ct})
	wantStatus(t, res, http.StatusOK)
	if readFile(t, b) != "delta" {
		t.Fatal("not overwritten")
	}
	assertNoTemp(t, dir)
}

func TestUploadOctetStream(t *testing.T) {
	s := newFilesServer(t)
	dir := t.TempDir()
	target := filepath.Join(dir, "deep", "raw.bin")
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write([]byte("compressed content"))
	_ = zw.Close()
	tests := []struct {
		name string
		body io.Reader
		hdr  map[string]string
		want string
	}{
		{name: "plain", body: strings.NewReader("raw content"),
			hdr: map[string]string{"Content-Type": "application/octet-stream"}, want: "raw content"},
		{name: "gzip", body: &gz,
			hdr:  map[string]string{"Content-Type": "application/octet-stream", "Content-Encoding": "gzip"},
			want: "compressed content"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.hdr["X-Metadata-Purpose"] = "test-" + tt.name
			res := s.do(t, http.MethodPost, "/files", url.Values{"path": {target}}, tt.body, tt.hdr)
			var got []uploaded
			if err := json.Unmarshal(wantStatus(t, res, http.StatusOK), &got); err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || got[0].Path != target || got[0].Metadata["purpose"] != "test-"+tt.name {
				t.Fatalf("response = %+v", got)
			}
			if readFile(t, target) != tt.want {
				t.Fatalf("content = %q", readFile(t, target))
			}
			if md := fsinfo.Metadata(target); md["purpose"] != "test-"+tt.name {
				t.Fatalf("xattrs = %v", md)
			}
		})
	}
}

func TestUploadRejected(t *testing.T) {
	s := newFilesServer(t)
	dir := t.TempDir()
	target := filepath.Join(dir, "t.txt")
	ct, _ := multipartBody(t)
	tests := []struct {
		name   string
		q      url.Values
		body   string
		ct     string
		status int
	}{
		{"raw without path", url.Values{}, "x", "application/octet-stream", http.StatusBadRequest},
		{"raw onto directory", url.Values{"path": {dir}}, "x", "application/octet-stream", http.StatusBadRequest},
		{"unknown content type", url.Values{"path": {target}}, "x", "text/plain", http.StatusBadRequest},
		{"malformed multipart", url.Values{"path": {target}}, "garbage without boundaries", ct, http.StatusBadRequest},
		{"truncated multipart", url.Values{"path": {target}},
			"--" + strings.TrimPrefix(ct, "multipart/form-data; boundary=") +
				"\r\nContent-Disposition: form-data; name=\"file\"; filename=\"t.txt\"\r\n\r\npartial data",
			ct, http.StatusBadRequest},
		{"bad gzip", url.Values{"path": {target}}, "not gzip", "application/octet-stream", http.StatusBadRequest},
		{"unknown user", url.Values{"path": {target}, "username": {"no-such-user-xyz"}}, "x",
			"application/octet-stream", http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hdr := map[string]string{"Content-Type": tt.ct}
			if tt.name == "bad gzip" {
				hdr["Content-Encoding"] = "gzip"
			}
			wantStatus(t, s.do(t, http.MethodPost, "/files", tt.q, strings.NewReader(tt.body), hdr), tt.status)
			if _, err := os.Stat(target); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("target created: %v", err)
			}
			assertNoTemp(t, dir)
		})
	}
}

// failingReader yields some bytes, then fails like a dropped connection.
type failingReader struct {
	data io.Reader
}

func (f *failingReader) Read(p []byte) (int, error) {
	n, err := f.data.Read(p)
	if errors.Is(err, io.EOF) {
		return n, syscall.ECONNRESET
	}
	return n, err
}

func TestUploadInterrupted(t *testing.T) {
	s := newFilesServer(t)
	dir := t.TempDir()
	target := filepath.Join(dir, "big.bin")
	ct, full := multipartBody(t, [2]string{target, strings.Repeat("x", 4<<20)})
	half := full.Bytes()[:full.Len()/2]
	for name, tc := range map[string]struct{ ct, body string }{
		"multipart": {ct, string(half)},
		"raw":       {"application/octet-stream", strings.Repeat("y", 3<<20)},
	} {
		t.Run(name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodPost, "/files?path="+url.QueryEscape(target),
				&failingReader{data: strings.NewReader(tc.body)})
			req.Header.Set("Content-Type", tc.ct)
			rec := httptest.NewRecorder()
			uploadHandler(s.deps).ServeHTTP(rec, req)
			if rec.Code != http.StatusBadRequest {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			if _, err := os.Stat(target); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("partial file left: %v", err)
			}
			assertNoTemp(t, dir)
		})
	}
}

// TestUploadClientDisconnect drops a real connection mid-body.
func TestUploadClientDisconnect(t *testing.T) {
	s := newFilesServer(t)
	dir := t.TempDir()
	target := filepath.Join(dir, "cut.bin")
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	head := "POST /files?path=" + url.QueryEscape(target) + " HTTP/1.1\r\nHost: x\r\n" +
		"Content-Type: application/octet-stream\r\nContent-Length: 8388608\r\n\r\n"
	if _, err := io.WriteString(conn, head+strings.Repeat("z", 1<<20)); err != nil {
		t.Fatal(err)
	}
	// Wait until the temporary file exists, so the cut lands mid-body.
	waitUntil(t, func() bool {
		des, _ := os.ReadDir(dir)
		return len(des) > 0
	})
	_ = conn.Close()
	waitUntil(t, func() bool {
		des, _ := os.ReadDir(dir)
		return len(des) == 0
	})
}

func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

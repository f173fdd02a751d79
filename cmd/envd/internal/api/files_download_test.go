package api

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/wrenn-dev/wrenn/cmd/envd/internal/auth"
)

func TestDownload(t *testing.T) {
	s := newFilesServer(t)
	dir := t.TempDir()
	f := filepath.Join(dir, `we"ird name.txt`)
	if err := os.WriteFile(f, []byte("0123456789"), 0o644); err != nil {
		t.Fatal(err)
	}
	res := s.do(t, http.MethodGet, "/files", url.Values{"path": {f}}, nil, nil)
	if b := wantStatus(t, res, http.StatusOK); string(b) != "0123456789" {
		t.Fatalf("body = %q", b)
	}
	h := res.Header
	if h.Get("Content-Type") != "application/octet-stream" || h.Get("Content-Length") != "10" ||
		h.Get("Content-Disposition") != `inline; filename="we\"ird name.txt"` || h.Get("Accept-Ranges") != "bytes" {
		t.Fatalf("headers = %v", h)
	}

	res = s.do(t, http.MethodGet, "/files", url.Values{"path": {f}}, nil, map[string]string{"Range": "bytes=2-5"})
	if b := wantStatus(t, res, http.StatusPartialContent); string(b) != "2345" {
		t.Fatalf("range body = %q", b)
	}
	if res.Header.Get("Content-Range") != "bytes 2-5/10" {
		t.Fatalf("Content-Range = %q", res.Header.Get("Content-Range"))
	}

	res = s.do(t, http.MethodGet, "/files", url.Values{"path": {f}}, nil, map[string]string{"Accept-Encoding": "gzip"})
	zipped := wantStatus(t, res, http.StatusOK)
	if res.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("not gzipped: %v", res.Header)
	}
	zr, err := gzip.NewReader(bytes.NewReader(zipped))
	if err != nil {
		t.Fatal(err)
	}
	if b, err := io.ReadAll(zr); err != nil || string(b) != "0123456789" {
		t.Fatalf("gzip body = %q, %v", b, err)
	}
}

func TestDownloadErrors(t *testing.T) {
	s := newFilesServer(t)
	dir := t.TempDir()
	for _, tt := range []struct {
		name   string
		q      url.Values
		status int
	}{
		{"directory", url.Values{"path": {dir}}, http.StatusBadRequest},
		{"missing", url.Values{"path": {filepath.Join(dir, "nope")}}, http.StatusNotFound},
		{"no path", url.Values{}, http.StatusBadRequest},
		{"bad path", url.Values{"path": {"~other/x"}}, http.StatusBadRequest},
		{"unknown user", url.Values{"path": {dir}, "username": {"no-such-user-xyz"}}, http.StatusUnauthorized},
	} {
		t.Run(tt.name, func(t *testing.T) {
			wantStatus(t, s.do(t, http.MethodGet, "/files", tt.q, nil, nil), tt.status)
		})
	}
}

func TestFilesSignature(t *testing.T) {
	s := newFilesServer(t)
	const token = "secret-token"
	s.defaults.SetAccessToken(token)
	f := filepath.Join(t.TempDir(), "f.txt")
	if err := os.WriteFile(f, []byte("data"), 0o644); err != nil {
		t.Fatal(err)
	}
	future := time.Now().Add(time.Hour).Unix()
	past := time.Now().Add(-time.Hour).Unix()
	signed := func(op, user string, exp int64) url.Values {
		q := url.Values{"path": {f}, "signature": {auth.Signature(f, op, user, token, exp)}}
		if user != "" {
			q.Set("username", user)
		}
		if exp != 0 {
			q.Set("signature_expiration", strconv.FormatInt(exp, 10))
		}
		return q
	}
	for _, tt := range []struct {
		name   string
		q      url.Values
		hdr    map[string]string
		status int
	}{
		{"nothing", url.Values{"path": {f}}, nil, http.StatusUnauthorized},
		{"header token", url.Values{"path": {f}}, map[string]string{auth.TokenHeader: token}, http.StatusOK},
		{"wrong header token", url.Values{"path": {f}}, map[string]string{auth.TokenHeader: "nope"}, http.StatusUnauthorized},
		{"signature", signed("read", "", 0), nil, http.StatusOK},
		{"signature with user", signed("read", "root", 0), nil, http.StatusOK},
		{"signature with expiry", signed("read", "root", future), nil, http.StatusOK},
		{"expired signature", signed("read", "root", past), nil, http.StatusUnauthorized},
		{"write signature for read", signed("write", "", 0), nil, http.StatusUnauthorized},
		{"tampered signature", url.Values{"path": {f}, "signature": {"v1_AAAA"}}, nil, http.StatusUnauthorized},
	} {
		t.Run(tt.name, func(t *testing.T) {
			wantStatus(t, s.do(t, http.MethodGet, "/files", tt.q, nil, tt.hdr), tt.status)
		})
	}
	t.Run("signed upload", func(t *testing.T) {
		res := s.do(t, http.MethodPost, "/files", signed("write", "", 0), nil,
			map[string]string{"Content-Type": "application/octet-stream"})
		wantStatus(t, res, http.StatusOK)
		res = s.do(t, http.MethodPost, "/files", signed("read", "", 0), nil,
			map[string]string{"Content-Type": "application/octet-stream"})
		wantStatus(t, res, http.StatusUnauthorized)
	})
}

func TestWantsGzip(t *testing.T) {
	for _, tt := range []struct {
		path, accept, extra string
		want                bool
	}{
		{"/a.txt", "gzip", "", true},
		{"/a.txt", "br, gzip, deflate", "", true},
		{"/a.txt", "gzip;q=0", "", false},
		{"/a.txt", "deflate", "", false},
		{"/a.txt", "", "", false},
		{"/a.tar.gz", "gzip", "", false},
		{"/a.txt", "gzip", "Range", false},
		{"/a.txt", "gzip", "If-None-Match", false},
	} {
		r := httptest.NewRequest(http.MethodGet, "/files", nil)
		if tt.accept != "" {
			r.Header.Set("Accept-Encoding", tt.accept)
		}
		if tt.extra != "" {
			r.Header.Set(tt.extra, "x")
		}
		if got := wantsGzip(r, tt.path); got != tt.want {
			t.Errorf("%s %q %s: got %v", tt.path, tt.accept, tt.extra, got)
		}
	}
}

func TestContentDisposition(t *testing.T) {
	for name, want := range map[string]string{
		"a.txt":        `inline; filename="a.txt"`,
		`q"uo\te.txt`:  `inline; filename="q\"uo\\te.txt"`,
		"résumé's.pdf": `inline; filename="r_sum_'s.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9%27s.pdf`,
		"new\nline.sh": `inline; filename="new_line.sh"; filename*=UTF-8''new%0Aline.sh`,
	} {
		if got := contentDisposition(name); got != want {
			t.Errorf("%q: got %s, want %s", name, got, want)
		}
	}
}

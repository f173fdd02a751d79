package api

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/wrenn-dev/wrenn/cmd/envd/internal/auth"
	"github.com/wrenn-dev/wrenn/cmd/envd/internal/fsinfo"
	"github.com/wrenn-dev/wrenn/cmd/envd/internal/state"
)

// filesServer is envd's REST surface (with the token middleware) on loopback.
type filesServer struct {
	url      string
	client   *http.Client
	defaults *state.Defaults
	deps     Deps
}

func newFilesServer(t *testing.T) *filesServer {
	t.Helper()
	d := state.New("root", "")
	deps := Deps{Defaults: d, Logger: slog.New(slog.DiscardHandler), Version: "test"}
	mux := http.NewServeMux()
	Handle(mux, deps)
	srv := httptest.NewServer(auth.Middleware(d, mux))
	t.Cleanup(srv.Close)
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	t.Cleanup(client.CloseIdleConnections)
	return &filesServer{url: srv.URL, client: client, defaults: d, deps: deps}
}

func (s *filesServer) do(t *testing.T, method, path string, q url.Values, body io.Reader, hdr map[string]string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, s.url+path+"?"+q.Encode(), body)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := s.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { res.Body.Close() })
	return res
}

// multipartBody builds a form whose "file" parts have the given filenames and contents.
func multipartBody(t *testing.T, parts ...[2]string) (string, *bytes.Buffer) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, p := range parts {
		w, err := mw.CreateFormFile("file", p[0])
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(w, p[1]); err != nil {
			t.Fatal(err)
		}
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return mw.FormDataContentType(), &buf
}

func wantStatus(t *testing.T, res *http.Response, status int) []byte {
	t.Helper()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != status {
		t.Fatalf("%s %s: status %d (%s), want %d", res.Request.Method, res.Request.URL, res.StatusCode, b, status)
	}
	if status >= 400 {
		var e struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		}
		if err := json.Unmarshal(b, &e); err != nil || e.Code != status || e.Message == "" {
			t.Fatalf("error body %q", b)
		}
	}
	return b
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// requireRoot skips tests that act as another user (chown needs root).
func requireRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to chown")
	}
}

func assertNoTemp(t *testing.T, dir string) {
	t.Helper()
	des, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, de := range des {
		if strings.HasPrefix(de.Name(), fsinfo.TempPrefix) {
			t.Fatalf("temporary file left: %s", de.Name())
		}
	}
}

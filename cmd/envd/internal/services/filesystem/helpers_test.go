package filesystem

import (
	"context"
	"encoding/base64"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"connectrpc.com/connect"

	"github.com/wrenn-dev/wrenn/cmd/envd/internal/gen/filesystem/filesystemconnect"
	"github.com/wrenn-dev/wrenn/cmd/envd/internal/state"
)

// harness is a Service behind a real HTTP server and a proto-JSON Connect client.
type harness struct {
	svc      *Service
	client   filesystemconnect.FilesystemClient
	defaults *state.Defaults
	url      string
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	d := state.New("root", "")
	svc := New(d, nil)
	mux := http.NewServeMux()
	mux.Handle(filesystemconnect.NewFilesystemHandler(svc))
	srv := httptest.NewServer(mux)
	t.Cleanup(func() {
		srv.Close()
		svc.Close()
	})
	client := filesystemconnect.NewFilesystemClient(srv.Client(), srv.URL, connect.WithProtoJSON())
	return &harness{svc: svc, client: client, defaults: d, url: srv.URL}
}

// as makes a request acting as user ("" sends no Authorization header).
func as[T any](user string, msg *T) *connect.Request[T] {
	req := connect.NewRequest(msg)
	if user != "" {
		req.Header().Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(user+":")))
	}
	return req
}

func wantCode(t *testing.T, err error, code connect.Code) {
	t.Helper()
	var ce *connect.Error
	if !errors.As(err, &ce) {
		t.Fatalf("error = %v, want connect code %v", err, code)
	}
	if ce.Code() != code {
		t.Fatalf("code = %v (%v), want %v", ce.Code(), ce.Message(), code)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func bg() context.Context { return context.Background() }

func slogDiscard() *slog.Logger { return slog.New(slog.DiscardHandler) }

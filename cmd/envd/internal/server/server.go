// Package server wires envd's Connect services and REST endpoints into one handler.
package server

import (
	"log/slog"
	"net/http"

	"connectrpc.com/connect"

	"github.com/wrenn-dev/wrenn/cmd/envd/internal/api"
	"github.com/wrenn-dev/wrenn/cmd/envd/internal/auth"
	"github.com/wrenn-dev/wrenn/cmd/envd/internal/gen/filesystem/filesystemconnect"
	"github.com/wrenn-dev/wrenn/cmd/envd/internal/gen/process/processconnect"
	"github.com/wrenn-dev/wrenn/cmd/envd/internal/services/filesystem"
	"github.com/wrenn-dev/wrenn/cmd/envd/internal/services/process"
	"github.com/wrenn-dev/wrenn/cmd/envd/internal/state"
)

// Deps are what the handlers share.
type Deps struct {
	Defaults *state.Defaults
	Logger   *slog.Logger
	Version  string
	// Guest is true when envd is the VM's init.
	Guest bool
	// Processes is the process registry; New makes one when nil.
	Processes *process.Service
}

// New returns envd's root handler: Connect (connect, gRPC, gRPC-Web) services,
// REST endpoints, access-token auth and CORS.
func New(d Deps) http.Handler {
	if d.Processes == nil {
		d.Processes = process.New(d.Defaults, d.Logger)
	}
	mux := http.NewServeMux()
	opts := []connect.HandlerOption{connect.WithReadMaxBytes(64 << 20)}
	mux.Handle(processconnect.NewProcessHandler(d.Processes, opts...))
	mux.Handle(filesystemconnect.NewFilesystemHandler(filesystem.New(d.Defaults, d.Logger), opts...))
	api.Handle(mux, api.Deps{Defaults: d.Defaults, Logger: d.Logger, Version: d.Version, Guest: d.Guest})
	return withCORS(auth.Middleware(d.Defaults, mux))
}

// Protocols are HTTP/1.1 and cleartext HTTP/2 (h2c, for gRPC and client streaming).
func Protocols() *http.Protocols {
	p := new(http.Protocols)
	p.SetHTTP1(true)
	p.SetUnencryptedHTTP2(true)
	return p
}

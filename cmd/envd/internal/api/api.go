// Package api serves envd's plain-HTTP endpoints: /health, /init, /envs, /metrics, /files.
package api

import (
	"log/slog"
	"net/http"

	"github.com/wrenn-dev/wrenn/cmd/envd/internal/state"
)

// Deps are the handlers' dependencies.
type Deps struct {
	Defaults *state.Defaults
	Logger   *slog.Logger
	Version  string
	// Guest is true when envd is the VM's init: /init may then set the clock and hostname.
	Guest bool
}

// Handle registers every REST endpoint on mux.
func Handle(mux *http.ServeMux, d Deps) {
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("X-Envd-Version", d.Version)
		w.WriteHeader(http.StatusNoContent)
	})
	mux.Handle("POST /init", initHandler(d))
	mux.HandleFunc("GET /envs", func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, d.Defaults.EnvVars()) })
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, readMetrics()) })
	handleFiles(mux, d)
}

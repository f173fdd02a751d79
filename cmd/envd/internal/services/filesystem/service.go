// Package filesystem implements envd's filesystem.Filesystem Connect service.
package filesystem

import (
	"log/slog"

	"github.com/wrenn-dev/wrenn/cmd/envd/internal/gen/filesystem/filesystemconnect"
	"github.com/wrenn-dev/wrenn/cmd/envd/internal/state"
)

// Service serves file metadata operations and directory watches.
type Service struct {
	filesystemconnect.UnimplementedFilesystemHandler
	defaults *state.Defaults
	log      *slog.Logger
}

// New returns a Service.
func New(d *state.Defaults, log *slog.Logger) *Service { return &Service{defaults: d, log: log} }

// Package process implements envd's process.Process Connect service.
package process

import (
	"log/slog"

	"github.com/wrenn-dev/wrenn/cmd/envd/internal/gen/process/processconnect"
	"github.com/wrenn-dev/wrenn/cmd/envd/internal/state"
)

// Service runs and tracks processes.
type Service struct {
	processconnect.UnimplementedProcessHandler
	defaults *state.Defaults
	log      *slog.Logger
}

// New returns a Service.
func New(d *state.Defaults, log *slog.Logger) *Service { return &Service{defaults: d, log: log} }

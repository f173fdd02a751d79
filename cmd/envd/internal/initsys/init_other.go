//go:build !linux

package initsys

import (
	"context"
	"log/slog"
)

// Setup does nothing off Linux (envd is PID 1 only in a Linux guest).
func Setup(context.Context, *slog.Logger) {}

// PowerOff does nothing off Linux.
func PowerOff(*slog.Logger) {}

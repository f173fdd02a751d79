//go:build !linux

package reaper

import "context"

// Run does nothing off Linux.
func Run(ctx context.Context) { <-ctx.Done() }

// Package paths turns client-supplied paths into absolute guest paths.
package paths

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
)

// ErrInvalidPath is returned for empty or malformed paths.
var ErrInvalidPath = errors.New("invalid path")

// Resolve makes p absolute: "~" and "~/x" expand to home; a relative path is taken
// from workdir when set, else from home. The result is cleaned.
func Resolve(p, home, workdir string) (string, error) {
	if p == "" {
		return "", fmt.Errorf("%w: path is empty", ErrInvalidPath)
	}
	if strings.ContainsRune(p, 0) {
		return "", fmt.Errorf("%w: path contains a NUL byte", ErrInvalidPath)
	}
	switch {
	case p == "~":
		return filepath.Clean(home), nil
	case strings.HasPrefix(p, "~/"):
		return filepath.Join(home, p[2:]), nil
	case strings.HasPrefix(p, "~"):
		return "", fmt.Errorf("%w: %q (only ~ and ~/ are expanded)", ErrInvalidPath, p)
	case filepath.IsAbs(p):
		return filepath.Clean(p), nil
	}
	base := workdir
	if base == "" {
		base = home
	}
	if base == "" {
		base = "/"
	}
	return filepath.Join(base, p), nil
}

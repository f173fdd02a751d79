package fsinfo

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// Owner is the account new files and directories are given to.
type Owner struct {
	UID, GID uint32
}

// canChown is true when envd may give files away (it runs as root).
var canChown = os.Geteuid() == 0

// Chown gives path (not a final symlink's target) to o when envd is root; an
// unprivileged envd (debug on a host) leaves ownership to the kernel.
func (o Owner) Chown(path string) error {
	if !canChown {
		return nil
	}
	return os.Lchown(path, int(o.UID), int(o.GID))
}

// Fchown is Chown for an open file.
func (o Owner) Fchown(f *os.File) error {
	if !canChown {
		return nil
	}
	return f.Chown(int(o.UID), int(o.GID))
}

// EnsureDir creates dir and any missing parents (mode 0755), giving each
// directory it creates to o, so a user's upload to ~/a/b/c leaves a, b and c
// owned by that user rather than by root. Existing directories are untouched.
// It fails with ErrNotDirectory when a component exists as a non-directory.
func EnsureDir(dir string, o Owner) error {
	dir = filepath.Clean(dir)
	var missing []string
	for p := dir; ; p = filepath.Dir(p) {
		fi, err := os.Stat(p)
		if err == nil {
			if !fi.IsDir() {
				return fmt.Errorf("%w: %s", ErrNotDirectory, p)
			}
			break
		}
		if !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR) {
			return err
		}
		missing = append(missing, p)
		if parent := filepath.Dir(p); parent == p {
			break
		}
	}
	for i := len(missing) - 1; i >= 0; i-- {
		p := missing[i]
		if err := os.Mkdir(p, 0o755); err != nil {
			if errors.Is(err, fs.ErrExist) {
				if rerr := RequireDir(p); rerr != nil {
					return rerr
				}
				continue // created concurrently: not ours to chown
			}
			return err
		}
		if err := o.Chown(p); err != nil {
			return fmt.Errorf("chown %s: %w", p, err)
		}
	}
	return nil
}

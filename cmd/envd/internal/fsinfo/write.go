package fsinfo

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// TempPrefix starts the names of envd's in-progress writes. Directory watches
// hide such files, so clients see only the finished file.
const TempPrefix = ".wrenn-upload-"

// IsTemp reports whether path names an in-progress envd write.
func IsTemp(path string) bool { return strings.HasPrefix(filepath.Base(path), TempPrefix) }

// WriteFile creates or replaces the regular file at path atomically: fill
// writes the content into a temporary file in the same directory, which is
// then given to owner, tagged with metadata (user.e2b.* xattrs) and renamed
// over path. On any error the temporary file is removed and an existing file
// is left untouched. Missing parent directories are created for owner; a
// replaced file keeps its permission bits; a symlink at path is written through.
func WriteFile(path string, owner Owner, metadata map[string]string, fill func(*os.File) error) error {
	if err := EnsureDir(filepath.Dir(path), owner); err != nil {
		return fmt.Errorf("create parent of %s: %w", path, err)
	}
	target, perm, err := writeTarget(path)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(target), TempPrefix+"*")
	if err != nil {
		return fmt.Errorf("create temporary file for %s: %w", target, err)
	}
	committed := false
	defer func() {
		if !committed {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if err := fill(tmp); err != nil {
		return err
	}
	if err := tmp.Chmod(perm); err != nil {
		return fmt.Errorf("chmod %s: %w", target, err)
	}
	if err := owner.Fchown(tmp); err != nil {
		return fmt.Errorf("chown %s: %w", target, err)
	}
	if err := SetMetadata(int(tmp.Fd()), metadata); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", target, err)
	}
	noteCommit(target)
	if err := os.Rename(tmp.Name(), target); err != nil {
		return fmt.Errorf("replace %s: %w", target, err)
	}
	committed = true
	return nil
}

// writeTarget follows a symlink at path and returns the file to replace and
// the permission bits to give it (an existing file's, else 0644).
func writeTarget(path string) (string, fs.FileMode, error) {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return path, 0o644, nil
	} else if err != nil {
		return "", 0, fmt.Errorf("stat %s: %w", path, err)
	}
	target := path
	if fi.Mode()&fs.ModeSymlink != 0 {
		real, err := filepath.EvalSymlinks(path)
		if err != nil {
			// A dangling link is replaced by the file itself.
			return path, 0o644, nil
		}
		target = real
		if fi, err = os.Stat(real); err != nil {
			return "", 0, fmt.Errorf("stat %s: %w", real, err)
		}
	}
	switch {
	case fi.IsDir():
		return "", 0, fmt.Errorf("%w: %s", ErrIsDirectory, path)
	case !fi.Mode().IsRegular():
		return "", 0, fmt.Errorf("%w: %s", ErrNotRegular, path)
	}
	return target, fi.Mode().Perm(), nil
}

// commitWindow is how long a finished write is remembered for watches.
const commitWindow = 10 * time.Second

// commits remembers files WriteFile just renamed into place, so a directory
// watch can report the rename's arrival as the WRITE a client expects after
// writing a file (as if it had been written in place).
var commits = struct {
	sync.Mutex
	m map[string]time.Time
}{m: map[string]time.Time{}}

func noteCommit(path string) {
	now := time.Now()
	commits.Lock()
	defer commits.Unlock()
	for p, t := range commits.m {
		if now.Sub(t) > commitWindow {
			delete(commits.m, p)
		}
	}
	commits.m[path] = now
}

// RecentlyWritten reports whether WriteFile replaced path moments ago.
func RecentlyWritten(path string) bool {
	commits.Lock()
	defer commits.Unlock()
	t, ok := commits.m[path]
	return ok && time.Since(t) <= commitWindow
}

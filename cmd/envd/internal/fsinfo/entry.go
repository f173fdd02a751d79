// Package fsinfo describes and prepares guest files the same way for envd's
// Connect filesystem service and its plain-HTTP /files endpoints, so both report
// identical EntryInfo values and create directories and ownership identically.
package fsinfo

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"google.golang.org/protobuf/types/known/timestamppb"

	pb "github.com/wrenn-dev/wrenn/cmd/envd/internal/gen/filesystem"
)

var (
	// ErrNotDirectory means a directory was required but the path is something else.
	ErrNotDirectory = errors.New("path is not a directory")
	// ErrIsDirectory means a file was required but the path is a directory.
	ErrIsDirectory = errors.New("path is a directory")
	// ErrNotRegular means a regular file was required (not a device, socket or pipe).
	ErrNotRegular = errors.New("path is not a regular file")
)

// Stat describes path without following a final symlink: a link is reported with
// its target's type and permission bits, plus symlink_target (E2B's behaviour).
func Stat(path string) (*pb.EntryInfo, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	return FromFileInfo(path, fi), nil
}

// FromFileInfo builds the EntryInfo for path from an Lstat result, so directory
// walks that already hold one do not stat twice.
func FromFileInfo(path string, fi fs.FileInfo) *pb.EntryInfo {
	mode := fi.Mode()
	e := &pb.EntryInfo{
		Name:         fi.Name(),
		Type:         fileType(mode),
		Path:         path,
		Size:         fi.Size(),
		Mode:         uint32(mode.Perm()),
		Permissions:  mode.String(),
		ModifiedTime: timestamppb.New(fi.ModTime()),
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		e.Owner, e.Group = ownerName(st.Uid), groupName(st.Gid)
	}
	if mode&fs.ModeSymlink != 0 {
		if target, err := filepath.EvalSymlinks(path); err == nil {
			e.SymlinkTarget = &target
			if tfi, err := os.Stat(target); err == nil {
				e.Type = fileType(tfi.Mode())
				e.Mode = uint32(tfi.Mode().Perm())
			}
		} else if raw, err := os.Readlink(path); err == nil {
			// A dangling link still names where it points.
			e.SymlinkTarget = &raw
		}
	}
	if md := Metadata(path); len(md) > 0 {
		e.Metadata = md
	}
	return e
}

// fileType maps a mode to the wire enum; sockets, devices and pipes are UNSPECIFIED.
func fileType(m fs.FileMode) pb.FileType {
	switch {
	case m.IsRegular():
		return pb.FileType_FILE_TYPE_FILE
	case m.IsDir():
		return pb.FileType_FILE_TYPE_DIRECTORY
	case m&fs.ModeSymlink != 0:
		return pb.FileType_FILE_TYPE_SYMLINK
	}
	return pb.FileType_FILE_TYPE_UNSPECIFIED
}

// RequireDir returns nil when path (following symlinks) is a directory, an error
// wrapping fs.ErrNotExist when missing, and ErrNotDirectory otherwise.
func RequireDir(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return fmt.Errorf("%w: %s", ErrNotDirectory, path)
	}
	return nil
}

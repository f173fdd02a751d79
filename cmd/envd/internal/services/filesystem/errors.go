package filesystem

import (
	"context"
	"errors"
	"io/fs"
	"syscall"

	"connectrpc.com/connect"

	"github.com/wrenn-dev/wrenn/cmd/envd/internal/auth"
	"github.com/wrenn-dev/wrenn/cmd/envd/internal/fsinfo"
	"github.com/wrenn-dev/wrenn/cmd/envd/internal/paths"
	"github.com/wrenn-dev/wrenn/cmd/envd/internal/users"
)

var (
	// errUnknownWatcher means a watcher id was never issued or already removed.
	errUnknownWatcher = errors.New("watcher not found")
	// errNetworkMount means a watch was asked on NFS/SMB/FUSE without allow_network_mounts.
	errNetworkMount = errors.New("cannot watch a path on a network filesystem")
	// errAlreadyExists means MakeDir found the directory already there.
	errAlreadyExists = errors.New("directory already exists")
)

// toConnect is the one place errors become Connect codes; RPCs return plain
// wrapped errors and call it once at the boundary.
func toConnect(err error) error {
	if err == nil {
		return nil
	}
	var ce *connect.Error
	if errors.As(err, &ce) {
		return ce
	}
	return connect.NewError(codeOf(err), err)
}

func codeOf(err error) connect.Code {
	switch {
	case errors.Is(err, auth.ErrNoUser), errors.Is(err, auth.ErrBadAuthorization),
		errors.Is(err, users.ErrUnknownUser):
		return connect.CodeUnauthenticated
	case errors.Is(err, context.Canceled):
		return connect.CodeCanceled
	case errors.Is(err, context.DeadlineExceeded):
		return connect.CodeDeadlineExceeded
	case errors.Is(err, errUnknownWatcher), errors.Is(err, fs.ErrNotExist):
		return connect.CodeNotFound
	case errors.Is(err, errAlreadyExists), errors.Is(err, fs.ErrExist):
		return connect.CodeAlreadyExists
	case errors.Is(err, fs.ErrPermission), errors.Is(err, syscall.EROFS):
		return connect.CodePermissionDenied
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EDQUOT), errors.Is(err, errTooManyEntries):
		return connect.CodeResourceExhausted
	case errors.Is(err, syscall.EXDEV), errors.Is(err, syscall.EBUSY):
		return connect.CodeFailedPrecondition
	case errors.Is(err, paths.ErrInvalidPath), errors.Is(err, errNetworkMount),
		errors.Is(err, fsinfo.ErrNotDirectory), errors.Is(err, fsinfo.ErrIsDirectory),
		errors.Is(err, fsinfo.ErrNotRegular), errors.Is(err, syscall.ENOTDIR),
		errors.Is(err, syscall.EISDIR), errors.Is(err, syscall.EINVAL),
		errors.Is(err, syscall.ELOOP), errors.Is(err, syscall.ENAMETOOLONG):
		return connect.CodeInvalidArgument
	}
	return connect.CodeInternal
}

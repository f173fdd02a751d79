package process

import (
	"errors"
	"io/fs"

	"connectrpc.com/connect"

	"github.com/wrenn-dev/wrenn/cmd/envd/internal/auth"
	"github.com/wrenn-dev/wrenn/cmd/envd/internal/paths"
	"github.com/wrenn-dev/wrenn/cmd/envd/internal/users"
)

var (
	// ErrNotFound means no running process matches the selector.
	ErrNotFound = errors.New("process not found")
	// ErrNoSelector means the request named neither a pid nor a tag.
	ErrNoSelector = errors.New("process selector (pid or tag) is required")
	// ErrNoCommand means StartRequest.process.cmd is empty.
	ErrNoCommand = errors.New("process.cmd is required")
	// ErrExecNotFound means cmd is not an executable file (in PATH, or at the given path).
	ErrExecNotFound = errors.New("executable not found")
	// ErrBadCwd means the requested working directory does not exist or is not a directory.
	ErrBadCwd = errors.New("invalid working directory")
	// ErrTagInUse means a running process already carries the requested tag.
	ErrTagInUse = errors.New("tag is already used by a running process")
	// ErrStart means the kernel refused to start the process (fork/exec, chdir, pty).
	ErrStart = errors.New("cannot start process")
	// ErrBadSignal means the signal is unspecified or not one envd sends.
	ErrBadSignal = errors.New("unsupported signal")
	// ErrNoPTY means a PTY operation was sent to a process started without a PTY.
	ErrNoPTY = errors.New("process has no PTY")
	// ErrHasPTY means CloseStdin was sent to a PTY process (send Ctrl-D, 0x04, instead).
	ErrHasPTY = errors.New("process uses a PTY; send Ctrl-D (0x04) as input to signal EOF")
	// ErrStdinClosed means stdin was disabled at start or already closed.
	ErrStdinClosed = errors.New("stdin is closed or was not requested")
	// ErrBadInput means the input, PTY size or stream order of a request is malformed.
	ErrBadInput = errors.New("invalid input")
)

// connectError maps the package's (and its dependencies') sentinel errors to
// Connect codes. It is the only place codes are chosen; the message keeps the
// wrapped detail so clients see what was wrong.
func connectError(err error) error {
	if err == nil {
		return nil
	}
	var ce *connect.Error
	if errors.As(err, &ce) {
		return err
	}
	code := connect.CodeInternal
	switch {
	case errors.Is(err, ErrNotFound):
		code = connect.CodeNotFound
	case errors.Is(err, auth.ErrNoUser):
		code = connect.CodeUnauthenticated
	case errors.Is(err, ErrNoSelector), errors.Is(err, ErrNoCommand), errors.Is(err, ErrExecNotFound),
		errors.Is(err, ErrBadCwd), errors.Is(err, ErrBadSignal), errors.Is(err, ErrBadInput),
		errors.Is(err, users.ErrUnknownUser), errors.Is(err, auth.ErrBadAuthorization),
		errors.Is(err, paths.ErrInvalidPath):
		code = connect.CodeInvalidArgument
	case errors.Is(err, ErrTagInUse):
		code = connect.CodeAlreadyExists
	case errors.Is(err, ErrNoPTY), errors.Is(err, ErrHasPTY), errors.Is(err, ErrStdinClosed):
		code = connect.CodeFailedPrecondition
	case errors.Is(err, ErrStart) && errors.Is(err, fs.ErrPermission):
		code = connect.CodePermissionDenied
	case errors.Is(err, ErrStart) && errors.Is(err, fs.ErrNotExist):
		code = connect.CodeInvalidArgument
	}
	return connect.NewError(code, err)
}

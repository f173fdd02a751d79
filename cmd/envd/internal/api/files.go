package api

import (
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"syscall"

	"github.com/wrenn-dev/wrenn/cmd/envd/internal/auth"
	"github.com/wrenn-dev/wrenn/cmd/envd/internal/fsinfo"
	"github.com/wrenn-dev/wrenn/cmd/envd/internal/paths"
	"github.com/wrenn-dev/wrenn/cmd/envd/internal/state"
	"github.com/wrenn-dev/wrenn/cmd/envd/internal/users"
)

// handleFiles registers GET/POST /files (raw download and streamed upload) and
// POST /files/compose.
func handleFiles(mux *http.ServeMux, d Deps) {
	mux.Handle("GET /files", downloadHandler(d))
	mux.Handle("POST /files", uploadHandler(d))
	mux.Handle("POST /files/compose", composeHandler(d))
}

var (
	// errBadRequest marks client mistakes (missing path, bad content type, bad body).
	errBadRequest = errors.New("bad request")
	// errUnauthorized marks failed token/signature checks and unusable users.
	errUnauthorized = errors.New("unauthorized")
)

// fileTarget is who a /files request acts as and the absolute path it names.
type fileTarget struct {
	user  *users.User
	owner fsinfo.Owner
	path  string // "" when the request named none
}

// fileRequest authorizes a /files request for op ("read"|"write") and resolves
// its user (the username parameter, else Basic auth, else the default user)
// and its path parameter.
func fileRequest(r *http.Request, d *state.Defaults, op string) (fileTarget, error) {
	q := r.URL.Query()
	rawPath, username := q.Get("path"), q.Get("username")
	if err := auth.CheckFileAccess(r, d, rawPath, op, username); err != nil {
		return fileTarget{}, fmt.Errorf("%w: %w", errUnauthorized, err)
	}
	u, err := lookupUser(r, d, username)
	if err != nil {
		return fileTarget{}, err
	}
	t := fileTarget{user: u, owner: fsinfo.Owner{UID: u.UID, GID: u.GID}}
	if rawPath != "" {
		if t.path, err = paths.Resolve(rawPath, u.Home, d.Workdir()); err != nil {
			return fileTarget{}, err
		}
	}
	return t, nil
}

// lookupUser resolves an explicit user name, falling back to the request's
// Basic header and then the default user.
func lookupUser(r *http.Request, d *state.Defaults, name string) (*users.User, error) {
	if name == "" {
		var err error
		if name, err = auth.UserName(r.Header, d); err != nil {
			return nil, fmt.Errorf("%w: %w", errUnauthorized, err)
		}
	}
	u, err := users.Lookup(name)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errUnauthorized, err)
	}
	return u, nil
}

// statusOf is the one place /files errors become HTTP statuses.
func statusOf(err error) int {
	switch {
	case errors.Is(err, errUnauthorized):
		return http.StatusUnauthorized
	case errors.Is(err, errBadRequest), errors.Is(err, errBodyRead), errors.Is(err, paths.ErrInvalidPath),
		errors.Is(err, fsinfo.ErrIsDirectory), errors.Is(err, fsinfo.ErrNotDirectory),
		errors.Is(err, fsinfo.ErrNotRegular), errors.Is(err, fsinfo.ErrMetadataUnsupported),
		errors.Is(err, syscall.ENOTDIR), errors.Is(err, syscall.EISDIR),
		errors.Is(err, syscall.ENAMETOOLONG), errors.Is(err, syscall.ELOOP):
		return http.StatusBadRequest
	case errors.Is(err, fs.ErrNotExist):
		return http.StatusNotFound
	case errors.Is(err, fs.ErrPermission), errors.Is(err, syscall.EROFS):
		return http.StatusForbidden
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EDQUOT):
		return http.StatusInsufficientStorage
	}
	return http.StatusInternalServerError
}

// writeFileError answers with {"code","message"} and logs server-side failures.
func writeFileError(w http.ResponseWriter, d Deps, r *http.Request, err error) {
	status := statusOf(err)
	if status >= http.StatusInternalServerError {
		d.Logger.Error("files", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	auth.WriteError(w, status, err.Error())
}

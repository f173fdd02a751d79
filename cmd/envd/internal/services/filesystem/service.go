// Package filesystem implements envd's filesystem.Filesystem Connect service:
// stat, list, mkdir, move and remove on guest paths, plus streaming and polled
// directory watches. Wire behaviour follows E2B's envd so its SDKs work unchanged.
package filesystem

import (
	"log/slog"
	"net/http"

	"github.com/wrenn-dev/wrenn/cmd/envd/internal/auth"
	"github.com/wrenn-dev/wrenn/cmd/envd/internal/fsinfo"
	"github.com/wrenn-dev/wrenn/cmd/envd/internal/gen/filesystem/filesystemconnect"
	"github.com/wrenn-dev/wrenn/cmd/envd/internal/paths"
	"github.com/wrenn-dev/wrenn/cmd/envd/internal/state"
	"github.com/wrenn-dev/wrenn/cmd/envd/internal/users"
)

// Service serves file metadata operations and directory watches. Its zero
// value is not usable; build it with New.
type Service struct {
	filesystemconnect.UnimplementedFilesystemHandler
	defaults *state.Defaults
	log      *slog.Logger
	watchers *registry
}

// New returns a Service acting for the users and workdir in d.
func New(d *state.Defaults, log *slog.Logger) *Service {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{defaults: d, log: log, watchers: newRegistry()}
}

// Close stops every polled watcher (CreateWatcher) still registered.
func (s *Service) Close() { s.watchers.closeAll() }

// request is what every RPC first derives from its headers and path.
type request struct {
	user  *users.User
	owner fsinfo.Owner
	path  string
}

// resolve picks the acting user from the headers and makes p absolute against
// that user's home or the default workdir.
func (s *Service) resolve(h http.Header, p string) (request, error) {
	u, err := auth.User(h, s.defaults)
	if err != nil {
		return request{}, err
	}
	abs, err := paths.Resolve(p, u.Home, s.defaults.Workdir())
	if err != nil {
		return request{}, err
	}
	return request{user: u, owner: fsinfo.Owner{UID: u.UID, GID: u.GID}, path: abs}, nil
}

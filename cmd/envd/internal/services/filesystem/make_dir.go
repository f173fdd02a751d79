package filesystem

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"connectrpc.com/connect"

	"github.com/wrenn-dev/wrenn/cmd/envd/internal/fsinfo"
	pb "github.com/wrenn-dev/wrenn/cmd/envd/internal/gen/filesystem"
)

// MakeDir creates a directory and its missing parents, owned by the acting
// user. An existing directory is AlreadyExists (the SDK then returns false);
// an existing non-directory is InvalidArgument.
func (s *Service) MakeDir(_ context.Context, req *connect.Request[pb.MakeDirRequest]) (*connect.Response[pb.MakeDirResponse], error) {
	r, err := s.resolve(req.Header(), req.Msg.GetPath())
	if err != nil {
		return nil, toConnect(err)
	}
	e, err := makeDir(r)
	if err != nil {
		return nil, toConnect(err)
	}
	return connect.NewResponse(&pb.MakeDirResponse{Entry: e}), nil
}

func makeDir(r request) (*pb.EntryInfo, error) {
	fi, err := os.Stat(r.path)
	switch {
	case err == nil && fi.IsDir():
		return nil, fmt.Errorf("%w: %s", errAlreadyExists, r.path)
	case err == nil:
		return nil, fmt.Errorf("%w: %s exists", fsinfo.ErrNotDirectory, r.path)
	case !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("stat %s: %w", r.path, err)
	}
	if err := fsinfo.EnsureDir(r.path, r.owner); err != nil {
		return nil, fmt.Errorf("make directory %s: %w", r.path, err)
	}
	e, err := fsinfo.Stat(r.path)
	if err != nil {
		return nil, fmt.Errorf("stat %s: %w", r.path, err)
	}
	return e, nil
}

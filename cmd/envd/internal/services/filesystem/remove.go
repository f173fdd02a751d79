package filesystem

import (
	"context"
	"fmt"
	"os"

	"connectrpc.com/connect"

	pb "github.com/wrenn-dev/wrenn/cmd/envd/internal/gen/filesystem"
)

// Remove deletes a file, symlink (not its target) or directory tree; a missing
// path is NotFound so callers can tell "nothing was there" from success.
func (s *Service) Remove(_ context.Context, req *connect.Request[pb.RemoveRequest]) (*connect.Response[pb.RemoveResponse], error) {
	r, err := s.resolve(req.Header(), req.Msg.GetPath())
	if err != nil {
		return nil, toConnect(err)
	}
	if _, err := os.Lstat(r.path); err != nil {
		return nil, toConnect(fmt.Errorf("remove %s: %w", r.path, err))
	}
	if err := os.RemoveAll(r.path); err != nil {
		return nil, toConnect(fmt.Errorf("remove %s: %w", r.path, err))
	}
	return connect.NewResponse(&pb.RemoveResponse{}), nil
}

package filesystem

import (
	"context"
	"fmt"

	"connectrpc.com/connect"

	"github.com/wrenn-dev/wrenn/cmd/envd/internal/fsinfo"
	pb "github.com/wrenn-dev/wrenn/cmd/envd/internal/gen/filesystem"
)

// Stat describes one path; a final symlink is reported, not followed.
func (s *Service) Stat(_ context.Context, req *connect.Request[pb.StatRequest]) (*connect.Response[pb.StatResponse], error) {
	r, err := s.resolve(req.Header(), req.Msg.GetPath())
	if err != nil {
		return nil, toConnect(err)
	}
	e, err := fsinfo.Stat(r.path)
	if err != nil {
		return nil, toConnect(fmt.Errorf("stat %s: %w", r.path, err))
	}
	return connect.NewResponse(&pb.StatResponse{Entry: e}), nil
}

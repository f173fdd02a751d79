package filesystem

import (
	"context"

	"connectrpc.com/connect"

	pb "github.com/wrenn-dev/wrenn/cmd/envd/internal/gen/filesystem"
)

// RemoveWatcher stops a CreateWatcher watch; an unknown id is NotFound.
func (s *Service) RemoveWatcher(_ context.Context, req *connect.Request[pb.RemoveWatcherRequest]) (*connect.Response[pb.RemoveWatcherResponse], error) {
	if err := s.watchers.remove(req.Msg.GetWatcherId()); err != nil {
		return nil, toConnect(err)
	}
	return connect.NewResponse(&pb.RemoveWatcherResponse{}), nil
}

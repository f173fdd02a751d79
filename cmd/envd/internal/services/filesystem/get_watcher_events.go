package filesystem

import (
	"context"

	"connectrpc.com/connect"

	pb "github.com/wrenn-dev/wrenn/cmd/envd/internal/gen/filesystem"
)

// GetWatcherEvents returns and clears the events a CreateWatcher watch has
// buffered since the last call.
func (s *Service) GetWatcherEvents(_ context.Context, req *connect.Request[pb.GetWatcherEventsRequest]) (*connect.Response[pb.GetWatcherEventsResponse], error) {
	p, err := s.watchers.get(req.Msg.GetWatcherId())
	if err != nil {
		return nil, toConnect(err)
	}
	events, err := p.drain()
	if err != nil {
		return nil, toConnect(err)
	}
	return connect.NewResponse(&pb.GetWatcherEventsResponse{Events: events}), nil
}

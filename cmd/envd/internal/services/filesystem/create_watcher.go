package filesystem

import (
	"context"

	"connectrpc.com/connect"

	pb "github.com/wrenn-dev/wrenn/cmd/envd/internal/gen/filesystem"
)

// CreateWatcher starts a watch whose events are buffered for GetWatcherEvents,
// for clients that cannot hold a server stream open.
func (s *Service) CreateWatcher(_ context.Context, req *connect.Request[pb.CreateWatcherRequest]) (*connect.Response[pb.CreateWatcherResponse], error) {
	r, err := s.resolve(req.Header(), req.Msg.GetPath())
	if err != nil {
		return nil, toConnect(err)
	}
	w, err := startWatcher(r.path, watchOptions{
		recursive:     req.Msg.GetRecursive(),
		includeEntry:  req.Msg.GetIncludeEntry(),
		networkMounts: req.Msg.GetAllowNetworkMounts(),
	}, s.log)
	if err != nil {
		return nil, toConnect(err)
	}
	id, err := s.watchers.add(w, s.log)
	if err != nil {
		w.Close()
		return nil, toConnect(err)
	}
	return connect.NewResponse(&pb.CreateWatcherResponse{WatcherId: id}), nil
}

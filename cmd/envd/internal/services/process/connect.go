package process

import (
	"context"

	"connectrpc.com/connect"

	rpc "github.com/wrenn-dev/wrenn/cmd/envd/internal/gen/process"
)

// Connect attaches to a running process (by pid or tag) and streams start{pid},
// its output from now on, and its end.
func (s *Service) Connect(ctx context.Context, req *connect.Request[rpc.ConnectRequest], stream *connect.ServerStream[rpc.ConnectResponse]) error {
	p, err := s.find(req.Msg.GetProcess())
	if err != nil {
		return connectError(err)
	}
	return follow(ctx, req.Header(), p, p.hub.subscribe(), func(ev *rpc.ProcessEvent) error {
		return stream.Send(&rpc.ConnectResponse{Event: ev})
	})
}

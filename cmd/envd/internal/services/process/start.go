package process

import (
	"context"

	"connectrpc.com/connect"

	rpc "github.com/wrenn-dev/wrenn/cmd/envd/internal/gen/process"
)

// Start runs a process and streams its events; the process outlives the stream.
func (s *Service) Start(ctx context.Context, req *connect.Request[rpc.StartRequest], stream *connect.ServerStream[rpc.StartResponse]) error {
	p, sub, err := s.spawn(req.Header(), req.Msg)
	if err != nil {
		return connectError(err)
	}
	return follow(ctx, req.Header(), p, sub, func(ev *rpc.ProcessEvent) error {
		return stream.Send(&rpc.StartResponse{Event: ev})
	})
}

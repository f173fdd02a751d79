package process

import (
	"context"

	"connectrpc.com/connect"

	rpc "github.com/wrenn-dev/wrenn/cmd/envd/internal/gen/process"
)

// SendInput writes stdin or PTY bytes to a process (what the JS SDK uses for input).
func (s *Service) SendInput(ctx context.Context, req *connect.Request[rpc.SendInputRequest]) (*connect.Response[rpc.SendInputResponse], error) {
	p, err := s.find(req.Msg.GetProcess())
	if err != nil {
		return nil, connectError(err)
	}
	if err := p.write(ctx, req.Msg.GetInput()); err != nil {
		return nil, connectError(err)
	}
	return connect.NewResponse(&rpc.SendInputResponse{}), nil
}

package process

import (
	"context"

	"connectrpc.com/connect"

	rpc "github.com/wrenn-dev/wrenn/cmd/envd/internal/gen/process"
)

// CloseStdin closes a process's stdin pipe so it reads EOF (e.g. `cat` exits).
func (s *Service) CloseStdin(_ context.Context, req *connect.Request[rpc.CloseStdinRequest]) (*connect.Response[rpc.CloseStdinResponse], error) {
	p, err := s.find(req.Msg.GetProcess())
	if err != nil {
		return nil, connectError(err)
	}
	if p.pty != nil {
		return nil, connectError(ErrHasPTY)
	}
	p.closeStdin()
	return connect.NewResponse(&rpc.CloseStdinResponse{}), nil
}

package process

import (
	"context"
	"fmt"
	"syscall"

	"connectrpc.com/connect"

	rpc "github.com/wrenn-dev/wrenn/cmd/envd/internal/gen/process"
)

// SendSignal sends SIGTERM or SIGKILL to a process and its process group.
func (s *Service) SendSignal(_ context.Context, req *connect.Request[rpc.SendSignalRequest]) (*connect.Response[rpc.SendSignalResponse], error) {
	var sig syscall.Signal
	switch req.Msg.GetSignal() {
	case rpc.Signal_SIGNAL_SIGTERM:
		sig = syscall.SIGTERM
	case rpc.Signal_SIGNAL_SIGKILL:
		sig = syscall.SIGKILL
	default:
		return nil, connectError(fmt.Errorf("%w: %v", ErrBadSignal, req.Msg.GetSignal()))
	}
	p, err := s.find(req.Msg.GetProcess())
	if err != nil {
		return nil, connectError(err)
	}
	if err := p.signal(sig); err != nil {
		return nil, connectError(err)
	}
	return connect.NewResponse(&rpc.SendSignalResponse{}), nil
}

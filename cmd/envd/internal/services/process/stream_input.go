package process

import (
	"context"
	"fmt"

	"connectrpc.com/connect"

	rpc "github.com/wrenn-dev/wrenn/cmd/envd/internal/gen/process"
)

// StreamInput feeds a client stream of input to a process in order: the first
// message selects the process, then data messages follow; keepalives are ignored.
func (s *Service) StreamInput(ctx context.Context, stream *connect.ClientStream[rpc.StreamInputRequest]) (*connect.Response[rpc.StreamInputResponse], error) {
	var p *proc
	for stream.Receive() {
		switch ev := stream.Msg().GetEvent().(type) {
		case *rpc.StreamInputRequest_Start:
			if p != nil {
				return nil, connectError(fmt.Errorf("%w: second start message", ErrBadInput))
			}
			found, err := s.find(ev.Start.GetProcess())
			if err != nil {
				return nil, connectError(err)
			}
			p = found
		case *rpc.StreamInputRequest_Data:
			if p == nil {
				return nil, connectError(fmt.Errorf("%w: data before the start message", ErrBadInput))
			}
			if err := p.write(ctx, ev.Data.GetInput()); err != nil {
				return nil, connectError(err)
			}
		}
	}
	if err := stream.Err(); err != nil {
		return nil, err
	}
	return connect.NewResponse(&rpc.StreamInputResponse{}), nil
}

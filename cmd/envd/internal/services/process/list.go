package process

import (
	"context"

	"connectrpc.com/connect"

	rpc "github.com/wrenn-dev/wrenn/cmd/envd/internal/gen/process"
)

// List returns the running processes with the config they were started with.
func (s *Service) List(_ context.Context, _ *connect.Request[rpc.ListRequest]) (*connect.Response[rpc.ListResponse], error) {
	res := &rpc.ListResponse{}
	for _, p := range s.running() {
		res.Processes = append(res.Processes, &rpc.ProcessInfo{Config: p.config, Pid: uint32(p.pid), Tag: p.tag})
	}
	return connect.NewResponse(res), nil
}

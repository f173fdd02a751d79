package process

import (
	"context"
	"net/http"
	"strconv"
	"time"

	rpc "github.com/wrenn-dev/wrenn/cmd/envd/internal/gen/process"
)

const (
	// KeepaliveHeader is the request header with the keepalive period in seconds
	// (the E2B SDKs send 50); proxies drop streams that stay silent too long.
	KeepaliveHeader = "Keepalive-Ping-Interval"
	// defaultKeepalive is the period when the header is absent or invalid.
	defaultKeepalive = 90 * time.Second
)

// keepaliveInterval reads KeepaliveHeader.
func keepaliveInterval(h http.Header) time.Duration {
	secs, err := strconv.Atoi(h.Get(KeepaliveHeader))
	if err != nil || secs <= 0 {
		return defaultKeepalive
	}
	return time.Duration(secs) * time.Second
}

// follow streams a process to one client: start{pid} first, then output and
// keepalives, then end. When the client goes away (or its Connect-Timeout-Ms
// passes) it just unsubscribes: the process keeps running.
func follow(ctx context.Context, h http.Header, p *proc, sub *subscriber, send func(*rpc.ProcessEvent) error) error {
	defer sub.leave()
	start := &rpc.ProcessEvent{Event: &rpc.ProcessEvent_Start{Start: &rpc.ProcessEvent_StartEvent{Pid: uint32(p.pid)}}}
	if err := send(start); err != nil {
		return err
	}
	tick := time.NewTicker(keepaliveInterval(h))
	defer tick.Stop()
	keepalive := &rpc.ProcessEvent{Event: &rpc.ProcessEvent_Keepalive{Keepalive: &rpc.ProcessEvent_KeepAlive{}}}
	for {
		select {
		case ev, ok := <-sub.ch:
			if !ok {
				return send(p.hub.endEvent())
			}
			if err := send(ev); err != nil {
				return err
			}
		case <-tick.C:
			if err := send(keepalive); err != nil {
				return err
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

package filesystem

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"connectrpc.com/connect"

	pb "github.com/wrenn-dev/wrenn/cmd/envd/internal/gen/filesystem"
)

// defaultKeepalive is E2B's interval when no Keepalive-Ping-Interval is sent.
const defaultKeepalive = 90 * time.Second

// errWatchEnded means the underlying watch stopped without an error of its own.
var errWatchEnded = errors.New("watch ended")

// WatchDir streams a directory's changes: first `start`, then one event per
// change, with empty keepalive events whenever the stream was idle for the
// client's Keepalive-Ping-Interval so proxies keep it open.
func (s *Service) WatchDir(ctx context.Context, req *connect.Request[pb.WatchDirRequest], stream *connect.ServerStream[pb.WatchDirResponse]) error {
	r, err := s.resolve(req.Header(), req.Msg.GetPath())
	if err != nil {
		return toConnect(err)
	}
	w, err := startWatcher(r.path, watchOptions{
		recursive:     req.Msg.GetRecursive(),
		includeEntry:  req.Msg.GetIncludeEntry(),
		networkMounts: req.Msg.GetAllowNetworkMounts(),
	}, s.log)
	if err != nil {
		return toConnect(err)
	}
	defer w.Close()
	start := &pb.WatchDirResponse{Event: &pb.WatchDirResponse_Start{Start: &pb.WatchDirResponse_StartEvent{}}}
	if err := stream.Send(start); err != nil {
		return toConnect(err)
	}
	interval := keepaliveInterval(req.Header())
	tick := time.NewTicker(interval)
	defer tick.Stop()
	keepalive := &pb.WatchDirResponse{Event: &pb.WatchDirResponse_Keepalive{Keepalive: &pb.WatchDirResponse_KeepAlive{}}}
	for {
		select {
		case <-ctx.Done():
			return toConnect(ctx.Err())
		case <-tick.C:
			if err := stream.Send(keepalive); err != nil {
				return toConnect(err)
			}
		case ev, ok := <-w.events:
			if !ok {
				if w.err != nil {
					return toConnect(w.err)
				}
				return toConnect(errWatchEnded)
			}
			msg := &pb.WatchDirResponse{Event: &pb.WatchDirResponse_Filesystem{Filesystem: ev}}
			if err := stream.Send(msg); err != nil {
				return toConnect(err)
			}
			tick.Reset(interval)
		}
	}
}

// keepaliveInterval reads Keepalive-Ping-Interval (seconds), defaulting to 90 s.
func keepaliveInterval(h http.Header) time.Duration {
	if v, err := strconv.Atoi(h.Get("Keepalive-Ping-Interval")); err == nil && v > 0 {
		return time.Duration(v) * time.Second
	}
	return defaultKeepalive
}

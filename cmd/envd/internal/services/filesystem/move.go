package filesystem

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"connectrpc.com/connect"

	"github.com/wrenn-dev/wrenn/cmd/envd/internal/fsinfo"
	pb "github.com/wrenn-dev/wrenn/cmd/envd/internal/gen/filesystem"
)

// Move renames source to destination, creating the destination's missing
// parent directories (owned by the acting user), and describes the result.
// An existing destination file is replaced, as rename(2) does.
func (s *Service) Move(_ context.Context, req *connect.Request[pb.MoveRequest]) (*connect.Response[pb.MoveResponse], error) {
	src, err := s.resolve(req.Header(), req.Msg.GetSource())
	if err != nil {
		return nil, toConnect(err)
	}
	dst, err := s.resolve(req.Header(), req.Msg.GetDestination())
	if err != nil {
		return nil, toConnect(err)
	}
	e, err := move(src.path, dst.path, dst.owner)
	if err != nil {
		return nil, toConnect(err)
	}
	return connect.NewResponse(&pb.MoveResponse{Entry: e}), nil
}

func move(src, dst string, owner fsinfo.Owner) (*pb.EntryInfo, error) {
	if _, err := os.Lstat(src); err != nil {
		return nil, fmt.Errorf("move source %s: %w", src, err)
	}
	if err := fsinfo.EnsureDir(filepath.Dir(dst), owner); err != nil {
		return nil, fmt.Errorf("create parent of %s: %w", dst, err)
	}
	if err := os.Rename(src, dst); err != nil {
		return nil, fmt.Errorf("move %s to %s: %w", src, dst, err)
	}
	e, err := fsinfo.Stat(dst)
	if err != nil {
		return nil, fmt.Errorf("stat %s: %w", dst, err)
	}
	return e, nil
}

package filesystem

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"connectrpc.com/connect"

	"github.com/wrenn-dev/wrenn/cmd/envd/internal/fsinfo"
	pb "github.com/wrenn-dev/wrenn/cmd/envd/internal/gen/filesystem"
)

const (
	// maxListDepth caps ListDir recursion whatever depth a client asks for.
	maxListDepth = 64
	// maxListEntries caps one ListDir answer so a request on / cannot exhaust
	// envd's memory or the client's message limit.
	maxListEntries = 200_000
)

// errTooManyEntries means a listing would exceed maxListEntries.
var errTooManyEntries = errors.New("directory listing too large; ask for a smaller depth")

// ListDir lists a directory's entries down to depth levels (0 means 1), in
// pre-order with each directory's children sorted by name. The listed path
// may be a symlink to a directory; symlinks below it are reported, never
// descended into, so cycles cannot occur. Paths are absolute under the
// requested path.
func (s *Service) ListDir(ctx context.Context, req *connect.Request[pb.ListDirRequest]) (*connect.Response[pb.ListDirResponse], error) {
	r, err := s.resolve(req.Header(), req.Msg.GetPath())
	if err != nil {
		return nil, toConnect(err)
	}
	depth := int(req.Msg.GetDepth())
	if depth == 0 {
		depth = 1
	}
	depth = min(depth, maxListDepth)
	if err := fsinfo.RequireDir(r.path); err != nil {
		return nil, toConnect(fmt.Errorf("list %s: %w", r.path, err))
	}
	entries, err := listDir(ctx, r.path, depth)
	if err != nil {
		return nil, toConnect(err)
	}
	return connect.NewResponse(&pb.ListDirResponse{Entries: entries}), nil
}

// listDir walks root in pre-order (recursion is bounded by maxListDepth). An
// unreadable root fails the call; entries that vanish or subdirectories that
// cannot be read mid-walk are skipped, as a live filesystem changes while it is
// listed.
func listDir(ctx context.Context, root string, depth int) ([]*pb.EntryInfo, error) {
	des, err := os.ReadDir(root)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", root, err)
	}
	var out []*pb.EntryInfo
	if err := walkEntries(ctx, root, des, 1, depth, &out); err != nil {
		return nil, err
	}
	return out, nil
}

func walkEntries(ctx context.Context, dir string, des []os.DirEntry, level, depth int, out *[]*pb.EntryInfo) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	for _, de := range des {
		p := filepath.Join(dir, de.Name())
		fi, err := de.Info()
		if errors.Is(err, fs.ErrNotExist) {
			continue
		} else if err != nil {
			return fmt.Errorf("stat %s: %w", p, err)
		}
		if len(*out) >= maxListEntries {
			return fmt.Errorf("%w (%d entries)", errTooManyEntries, maxListEntries)
		}
		*out = append(*out, fsinfo.FromFileInfo(p, fi))
		if !de.IsDir() || level >= depth {
			continue
		}
		sub, err := os.ReadDir(p)
		if err != nil {
			continue
		}
		if err := walkEntries(ctx, p, sub, level+1, depth, out); err != nil {
			return err
		}
	}
	return nil
}

package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"

	"google.golang.org/protobuf/encoding/protojson"

	"github.com/wrenn-dev/wrenn/cmd/envd/internal/fsinfo"
	"github.com/wrenn-dev/wrenn/cmd/envd/internal/paths"
)

// composeRequest is POST /files/compose's body (E2B's field names).
type composeRequest struct {
	SourcePaths []string `json:"source_paths"`
	Destination string   `json:"destination"`
	Username    string   `json:"username"`
}

// maxComposeSources bounds one compose request.
const maxComposeSources = 10_000

// composeHandler serves POST /files/compose: it concatenates source files, in
// order, into destination (written atomically, owned by the user), then
// deletes the sources, as E2B's envd does for chunked uploads, and answers
// with the destination's EntryInfo in proto-JSON. The access-token middleware
// protects this route.
func composeHandler(d Deps) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer r.Body.Close()
		var req composeRequest
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<20)).Decode(&req); err != nil {
			writeFileError(w, d, r, fmt.Errorf("%w: invalid compose body: %w", errBadRequest, err))
			return
		}
		dst, sources, t, err := composePlan(r, d, req)
		if err != nil {
			writeFileError(w, d, r, err)
			return
		}
		err = fsinfo.WriteFile(dst, t.owner, nil, func(f *os.File) error {
			for _, src := range sources {
				if err := appendFile(f, src); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			writeFileError(w, d, r, err)
			return
		}
		for _, src := range sources {
			if err := os.Remove(src); err != nil && !errors.Is(err, os.ErrNotExist) {
				d.Logger.Warn("files/compose: remove source", "path", src, "err", err)
			}
		}
		e, err := fsinfo.Stat(dst)
		if err != nil {
			writeFileError(w, d, r, fmt.Errorf("stat %s: %w", dst, err))
			return
		}
		body, err := protojson.Marshal(e)
		if err != nil {
			writeFileError(w, d, r, fmt.Errorf("encode entry: %w", err))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	})
}

// composePlan validates a compose request and resolves its paths: sources must
// be distinct regular files other than the destination.
func composePlan(r *http.Request, d Deps, req composeRequest) (string, []string, fileTarget, error) {
	if len(req.SourcePaths) == 0 || len(req.SourcePaths) > maxComposeSources {
		return "", nil, fileTarget{}, fmt.Errorf("%w: source_paths must list 1 to %d files", errBadRequest, maxComposeSources)
	}
	if req.Destination == "" {
		return "", nil, fileTarget{}, fmt.Errorf("%w: destination is required", errBadRequest)
	}
	u, err := lookupUser(r, d.Defaults, req.Username)
	if err != nil {
		return "", nil, fileTarget{}, err
	}
	t := fileTarget{user: u, owner: fsinfo.Owner{UID: u.UID, GID: u.GID}}
	dst, err := paths.Resolve(req.Destination, u.Home, d.Defaults.Workdir())
	if err != nil {
		return "", nil, fileTarget{}, err
	}
	sources := make([]string, 0, len(req.SourcePaths))
	seen := map[string]bool{}
	for _, s := range req.SourcePaths {
		p, err := paths.Resolve(s, u.Home, d.Defaults.Workdir())
		if err != nil {
			return "", nil, fileTarget{}, err
		}
		if p == dst || seen[p] {
			return "", nil, fileTarget{}, fmt.Errorf("%w: source %s repeats or is the destination", errBadRequest, p)
		}
		seen[p] = true
		fi, err := os.Stat(p)
		if err != nil {
			return "", nil, fileTarget{}, fmt.Errorf("source %s: %w", p, err)
		}
		if !fi.Mode().IsRegular() {
			return "", nil, fileTarget{}, fmt.Errorf("%w: source %s", fsinfo.ErrNotRegular, p)
		}
		sources = append(sources, p)
	}
	return dst, sources, t, nil
}

// appendFile copies src onto the end of f; *os.File.ReadFrom lets the kernel
// move the bytes (copy_file_range) without a trip through user space.
func appendFile(f *os.File, src string) error {
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("open source %s: %w", src, err)
	}
	defer in.Close()
	if _, err := f.ReadFrom(in); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("append %s: %w", src, err)
	}
	return nil
}

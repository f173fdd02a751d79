package api

import (
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/wrenn-dev/wrenn/cmd/envd/internal/fsinfo"
	"github.com/wrenn-dev/wrenn/cmd/envd/internal/paths"
)

// errBodyRead marks a failure reading the upload itself (client disconnect,
// truncated or malformed body): the client's fault, so 400.
var errBodyRead = errors.New("reading upload body")

// uploaded is one element of POST /files's JSON answer.
type uploaded struct {
	Path     string            `json:"path"`
	Name     string            `json:"name"`
	Type     string            `json:"type"`
	Metadata map[string]string `json:"metadata,omitempty"`
}

// uploadHandler serves POST /files: multipart/form-data parts named "file", or
// a raw application/octet-stream body (path required), optionally gzip
// Content-Encoded. Bodies stream to disk; see fsinfo.WriteFile for atomicity.
func uploadHandler(d Deps) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer r.Body.Close()
		t, err := fileRequest(r, d.Defaults, "write")
		if err != nil {
			writeFileError(w, d, r, err)
			return
		}
		body, err := decodedBody(r)
		if err != nil {
			writeFileError(w, d, r, err)
			return
		}
		meta := metadataHeaders(r.Header)
		mediaType, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		var out []uploaded
		switch {
		case mediaType == "application/octet-stream":
			out, err = uploadRaw(t, body, meta)
		case strings.HasPrefix(mediaType, "multipart/"):
			out, err = uploadMultipart(t, multipart.NewReader(body, params["boundary"]), meta, d)
		default:
			err = fmt.Errorf("%w: unsupported Content-Type %q (want multipart/form-data or application/octet-stream)",
				errBadRequest, mediaType)
		}
		if err != nil {
			writeFileError(w, d, r, err)
			return
		}
		writeJSON(w, out)
	})
}

// decodedBody unwraps Content-Encoding: gzip (the only coding accepted).
func decodedBody(r *http.Request) (io.Reader, error) {
	switch enc := strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Encoding"))); enc {
	case "", "identity":
		return r.Body, nil
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			return nil, fmt.Errorf("%w: gzip: %w", errBodyRead, err)
		}
		return zr, nil
	default:
		return nil, fmt.Errorf("%w: unsupported Content-Encoding %q", errBadRequest, enc)
	}
}

// metadataHeaders collects X-Metadata-<key> headers (key lower-cased).
func metadataHeaders(h http.Header) map[string]string {
	var md map[string]string
	for k, v := range h {
		key, ok := strings.CutPrefix(http.CanonicalHeaderKey(k), "X-Metadata-")
		if !ok || key == "" || len(v) == 0 {
			continue
		}
		if md == nil {
			md = map[string]string{}
		}
		md[strings.ToLower(key)] = v[0]
	}
	return md
}

func uploadRaw(t fileTarget, body io.Reader, meta map[string]string) ([]uploaded, error) {
	if t.path == "" {
		return nil, fmt.Errorf("%w: the path query parameter is required for application/octet-stream", errBadRequest)
	}
	if err := writeUpload(t.path, t, body, meta); err != nil {
		return nil, err
	}
	return []uploaded{entryOf(t.path, meta)}, nil
}

// uploadMultipart writes every part named "file". The target is the path
// parameter, or <path>/<part filename> when path is a directory, or the
// part's filename (which may contain directories) when there is no path.
func uploadMultipart(t fileTarget, mr *multipart.Reader, meta map[string]string, d Deps) ([]uploaded, error) {
	out := []uploaded{}
	seen := map[string]bool{}
	for {
		part, err := mr.NextPart()
		if err == io.EOF { // exactly EOF: the final boundary was seen (a wrapped EOF is a truncated body)
			return out, nil
		} else if err != nil {
			return nil, fmt.Errorf("%w: multipart: %w", errBodyRead, err)
		}
		if part.FormName() != "file" {
			_ = part.Close()
			continue
		}
		target, err := partTarget(t, part, d)
		if err != nil {
			_ = part.Close()
			return nil, err
		}
		if seen[target] {
			_ = part.Close()
			return nil, fmt.Errorf("%w: more than one part targets %s", errBadRequest, target)
		}
		seen[target] = true
		err = writeUpload(target, t, part, meta)
		_ = part.Close()
		if err != nil {
			return nil, err
		}
		out = append(out, entryOf(target, meta))
	}
}

// partTarget is where one multipart part goes.
func partTarget(t fileTarget, part *multipart.Part, d Deps) (string, error) {
	name := rawFilename(part)
	if t.path == "" {
		if name == "" {
			return "", fmt.Errorf("%w: a part has no filename and no path parameter was given", errBadRequest)
		}
		return paths.Resolve(name, t.user.Home, d.Defaults.Workdir())
	}
	if fi, err := os.Stat(t.path); err == nil && fi.IsDir() {
		base := filepath.Base(name)
		if name == "" || base == "." || base == "/" || base == ".." {
			return "", fmt.Errorf("%w: %s is a directory and the part has no filename", errBadRequest, t.path)
		}
		return filepath.Join(t.path, base), nil
	}
	return t.path, nil
}

// rawFilename is the part's filename as sent: multipart.Part.FileName keeps
// only the base name, but E2B clients put the whole target path there.
func rawFilename(part *multipart.Part) string {
	_, params, err := mime.ParseMediaType(part.Header.Get("Content-Disposition"))
	if err != nil {
		return part.FileName()
	}
	return params["filename"]
}

// writeUpload streams src into path through fsinfo.WriteFile.
func writeUpload(path string, t fileTarget, src io.Reader, meta map[string]string) error {
	return fsinfo.WriteFile(path, t.owner, meta, func(f *os.File) error {
		_, err := io.CopyBuffer(onlyWriter{f}, bodyReader{src}, make([]byte, copyBufferSize))
		if err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
		return nil
	})
}

func entryOf(path string, meta map[string]string) uploaded {
	return uploaded{Path: path, Name: filepath.Base(path), Type: "file", Metadata: meta}
}

// bodyReader tags read failures with errBodyRead so they map to 400, not 500.
type bodyReader struct{ r io.Reader }

func (b bodyReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err != nil && !errors.Is(err, io.EOF) {
		err = fmt.Errorf("%w: %w", errBodyRead, err)
	}
	return n, err
}

// onlyWriter hides *os.File's ReadFrom so io.CopyBuffer uses its large buffer.
type onlyWriter struct{ w io.Writer }

func (o onlyWriter) Write(p []byte) (int, error) { return o.w.Write(p) }

package api

import (
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/wrenn-dev/wrenn/cmd/envd/internal/fsinfo"
)

// downloadHandler serves GET /files: the raw bytes of one file. Regular files go
// through http.ServeContent (Range, conditional requests, sendfile); without a
// Range, a client accepting gzip gets a streamed gzip body instead.
func downloadHandler(d Deps) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t, err := fileRequest(r, d.Defaults, "read")
		if err != nil {
			writeFileError(w, d, r, err)
			return
		}
		if t.path == "" {
			writeFileError(w, d, r, fmt.Errorf("%w: path is required", errBadRequest))
			return
		}
		f, fi, err := openForRead(t.path)
		if err != nil {
			writeFileError(w, d, r, err)
			return
		}
		defer f.Close()
		h := w.Header()
		h.Set("Content-Type", "application/octet-stream")
		h.Set("Content-Disposition", contentDisposition(filepath.Base(t.path)))
		h.Set("Cache-Control", "no-store")
		h.Add("Vary", "Accept-Encoding")
		switch {
		case wantsGzip(r, t.path):
			h.Set("Content-Encoding", "gzip")
			w.WriteHeader(http.StatusOK)
			if r.Method == http.MethodHead {
				return
			}
			gz, _ := gzip.NewWriterLevel(w, gzip.BestSpeed)
			if _, err := io.CopyBuffer(gz, onlyReader{f}, make([]byte, copyBufferSize)); err != nil {
				d.Logger.Warn("files: gzip download interrupted", "path", t.path, "err", err)
				return
			}
			_ = gz.Close()
		case fi.Size() == 0:
			// Pseudo-files (/proc, /sys) report size 0 yet have content:
			// stream until EOF rather than trusting the size.
			w.WriteHeader(http.StatusOK)
			if r.Method != http.MethodHead {
				_, _ = io.CopyBuffer(w, onlyReader{f}, make([]byte, copyBufferSize))
			}
		default:
			http.ServeContent(w, r, "", fi.ModTime(), f)
		}
	})
}

// openForRead opens a regular file for download; a directory is ErrIsDirectory.
func openForRead(path string) (*os.File, os.FileInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("open %s: %w", path, err)
	}
	fi, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return nil, nil, fmt.Errorf("stat %s: %w", path, err)
	}
	switch {
	case fi.IsDir():
		_ = f.Close()
		return nil, nil, fmt.Errorf("%w: %s", fsinfo.ErrIsDirectory, path)
	case !fi.Mode().IsRegular():
		_ = f.Close()
		return nil, nil, fmt.Errorf("%w: %s", fsinfo.ErrNotRegular, path)
	}
	return f, fi, nil
}

// contentDisposition is `inline; filename="<name>"` with quotes and
// backslashes escaped; a name with non-ASCII or control characters gets an
// ASCII fallback plus an RFC 5987 filename* carrying the UTF-8 original.
func contentDisposition(name string) string {
	var b strings.Builder
	ascii := true
	for _, r := range name {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r >= 0x7f:
			ascii = false
			b.WriteByte('_')
		default:
			b.WriteRune(r)
		}
	}
	v := `inline; filename="` + b.String() + `"`
	if !ascii {
		v += "; filename*=UTF-8''" + attrEscape(name)
	}
	return v
}

// attrEscape percent-encodes every byte outside RFC 5987's attr-char set.
func attrEscape(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// wantsGzip decides whether to gzip a download: the client must accept gzip,
// the request must not be a Range or conditional one (ServeContent answers
// those with 206/304), and the file must not already be compressed.
func wantsGzip(r *http.Request, path string) bool {
	for _, h := range []string{"Range", "If-Range", "If-Modified-Since", "If-None-Match"} {
		if r.Header.Get(h) != "" {
			return false
		}
	}
	if compressedExt[strings.ToLower(filepath.Ext(path))] {
		return false
	}
	return acceptsGzip(r.Header.Get("Accept-Encoding"))
}

// compressedExt lists formats gzip cannot shrink; compressing them only costs CPU.
var compressedExt = map[string]bool{
	".gz": true, ".tgz": true, ".zip": true, ".xz": true, ".zst": true, ".bz2": true, ".7z": true,
	".br": true, ".jpg": true, ".jpeg": true, ".png": true, ".gif": true, ".webp": true,
	".mp4": true, ".mkv": true, ".webm": true, ".mp3": true, ".ogg": true, ".whl": true, ".jar": true,
}

// acceptsGzip reports whether an Accept-Encoding value allows gzip (q > 0).
func acceptsGzip(v string) bool {
	for part := range strings.SplitSeq(v, ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(coding), "gzip") {
			continue
		}
		q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
		return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
	}
	return false
}

// copyBufferSize is large so streaming copies run near disk speed.
const copyBufferSize = 1 << 20

// onlyReader hides a reader's WriterTo/ReaderFrom fast paths so io.CopyBuffer
// really uses the large buffer it is given.
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

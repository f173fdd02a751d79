package fsinfo

import (
	"errors"
	"fmt"
	"strings"

	"golang.org/x/sys/unix"
)

// MetadataPrefix namespaces the user-defined file metadata E2B clients set with
// X-Metadata-<key> upload headers and read back in EntryInfo.metadata.
const MetadataPrefix = "user.e2b."

// ErrMetadataUnsupported means the filesystem holding the file has no user xattrs.
var ErrMetadataUnsupported = errors.New("file metadata (user xattrs) not supported on this filesystem")

// Metadata returns path's user.e2b.* xattrs without following a final symlink;
// unreadable or absent attributes yield nil (metadata is advisory).
func Metadata(path string) map[string]string {
	names, err := listxattr(path)
	if err != nil {
		return nil
	}
	var out map[string]string
	for _, n := range names {
		key, ok := strings.CutPrefix(n, MetadataPrefix)
		if !ok || key == "" {
			continue
		}
		v, err := getxattr(path, n)
		if err != nil {
			continue
		}
		if out == nil {
			out = map[string]string{}
		}
		out[key] = string(v)
	}
	return out
}

// SetMetadata stores md as user.e2b.<key> xattrs on the open file fd.
func SetMetadata(fd int, md map[string]string) error {
	for k, v := range md {
		if err := unix.Fsetxattr(fd, MetadataPrefix+k, []byte(v), 0); err != nil {
			if errors.Is(err, unix.ENOTSUP) || errors.Is(err, unix.EOPNOTSUPP) {
				return ErrMetadataUnsupported
			}
			return fmt.Errorf("set metadata %q: %w", k, err)
		}
	}
	return nil
}

func listxattr(path string) ([]string, error) {
	buf := make([]byte, 1024)
	for {
		n, err := unix.Llistxattr(path, buf)
		if errors.Is(err, unix.ERANGE) {
			buf = make([]byte, len(buf)*4)
			continue
		}
		if err != nil {
			return nil, err
		}
		var names []string
		for s := range strings.SplitSeq(string(buf[:n]), "\x00") {
			if s != "" {
				names = append(names, s)
			}
		}
		return names, nil
	}
}

func getxattr(path, name string) ([]byte, error) {
	buf := make([]byte, 256)
	for {
		n, err := unix.Lgetxattr(path, name, buf)
		if errors.Is(err, unix.ERANGE) {
			sz, serr := unix.Lgetxattr(path, name, nil)
			if serr != nil {
				return nil, serr
			}
			buf = make([]byte, sz+1)
			continue
		}
		if err != nil {
			return nil, err
		}
		return buf[:n], nil
	}
}

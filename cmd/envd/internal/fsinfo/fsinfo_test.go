package fsinfo

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	pb "github.com/wrenn-dev/wrenn/cmd/envd/internal/gen/filesystem"
)

const nobody = 65534

func TestStatEntry(t *testing.T) {
	requireRoot(t)
	dir := t.TempDir()
	f := filepath.Join(dir, "script.sh")
	if err := os.WriteFile(f, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(f, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := unix.Setxattr(f, MetadataPrefix+"owner-team", []byte("infra"), 0); err != nil {
		t.Fatal(err)
	}
	if err := unix.Setxattr(f, "user.other", []byte("ignored"), 0); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(f, nobody, nobody); err != nil {
		t.Fatal(err)
	}
	e, err := Stat(f)
	if err != nil {
		t.Fatal(err)
	}
	if e.GetPermissions() != "-rwxr-xr-x" || e.GetMode() != 0o755 || e.GetType() != pb.FileType_FILE_TYPE_FILE {
		t.Fatalf("mode: %v", e)
	}
	if e.GetOwner() != "nobody" || e.GetGroup() != "nogroup" {
		t.Fatalf("owner %q group %q", e.GetOwner(), e.GetGroup())
	}
	if len(e.GetMetadata()) != 1 || e.GetMetadata()["owner-team"] != "infra" {
		t.Fatalf("metadata = %v", e.GetMetadata())
	}
	if _, err := Stat(filepath.Join(dir, "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("missing: %v", err)
	}
}

func TestUnknownIDsAreNumeric(t *testing.T) {
	requireRoot(t)
	f := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(f, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(f, 54321, 54321); err != nil {
		t.Fatal(err)
	}
	e, err := Stat(f)
	if err != nil {
		t.Fatal(err)
	}
	if e.GetOwner() != "54321" || e.GetGroup() != "54321" {
		t.Fatalf("owner %q group %q", e.GetOwner(), e.GetGroup())
	}
}

func TestEnsureDir(t *testing.T) {
	requireRoot(t)
	dir := t.TempDir()
	owner := Owner{UID: nobody, GID: nobody}
	if err := EnsureDir(filepath.Join(dir, "a", "b"), owner); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"a", "a/b"} {
		var st syscall.Stat_t
		if err := syscall.Stat(filepath.Join(dir, p), &st); err != nil {
			t.Fatal(err)
		}
		if st.Uid != nobody {
			t.Fatalf("%s uid = %d", p, st.Uid)
		}
	}
	var st syscall.Stat_t
	if err := syscall.Stat(dir, &st); err != nil || st.Uid != 0 {
		t.Fatalf("existing dir changed owner: %d %v", st.Uid, err)
	}
	if err := os.WriteFile(filepath.Join(dir, "file"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := EnsureDir(filepath.Join(dir, "file", "sub"), owner); !errors.Is(err, ErrNotDirectory) {
		t.Fatalf("under a file: %v", err)
	}
}

func TestWriteFile(t *testing.T) {
	requireRoot(t)
	dir := t.TempDir()
	target := filepath.Join(dir, "sub", "out.txt")
	fill := func(s string) func(*os.File) error {
		return func(f *os.File) error { _, err := f.WriteString(s); return err }
	}
	if err := WriteFile(target, Owner{UID: nobody, GID: nobody}, map[string]string{"k": "v"}, fill("first")); err != nil {
		t.Fatal(err)
	}
	e, err := Stat(target)
	if err != nil {
		t.Fatal(err)
	}
	if e.GetOwner() != "nobody" || e.GetPermissions() != "-rw-r--r--" || e.GetMetadata()["k"] != "v" {
		t.Fatalf("entry = %v", e)
	}
	// A failing fill leaves the old content and no temporary file.
	boom := errors.New("boom")
	err = WriteFile(target, Owner{}, nil, func(f *os.File) error {
		_, _ = f.WriteString("partial")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	if b, _ := os.ReadFile(target); string(b) != "first" {
		t.Fatalf("content = %q", b)
	}
	assertNoTemp(t, filepath.Dir(target))
	// Overwrite keeps permission bits; writing through a symlink keeps the link.
	if err := os.Chmod(target, 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(link, Owner{}, nil, fill("second")); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(target); string(b) != "second" {
		t.Fatalf("content = %q", b)
	}
	if fi, _ := os.Lstat(link); fi.Mode()&os.ModeSymlink == 0 {
		t.Fatal("symlink replaced")
	}
	if fi, _ := os.Stat(target); fi.Mode().Perm() != 0o600 {
		t.Fatalf("perm = %v", fi.Mode().Perm())
	}
	if !RecentlyWritten(target) || RecentlyWritten(link) {
		t.Fatal("commit not remembered by real path")
	}
	if err := WriteFile(dir, Owner{}, nil, fill("x")); !errors.Is(err, ErrIsDirectory) {
		t.Fatalf("directory target: %v", err)
	}
}

// requireRoot skips tests that give files to other users.
func requireRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to chown")
	}
}

func assertNoTemp(t *testing.T, dir string) {
	t.Helper()
	des, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, de := range des {
		if strings.HasPrefix(de.Name(), TempPrefix) {
			t.Fatalf("temporary file left: %s", de.Name())
		}
	}
}

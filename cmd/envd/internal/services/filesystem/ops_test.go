package filesystem

import (
	"os"
	"path/filepath"
	"testing"

	"connectrpc.com/connect"

	pb "github.com/wrenn-dev/wrenn/cmd/envd/internal/gen/filesystem"
)

func TestStat(t *testing.T) {
	h := newHarness(t)
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "a.txt")
	writeFile(t, file, "hello")
	if err := os.Symlink(file, filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(dir, "gone"), filepath.Join(dir, "dangling")); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		path     string
		typ      pb.FileType
		perms    string
		size     int64
		symlink  string
		wantCode connect.Code
	}{
		{name: "file", path: file, typ: pb.FileType_FILE_TYPE_FILE, perms: "-rw-r--r--", size: 5},
		{name: "dir", path: dir, typ: pb.FileType_FILE_TYPE_DIRECTORY, perms: "drwxr-xr-x"},
		{name: "symlink reports target", path: filepath.Join(dir, "link"), typ: pb.FileType_FILE_TYPE_FILE,
			perms: "Lrwxrwxrwx", symlink: file},
		{name: "dangling symlink", path: filepath.Join(dir, "dangling"), typ: pb.FileType_FILE_TYPE_SYMLINK,
			perms: "Lrwxrwxrwx", symlink: filepath.Join(dir, "gone")},
		{name: "missing", path: filepath.Join(dir, "nope"), wantCode: connect.CodeNotFound},
		{name: "empty path", path: "", wantCode: connect.CodeInvalidArgument},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := h.client.Stat(bg(), as("root", &pb.StatRequest{Path: tt.path}))
			if tt.wantCode != 0 {
				wantCode(t, err, tt.wantCode)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			e := res.Msg.GetEntry()
			if e.GetType() != tt.typ || e.GetPermissions() != tt.perms || e.GetPath() != tt.path ||
				e.GetName() != filepath.Base(tt.path) || e.GetOwner() != "root" || e.GetGroup() != "root" {
				t.Fatalf("entry = %v", e)
			}
			if tt.size != 0 && e.GetSize() != tt.size {
				t.Fatalf("size = %d, want %d", e.GetSize(), tt.size)
			}
			if e.GetSymlinkTarget() != tt.symlink {
				t.Fatalf("symlink_target = %q, want %q", e.GetSymlinkTarget(), tt.symlink)
			}
			if e.GetModifiedTime() == nil {
				t.Fatal("no modified_time")
			}
		})
	}
}

func TestUserSelection(t *testing.T) {
	h := newHarness(t)
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "f"), "x")
	h.defaults.SetWorkdir(dir)

	// Relative paths resolve against the default workdir.
	res, err := h.client.Stat(bg(), as("", &pb.StatRequest{Path: "f"}))
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Msg.GetEntry().GetPath(); got != filepath.Join(dir, "f") {
		t.Fatalf("path = %q", got)
	}
	// "~" is the acting user's home.
	res, err = h.client.Stat(bg(), as("root", &pb.StatRequest{Path: "~"}))
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Msg.GetEntry().GetPath(); got != "/root" {
		t.Fatalf("~ = %q", got)
	}
	_, err = h.client.Stat(bg(), as("no-such-user-xyz", &pb.StatRequest{Path: dir}))
	wantCode(t, err, connect.CodeUnauthenticated)

	h.defaults.SetUser("")
	_, err = h.client.Stat(bg(), as("", &pb.StatRequest{Path: dir}))
	wantCode(t, err, connect.CodeUnauthenticated)
	if err.(*connect.Error).Message() != "no user specified" {
		t.Fatalf("message = %q", err.(*connect.Error).Message())
	}
}

func TestListDir(t *testing.T) {
	h := newHarness(t)
	dir := t.TempDir()
	for _, d := range []string{"a/b/c", "z"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	writeFile(t, filepath.Join(dir, "f.txt"), "1")
	writeFile(t, filepath.Join(dir, "a", "g.txt"), "2")
	writeFile(t, filepath.Join(dir, "a/b/c", "deep.txt"), "3")
	// A symlink back up the tree: listed, never descended into.
	if err := os.Symlink(dir, filepath.Join(dir, "a", "loop")); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		path  string
		depth uint32
		want  []string
		code  connect.Code
	}{
		{name: "depth 0 means 1", depth: 0, path: dir, want: []string{"a", "f.txt", "z"}},
		{name: "depth 1", depth: 1, path: dir, want: []string{"a", "f.txt", "z"}},
		{name: "depth 2", depth: 2, path: dir,
			want: []string{"a", "a/b", "a/g.txt", "a/loop", "f.txt", "z"}},
		{name: "depth 10", depth: 10, path: dir,
			want: []string{"a", "a/b", "a/b/c", "a/b/c/deep.txt", "a/g.txt", "a/loop", "f.txt", "z"}},
		{name: "through symlinked dir", depth: 1, path: filepath.Join(dir, "a", "loop"),
			want: []string{"a", "f.txt", "z"}},
		{name: "file", path: filepath.Join(dir, "f.txt"), code: connect.CodeInvalidArgument},
		{name: "missing", path: filepath.Join(dir, "nope"), code: connect.CodeNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := h.client.ListDir(bg(), as("root", &pb.ListDirRequest{Path: tt.path, Depth: tt.depth}))
			if tt.code != 0 {
				wantCode(t, err, tt.code)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range res.Msg.GetEntries() {
				if !filepath.IsAbs(e.GetPath()) {
					t.Fatalf("relative path %q", e.GetPath())
				}
				rel, _ := filepath.Rel(tt.path, e.GetPath())
				got = append(got, rel)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("entries = %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("entries = %v, want %v", got, tt.want)
				}
			}
		})
	}
}

func TestMakeDir(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to chown")
	}
	h := newHarness(t)
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "file"), "x")
	target := filepath.Join(dir, "x", "y", "z")
	res, err := h.client.MakeDir(bg(), as("nobody", &pb.MakeDirRequest{Path: target}))
	if err != nil {
		t.Fatal(err)
	}
	e := res.Msg.GetEntry()
	if e.GetType() != pb.FileType_FILE_TYPE_DIRECTORY || e.GetPath() != target || e.GetOwner() != "nobody" {
		t.Fatalf("entry = %v", e)
	}
	// Parents created on the way belong to the user too.
	st, err := h.client.Stat(bg(), as("root", &pb.StatRequest{Path: filepath.Join(dir, "x")}))
	if err != nil || st.Msg.GetEntry().GetOwner() != "nobody" {
		t.Fatalf("parent = %v, %v", st, err)
	}
	_, err = h.client.MakeDir(bg(), as("root", &pb.MakeDirRequest{Path: target}))
	wantCode(t, err, connect.CodeAlreadyExists)
	_, err = h.client.MakeDir(bg(), as("root", &pb.MakeDirRequest{Path: filepath.Join(dir, "file")}))
	wantCode(t, err, connect.CodeInvalidArgument)
}

func TestMove(t *testing.T) {
	h := newHarness(t)
	dir := t.TempDir()
	src := filepath.Join(dir, "src.txt")
	writeFile(t, src, "data")
	dst := filepath.Join(dir, "new", "parent", "dst.txt")
	res, err := h.client.Move(bg(), as("root", &pb.MoveRequest{Source: src, Destination: dst}))
	if err != nil {
		t.Fatal(err)
	}
	if e := res.Msg.GetEntry(); e.GetPath() != dst || e.GetName() != "dst.txt" || e.GetSize() != 4 {
		t.Fatalf("entry = %v", e)
	}
	if _, err := os.Stat(src); !os.IsNotExist(err) {
		t.Fatalf("source still there: %v", err)
	}
	_, err = h.client.Move(bg(), as("root", &pb.MoveRequest{Source: src, Destination: dst}))
	wantCode(t, err, connect.CodeNotFound)
}

func TestRemove(t *testing.T) {
	h := newHarness(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "f")
	writeFile(t, file, "x")
	tree := filepath.Join(dir, "tree")
	if err := os.MkdirAll(filepath.Join(tree, "a", "b"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(tree, "a", "b", "c"), "x")
	for _, p := range []string{file, tree} {
		if _, err := h.client.Remove(bg(), as("root", &pb.RemoveRequest{Path: p})); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Lstat(p); !os.IsNotExist(err) {
			t.Fatalf("%s still exists", p)
		}
	}
	_, err := h.client.Remove(bg(), as("root", &pb.RemoveRequest{Path: file}))
	wantCode(t, err, connect.CodeNotFound)
}

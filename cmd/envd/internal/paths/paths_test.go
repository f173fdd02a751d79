package paths

import (
	"errors"
	"testing"
)

func TestResolve(t *testing.T) {
	tests := []struct {
		name, p, home, workdir, want string
		err                          error
	}{
		{"absolute", "/etc/../etc/hosts", "/home/user", "", "/etc/hosts", nil},
		{"relative from home", "a/b.txt", "/home/user", "", "/home/user/a/b.txt", nil},
		{"relative from workdir", "a", "/home/user", "/work", "/work/a", nil},
		{"tilde", "~", "/home/user", "/work", "/home/user", nil},
		{"tilde slash", "~/x/../y", "/home/user", "", "/home/user/y", nil},
		{"dot", ".", "/root", "", "/root", nil},
		{"no home", "x", "", "", "/x", nil},
		{"empty", "", "/root", "", "", ErrInvalidPath},
		{"other user tilde", "~bob/x", "/root", "", "", ErrInvalidPath},
		{"nul", "a\x00b", "/root", "", "", ErrInvalidPath},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Resolve(tc.p, tc.home, tc.workdir)
			if !errors.Is(err, tc.err) {
				t.Fatalf("err = %v, want %v", err, tc.err)
			}
			if got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}

package users

import (
	"errors"
	"testing"
)

func TestLookup(t *testing.T) {
	tests := []struct {
		name    string
		uid     uint32
		home    string
		wantErr error
	}{
		{"root", 0, "/root", nil},
		{"nobody", 65534, "/nonexistent", nil},
		{"no-such-user-wrenn", 0, "", ErrUnknownUser},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u, err := Lookup(tc.name)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if err != nil {
				return
			}
			if u.UID != tc.uid || u.Home != tc.home || u.Name != tc.name {
				t.Fatalf("got %+v", u)
			}
		})
	}
}

package initsys

import "testing"

func TestHostsWithHostname(t *testing.T) {
	tests := []struct{ name, in, host, want string }{
		{"replaces the entry", "127.0.0.1\tlocalhost\n127.0.1.1\tsandbox\n::1\tlocalhost\n", "sb-1",
			"127.0.0.1\tlocalhost\n127.0.1.1\tsb-1\n::1\tlocalhost\n"},
		{"appends when missing", "127.0.0.1 localhost", "sb-2", "127.0.0.1 localhost\n127.0.1.1\tsb-2\n"},
		{"empty file", "", "sb-3", "127.0.1.1\tsb-3\n"},
		{"drops duplicate entries", "127.0.1.1 a\n127.0.1.1 b\n", "c", "127.0.1.1\tc\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := HostsWithHostname(tc.in, tc.host); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}

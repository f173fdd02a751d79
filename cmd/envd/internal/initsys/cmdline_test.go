package initsys

import (
	"reflect"
	"testing"
)

func TestParseCmdline(t *testing.T) {
	tests := []struct {
		name, in string
		want     Params
	}{
		{"defaults", "console=ttyS0 quiet", Params{Iface: "eth0", Hostname: "sandbox"}},
		{"all", "console=ttyS0 wrenn.ip=10.0.0.2/30 wrenn.gw=10.0.0.1 wrenn.iface=eth1 wrenn.mtu=1400 wrenn.dns=1.1.1.1,9.9.9.9 wrenn.hostname=sb-1",
			Params{IP: "10.0.0.2/30", Gateway: "10.0.0.1", Iface: "eth1", MTU: "1400", Hostname: "sb-1", DNS: []string{"1.1.1.1", "9.9.9.9"}}},
		{"empty values ignored", "wrenn.ip= wrenn.hostname=", Params{Iface: "eth0", Hostname: "sandbox"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := ParseCmdline(tc.in); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

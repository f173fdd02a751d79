// Package initsys does what an init must when envd is the guest's PID 1: mount the
// kernel filesystems, set the hostname, bring up the network from kernel
// command-line parameters, reap zombies and power off on SIGTERM.
//
// Kernel command-line parameters (all optional):
//
//	wrenn.ip=10.0.0.2/30     guest address of wrenn.iface, with prefix length
//	wrenn.gw=10.0.0.1        default gateway
//	wrenn.iface=eth0         interface to configure (default eth0)
//	wrenn.mtu=1500           interface MTU
//	wrenn.dns=1.1.1.1,9.9.9.9  nameservers written to /etc/resolv.conf
//	wrenn.hostname=sandbox   hostname (default "sandbox")
package initsys

import (
	"strings"
)

// Params are the wrenn.* kernel command-line parameters.
type Params struct {
	IP, Gateway, Iface, MTU, Hostname string
	DNS                               []string
}

// ParseCmdline extracts Params from /proc/cmdline's text.
func ParseCmdline(cmdline string) Params {
	p := Params{Iface: "eth0", Hostname: "sandbox"}
	for _, f := range strings.Fields(cmdline) {
		k, v, ok := strings.Cut(f, "=")
		if !ok || v == "" {
			continue
		}
		switch k {
		case "wrenn.ip":
			p.IP = v
		case "wrenn.gw":
			p.Gateway = v
		case "wrenn.iface":
			p.Iface = v
		case "wrenn.mtu":
			p.MTU = v
		case "wrenn.hostname":
			p.Hostname = v
		case "wrenn.dns":
			p.DNS = strings.Split(v, ",")
		}
	}
	return p
}

package initsys

import (
	"fmt"
	"net"
	"strconv"

	"github.com/vishvananda/netlink"
)

// setupNetwork brings lo up and configures p.Iface from the wrenn.* parameters.
func setupNetwork(p Params) error {
	lo, err := netlink.LinkByName("lo")
	if err == nil {
		_ = netlink.LinkSetUp(lo)
	}
	if p.IP == "" {
		return nil
	}
	link, err := netlink.LinkByName(p.Iface)
	if err != nil {
		return fmt.Errorf("interface %s: %w", p.Iface, err)
	}
	addr, err := netlink.ParseAddr(p.IP)
	if err != nil {
		return fmt.Errorf("wrenn.ip %q: %w", p.IP, err)
	}
	if err := netlink.AddrReplace(link, addr); err != nil {
		return fmt.Errorf("address %s: %w", p.IP, err)
	}
	if p.MTU != "" {
		if mtu, err := strconv.Atoi(p.MTU); err == nil {
			_ = netlink.LinkSetMTU(link, mtu)
		}
	}
	if err := netlink.LinkSetUp(link); err != nil {
		return fmt.Errorf("link up %s: %w", p.Iface, err)
	}
	if p.Gateway != "" {
		gw := net.ParseIP(p.Gateway)
		if gw == nil {
			return fmt.Errorf("wrenn.gw %q is not an IP", p.Gateway)
		}
		if err := netlink.RouteReplace(&netlink.Route{LinkIndex: link.Attrs().Index, Gw: gw}); err != nil {
			return fmt.Errorf("default route via %s: %w", p.Gateway, err)
		}
	}
	return nil
}

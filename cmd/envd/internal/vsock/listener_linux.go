// Package vsock serves envd on an AF_VSOCK port (Firecracker's guest side of hybrid vsock).
package vsock

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"time"

	"golang.org/x/sys/unix"
)

// Addr is a vsock address.
type Addr struct{ CID, Port uint32 }

// Network implements net.Addr.
func (a Addr) Network() string { return "vsock" }

// String implements net.Addr.
func (a Addr) String() string {
	return strconv.FormatUint(uint64(a.CID), 10) + ":" + strconv.FormatUint(uint64(a.Port), 10)
}

type listener struct {
	f    *os.File
	addr Addr
}

// Listen opens a vsock listener on port for any CID.
func Listen(port uint32) (net.Listener, error) {
	fd, err := unix.Socket(unix.AF_VSOCK, unix.SOCK_STREAM|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, 0)
	if err != nil {
		return nil, fmt.Errorf("vsock socket: %w", err)
	}
	if err := unix.Bind(fd, &unix.SockaddrVM{CID: unix.VMADDR_CID_ANY, Port: port}); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("vsock bind port %d: %w", port, err)
	}
	if err := unix.Listen(fd, 128); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("vsock listen: %w", err)
	}
	return &listener{f: os.NewFile(uintptr(fd), "vsock-listener"), addr: Addr{unix.VMADDR_CID_ANY, port}}, nil
}

// Accept waits on the runtime poller, so Close unblocks it.
func (l *listener) Accept() (net.Conn, error) {
	rc, err := l.f.SyscallConn()
	if err != nil {
		return nil, err
	}
	var nfd int
	var sa unix.Sockaddr
	var aerr error
	err = rc.Read(func(fd uintptr) bool {
		nfd, sa, aerr = unix.Accept4(int(fd), unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK)
		return !errors.Is(aerr, unix.EAGAIN)
	})
	if err != nil {
		return nil, err
	}
	if aerr != nil {
		return nil, fmt.Errorf("vsock accept: %w", aerr)
	}
	remote := Addr{}
	if vm, ok := sa.(*unix.SockaddrVM); ok {
		remote = Addr{vm.CID, vm.Port}
	}
	return &conn{File: os.NewFile(uintptr(nfd), "vsock-conn"), local: l.addr, remote: remote}, nil
}

func (l *listener) Close() error   { return l.f.Close() }
func (l *listener) Addr() net.Addr { return l.addr }

// conn is an accepted vsock stream; os.File gives it poller-backed I/O and deadlines.
type conn struct {
	*os.File
	local, remote Addr
}

func (c *conn) LocalAddr() net.Addr                { return c.local }
func (c *conn) RemoteAddr() net.Addr               { return c.remote }
func (c *conn) SetDeadline(t time.Time) error      { return c.File.SetDeadline(t) }
func (c *conn) SetReadDeadline(t time.Time) error  { return c.File.SetReadDeadline(t) }
func (c *conn) SetWriteDeadline(t time.Time) error { return c.File.SetWriteDeadline(t) }

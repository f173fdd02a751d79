//go:build !linux

package vsock

import (
	"errors"
	"net"
)

// Listen is unavailable off Linux.
func Listen(port uint32) (net.Listener, error) {
	return nil, errors.New("vsock is only supported on Linux")
}

package api

import (
	"errors"
	"fmt"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// applyGuest sets the guest clock (only forward, or when more than a second off:
// a stale /init must not rewind time), the hostname, and mixes in entropy.
func applyGuest(ts *time.Time, hostname *string, entropy []byte) error {
	var errs []error
	if ts != nil && !ts.IsZero() {
		if d := time.Until(*ts); d > time.Second || d < -time.Second {
			tv := unix.NsecToTimeval(ts.UnixNano())
			if err := unix.Settimeofday(&tv); err != nil {
				errs = append(errs, fmt.Errorf("set clock: %w", err))
			}
		}
	}
	if hostname != nil && *hostname != "" {
		if err := unix.Sethostname([]byte(*hostname)); err != nil {
			errs = append(errs, fmt.Errorf("set hostname: %w", err))
		} else {
			_ = os.WriteFile("/etc/hostname", []byte(*hostname+"\n"), 0o644)
		}
	}
	if len(entropy) > 0 {
		// Writing to /dev/urandom mixes the bytes into the pool, so clones restored
		// from one snapshot stop sharing RNG state.
		if err := os.WriteFile("/dev/urandom", entropy, 0); err != nil {
			errs = append(errs, fmt.Errorf("mix entropy: %w", err))
		}
	}
	return errors.Join(errs...)
}

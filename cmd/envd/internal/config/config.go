// Package config parses envd's command line once into one typed Config.
package config

import (
	"errors"
	"flag"
	"fmt"
	"os"
)

// Version is the envd version reported to clients. E2B SDKs gate features on it
// (see shared/reference/e2b-compat.md §4); it names the highest E2B envd whose
// features this envd implements.
const Version = "0.6.4"

// DefaultPort is the TCP and vsock port envd serves on.
const DefaultPort = 49983

// Config is envd's parsed configuration.
type Config struct {
	// Listen is a TCP address ("127.0.0.1:49983"); empty disables TCP.
	Listen string
	// VsockPort is the AF_VSOCK port to listen on; 0 disables vsock.
	VsockPort uint
	// PID1 is true when envd runs as the guest's init.
	PID1 bool
	// DefaultUser is used when a request names no user and /init set none.
	DefaultUser string
	// DefaultWorkdir is the working directory of processes that ask for none.
	DefaultWorkdir string
	// ShowVersion prints the version and exits.
	ShowVersion bool
}

// ErrUsage reports bad command-line arguments.
var ErrUsage = errors.New("usage")

// Parse reads args (without the program name). Inside a VM (pid 1) envd listens on
// vsock and on all TCP addresses; elsewhere it is in debug mode and listens on TCP only.
func Parse(args []string, pid int) (*Config, error) {
	c := &Config{PID1: pid == 1}
	fs := flag.NewFlagSet("envd", flag.ContinueOnError)
	fs.SetOutput(os.Stderr)
	defListen, defVsock := "127.0.0.1:49983", uint(0)
	if c.PID1 {
		defListen, defVsock = fmt.Sprintf("0.0.0.0:%d", DefaultPort), DefaultPort
	}
	fs.StringVar(&c.Listen, "listen", defListen, "TCP address to serve on (empty: none)")
	fs.UintVar(&c.VsockPort, "vsock-port", defVsock, "AF_VSOCK port to serve on (0: none)")
	fs.StringVar(&c.DefaultUser, "default-user", "", "user for requests that name none (debug mode: the current user)")
	fs.StringVar(&c.DefaultWorkdir, "default-workdir", "", "working directory for processes that ask for none")
	fs.BoolVar(&c.ShowVersion, "version", false, "print the version and exit")
	if err := fs.Parse(args); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUsage, err)
	}
	if fs.NArg() > 0 && !c.PID1 {
		return nil, fmt.Errorf("%w: unexpected argument %q", ErrUsage, fs.Arg(0))
	}
	if c.Listen == "" && c.VsockPort == 0 {
		return nil, fmt.Errorf("%w: nothing to listen on (--listen and --vsock-port both empty)", ErrUsage)
	}
	return c, nil
}

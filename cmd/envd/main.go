// Command envd is Wrenn's guest agent: PID 1 in every sandbox VM, serving the
// E2B-compatible process and filesystem services. Outside a VM it runs in debug
// mode as an ordinary process on TCP.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/wrenn-dev/wrenn/cmd/envd/internal/config"
	"github.com/wrenn-dev/wrenn/cmd/envd/internal/initsys"
	"github.com/wrenn-dev/wrenn/cmd/envd/internal/server"
	"github.com/wrenn-dev/wrenn/cmd/envd/internal/state"
	"github.com/wrenn-dev/wrenn/cmd/envd/internal/users"
	"github.com/wrenn-dev/wrenn/cmd/envd/internal/vsock"
)

func main() {
	cfg, err := config.Parse(os.Args[1:], os.Getpid())
	if err != nil {
		fmt.Fprintln(os.Stderr, "envd:", err)
		os.Exit(2)
	}
	if cfg.ShowVersion {
		fmt.Println(config.Version)
		return
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	if err := run(cfg, log); err != nil {
		log.Error("envd failed", "err", err)
		if cfg.PID1 {
			initsys.PowerOff(log) // init must never exit: that panics the kernel
		}
		os.Exit(1)
	}
}

func run(cfg *config.Config, log *slog.Logger) error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if cfg.PID1 {
		initsys.Setup(ctx, log)
	}
	user := cfg.DefaultUser
	if user == "" && !cfg.PID1 {
		if u, err := users.Current(); err == nil {
			user = u.Name
		}
	}
	handler := server.New(server.Deps{
		Defaults: state.New(user, cfg.DefaultWorkdir), Logger: log, Version: config.Version, Guest: cfg.PID1,
	})
	srv := &http.Server{Handler: handler, Protocols: server.Protocols(), ReadHeaderTimeout: 30 * time.Second}

	var listeners []net.Listener
	if cfg.Listen != "" {
		l, err := net.Listen("tcp", cfg.Listen)
		if err != nil {
			return fmt.Errorf("listen %s: %w", cfg.Listen, err)
		}
		listeners = append(listeners, l)
	}
	if cfg.VsockPort != 0 {
		l, err := vsock.Listen(uint32(cfg.VsockPort))
		if err != nil {
			log.Warn("vsock unavailable; serving TCP only", "err", err) // e.g. QEMU without vhost-vsock
		} else {
			listeners = append(listeners, l)
		}
	}
	if len(listeners) == 0 {
		return errors.New("no listener could be opened")
	}
	errc := make(chan error, len(listeners))
	for _, l := range listeners {
		log.Info("envd serving", "addr", l.Addr().String(), "version", config.Version, "pid1", cfg.PID1)
		go func() { errc <- srv.Serve(l) }()
	}

	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case s := <-sigs:
		log.Info("signal received", "signal", s.String())
	}
	shutdownCtx, stop := context.WithTimeout(context.Background(), 2*time.Second)
	defer stop()
	_ = srv.Shutdown(shutdownCtx)
	if cfg.PID1 {
		initsys.PowerOff(log)
	}
	return nil
}

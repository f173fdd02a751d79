package initsys

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/wrenn-dev/wrenn/cmd/envd/internal/reaper"
)

type mount struct {
	src, target, fstype string
	flags               uintptr
	data                string
}

var mounts = []mount{
	{"proc", "/proc", "proc", unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC, ""},
	{"sysfs", "/sys", "sysfs", unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC, ""},
	{"devtmpfs", "/dev", "devtmpfs", unix.MS_NOSUID, "mode=0755"},
	{"devpts", "/dev/pts", "devpts", unix.MS_NOSUID | unix.MS_NOEXEC, "gid=5,mode=0620,ptmxmode=0666"},
	{"tmpfs", "/dev/shm", "tmpfs", unix.MS_NOSUID | unix.MS_NODEV, "mode=1777"},
	{"tmpfs", "/run", "tmpfs", unix.MS_NOSUID | unix.MS_NODEV, "mode=0755"},
	{"tmpfs", "/tmp", "tmpfs", unix.MS_NOSUID | unix.MS_NODEV, "mode=1777"},
	{"cgroup2", "/sys/fs/cgroup", "cgroup2", unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC, ""},
}

// Setup prepares the guest. Failures of single steps are logged, not fatal: a
// sandbox with no network is still better than a kernel panic from init exiting.
func Setup(ctx context.Context, log *slog.Logger) {
	for _, m := range mounts {
		if err := mountOnce(m); err != nil {
			log.Warn("mount", "target", m.target, "err", err)
		}
	}
	for link, target := range map[string]string{"/dev/fd": "/proc/self/fd", "/dev/stdin": "/proc/self/fd/0",
		"/dev/stdout": "/proc/self/fd/1", "/dev/stderr": "/proc/self/fd/2"} {
		_ = os.Symlink(target, link)
	}
	cmdline, _ := os.ReadFile("/proc/cmdline")
	p := ParseCmdline(string(cmdline))
	if err := unix.Sethostname([]byte(p.Hostname)); err != nil {
		log.Warn("hostname", "err", err)
	}
	_ = os.WriteFile("/etc/hostname", []byte(p.Hostname+"\n"), 0o644)
	if hosts, err := os.ReadFile("/etc/hosts"); err == nil || errors.Is(err, os.ErrNotExist) {
		_ = os.WriteFile("/etc/hosts", []byte(HostsWithHostname(string(hosts), p.Hostname)), 0o644)
	}
	if err := setupNetwork(p); err != nil {
		log.Warn("network", "err", err)
	}
	if len(p.DNS) > 0 {
		var b strings.Builder
		for _, ns := range p.DNS {
			fmt.Fprintf(&b, "nameserver %s\n", ns)
		}
		_ = os.WriteFile("/etc/resolv.conf", []byte(b.String()), 0o644)
	}
	// Ctrl-Alt-Del (Firecracker's SendCtrlAltDel) then sends SIGINT to PID 1, which
	// shuts down cleanly, instead of the kernel rebooting at once without a sync.
	if err := unix.Reboot(unix.LINUX_REBOOT_CMD_CAD_OFF); err != nil {
		log.Warn("ctrl-alt-del", "err", err)
	}
	_ = os.Setenv("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
	go reaper.Run(ctx)
}

func mountOnce(m mount) error {
	if err := os.MkdirAll(m.target, 0o755); err != nil {
		return err
	}
	err := unix.Mount(m.src, m.target, m.fstype, m.flags, m.data)
	if errors.Is(err, unix.EBUSY) {
		return nil // already mounted (e.g. /dev by the kernel or the initramfs)
	}
	return err
}

// PowerOff syncs disks, asks every process to stop, then powers the VM off.
func PowerOff(log *slog.Logger) {
	log.Info("powering off")
	unix.Sync()
	_ = unix.Kill(-1, unix.SIGTERM)
	unix.Sync()
	_ = unix.Kill(-1, unix.SIGKILL)
	unix.Sync()
	if err := unix.Reboot(unix.LINUX_REBOOT_CMD_POWER_OFF); err != nil {
		// Without ACPI power-off a reboot still ends the VMM (run with -no-reboot / reboot=k).
		_ = unix.Reboot(unix.LINUX_REBOOT_CMD_RESTART)
	}
}

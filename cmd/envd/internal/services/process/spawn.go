package process

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"sync"
	"syscall"

	"github.com/creack/pty"
	"google.golang.org/protobuf/proto"

	"github.com/wrenn-dev/wrenn/cmd/envd/internal/auth"
	rpc "github.com/wrenn-dev/wrenn/cmd/envd/internal/gen/process"
	"github.com/wrenn-dev/wrenn/cmd/envd/internal/reaper"
)

// output is one stream envd reads from a started process.
type output struct {
	r    *os.File
	wrap func([]byte) *rpc.ProcessEvent
}

// spawn starts the process a StartRequest describes, as the user the request
// headers select, and returns it with a subscriber that sees all its output.
func (s *Service) spawn(h http.Header, req *rpc.StartRequest) (*proc, *subscriber, error) {
	cfg := req.GetProcess()
	if cfg.GetCmd() == "" {
		return nil, nil, ErrNoCommand
	}
	u, err := auth.User(h, s.defaults)
	if err != nil {
		return nil, nil, err
	}
	cwd, err := workdir(cfg.Cwd, u.Home, s.defaults.Workdir())
	if err != nil {
		return nil, nil, err
	}
	env, err := environ(u, cwd, s.defaults.EnvVars(), cfg.GetEnvs(), req.Pty != nil)
	if err != nil {
		return nil, nil, err
	}
	path, err := lookPath(cfg.GetCmd(), env["PATH"], cwd)
	if err != nil {
		return nil, nil, err
	}
	cmd := &exec.Cmd{
		Path: path, Args: append([]string{cfg.GetCmd()}, cfg.GetArgs()...),
		Env: envList(env), Dir: cwd, SysProcAttr: &syscall.SysProcAttr{},
	}
	if u.NeedsSwitch() {
		cmd.SysProcAttr.Credential = &syscall.Credential{Uid: u.UID, Gid: u.GID, Groups: u.Groups}
	}
	p := &proc{tag: req.Tag, cmd: cmd, hub: newHub()}
	p.config = proto.CloneOf(cfg)
	p.config.Cwd = &cwd

	var outs []output
	var childEnds []*os.File
	if req.Pty != nil {
		outs, childEnds, err = attachPTY(p, req.GetPty().GetSize())
	} else {
		outs, childEnds, err = attachPipes(p, req.Stdin == nil || req.GetStdin())
	}
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrStart, err)
	}
	sub := p.hub.subscribe()
	err = s.register(p, func() (int, error) {
		var pid int
		err := reaper.Start(func() (int, error) {
			if err := cmd.Start(); err != nil {
				return 0, err
			}
			pid = cmd.Process.Pid
			return pid, nil
		})
		return pid, err
	})
	closeFiles(childEnds)
	if err != nil {
		for _, o := range outs {
			_ = o.r.Close()
		}
		p.closeStdin()
		if errors.Is(err, ErrTagInUse) {
			return nil, nil, err
		}
		return nil, nil, fmt.Errorf("%w %q: %w", ErrStart, cfg.GetCmd(), err)
	}
	s.log.Debug("process started", "pid", p.pid, "cmd", cfg.GetCmd(), "user", u.Name, "pty", p.pty != nil)

	var readers sync.WaitGroup
	drained := make(chan struct{})
	for _, o := range outs {
		readers.Add(1)
		go p.pump(o.r, o.wrap, readers.Done)
	}
	go func() {
		readers.Wait()
		close(drained)
	}()
	go p.wait(s, drained)
	return p, sub, nil
}

// attachPipes gives the process stdout and stderr pipes, and a stdin pipe when
// wantStdin (else stdin is /dev/null). It leads its own process group so a
// signal reaches its children too.
func attachPipes(p *proc, wantStdin bool) (outs []output, childEnds []*os.File, err error) {
	p.cmd.SysProcAttr.Setpgid = true
	defer func() {
		if err != nil {
			closeFiles(childEnds)
			for _, o := range outs {
				_ = o.r.Close()
			}
			p.closeStdin()
		}
	}()
	for _, wrap := range []func([]byte) *rpc.ProcessEvent{stdoutEvent, stderrEvent} {
		r, w, err := os.Pipe()
		if err != nil {
			return outs, childEnds, err
		}
		outs, childEnds = append(outs, output{r, wrap}), append(childEnds, w)
	}
	p.cmd.Stdout, p.cmd.Stderr = childEnds[0], childEnds[1]
	if wantStdin {
		r, w, err := os.Pipe()
		if err != nil {
			return outs, childEnds, err
		}
		p.stdin, p.cmd.Stdin = w, r
		childEnds = append(childEnds, r)
	}
	return outs, childEnds, nil
}

// attachPTY makes a pseudo-terminal the process's stdin, stdout and stderr and
// its controlling terminal, in a new session (so it leads its own group).
func attachPTY(p *proc, size *rpc.PTY_Size) ([]output, []*os.File, error) {
	ptmx, tty, err := pty.Open()
	if err != nil {
		return nil, nil, fmt.Errorf("open PTY: %w", err)
	}
	if size.GetCols() > 0 && size.GetRows() > 0 {
		ws := &pty.Winsize{Cols: uint16(min(size.GetCols(), 0xffff)), Rows: uint16(min(size.GetRows(), 0xffff))}
		if err := pty.Setsize(ptmx, ws); err != nil {
			_, _ = ptmx.Close(), tty.Close()
			return nil, nil, fmt.Errorf("size PTY: %w", err)
		}
	}
	p.pty = ptmx
	p.cmd.Stdin, p.cmd.Stdout, p.cmd.Stderr = tty, tty, tty
	p.cmd.SysProcAttr.Setsid = true
	p.cmd.SysProcAttr.Setctty = true // Ctty 0: the child's stdin
	return []output{{ptmx, ptyEvent}}, []*os.File{tty}, nil
}

func closeFiles(fs []*os.File) {
	for _, f := range fs {
		_ = f.Close()
	}
}

func stdoutEvent(b []byte) *rpc.ProcessEvent {
	return dataEvent(&rpc.ProcessEvent_DataEvent{Output: &rpc.ProcessEvent_DataEvent_Stdout{Stdout: b}})
}

func stderrEvent(b []byte) *rpc.ProcessEvent {
	return dataEvent(&rpc.ProcessEvent_DataEvent{Output: &rpc.ProcessEvent_DataEvent_Stderr{Stderr: b}})
}

func ptyEvent(b []byte) *rpc.ProcessEvent {
	return dataEvent(&rpc.ProcessEvent_DataEvent{Output: &rpc.ProcessEvent_DataEvent_Pty{Pty: b}})
}

func dataEvent(d *rpc.ProcessEvent_DataEvent) *rpc.ProcessEvent {
	return &rpc.ProcessEvent{Event: &rpc.ProcessEvent_Data{Data: d}}
}

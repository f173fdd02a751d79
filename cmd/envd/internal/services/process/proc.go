package process

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/creack/pty"

	rpc "github.com/wrenn-dev/wrenn/cmd/envd/internal/gen/process"
	"github.com/wrenn-dev/wrenn/cmd/envd/internal/reaper"
)

const (
	// readChunk batches output: one data event carries up to this many bytes.
	readChunk = 32 << 10
	// drainTimeout caps how long end waits for the output pipes after the process
	// exited: a backgrounded grandchild (`sleep 100 &`) may hold them open forever.
	drainTimeout = 2 * time.Second
)

// proc is one process started by envd, from start until its end event.
type proc struct {
	pid    int
	tag    *string
	config *rpc.ProcessConfig // as listed by List
	cmd    *exec.Cmd
	hub    *hub
	pty    *os.File // the PTY master; nil without a PTY

	inputMu     sync.Mutex // keeps concurrent inputs from interleaving
	stdin       *os.File   // write end of the stdin pipe; nil without one
	stdinClosed atomic.Bool

	mu     sync.Mutex
	exited bool // the leader exited; its pid may be reused once reaped, so stop signalling
}

// pump copies one output stream to the hub until EOF. After the end event the
// hub drops what it reads, so a grandchild holding the pipe never blocks on it.
func (p *proc) pump(r *os.File, wrap func([]byte) *rpc.ProcessEvent, done func()) {
	defer done()
	defer r.Close()
	buf := make([]byte, readChunk)
	for {
		n, err := r.Read(buf)
		if n > 0 {
			p.hub.publish(buf[:n], wrap)
		}
		if err != nil { // io.EOF, or EIO from a PTY master whose slave side closed
			return
		}
	}
}

// wait reaps the process, unregisters it and publishes the end event once its
// output is drained (or drainTimeout passed).
func (p *proc) wait(s *Service, drained <-chan struct{}) {
	waitExited(p.pid)
	p.markExited()
	err := p.cmd.Wait()
	p.markExited()
	reaper.Untrack(p.pid)
	s.remove(p)
	p.closeStdin()

	timer := time.NewTimer(drainTimeout)
	select {
	case <-drained:
	case <-timer.C:
		s.log.Debug("process output still open after exit; ending without it", "pid", p.pid)
	}
	timer.Stop()
	p.hub.finish(endEvent(p.cmd.ProcessState, err))
	s.log.Debug("process ended", "pid", p.pid, "status", p.cmd.ProcessState.String())
}

func (p *proc) markExited() {
	p.mu.Lock()
	p.exited = true
	p.mu.Unlock()
}

// endEvent describes how the process ended, as E2B's envd does: the status is
// ProcessState.String() and error carries Wait's error (e.g. "exit status 1").
func endEvent(ps *os.ProcessState, err error) *rpc.ProcessEvent {
	end := &rpc.ProcessEvent_EndEvent{}
	if ps != nil {
		end.ExitCode = int32(ps.ExitCode())
		end.Exited = ps.Exited()
		end.Status = ps.String()
	}
	if err != nil {
		msg := err.Error()
		end.Error = &msg
	}
	return &rpc.ProcessEvent{Event: &rpc.ProcessEvent_End{End: end}}
}

// signal sends sig to the process group (the process leads its own group or
// session), so children die with it.
func (p *proc) signal(sig syscall.Signal) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.exited {
		return fmt.Errorf("%w: pid %d exited", ErrNotFound, p.pid)
	}
	err := syscall.Kill(-p.pid, sig)
	if errors.Is(err, syscall.ESRCH) { // it left its group: signal it alone
		err = syscall.Kill(p.pid, sig)
	}
	if err != nil {
		return fmt.Errorf("signal pid %d: %w", p.pid, err)
	}
	return nil
}

// write sends input to the process's stdin pipe or PTY. It gives up when ctx
// ends, so a process that never reads cannot pin the RPC forever.
func (p *proc) write(ctx context.Context, in *rpc.ProcessInput) error {
	var f *os.File
	switch in.GetInput().(type) {
	case *rpc.ProcessInput_Pty:
		if p.pty == nil {
			return ErrNoPTY
		}
		f = p.pty
	case *rpc.ProcessInput_Stdin:
		f = p.pty // stdin input to a PTY process goes to the terminal
		if f == nil {
			if p.stdin == nil || p.stdinClosed.Load() {
				return ErrStdinClosed
			}
			f = p.stdin
		}
	default:
		return fmt.Errorf("%w: input must carry stdin or pty bytes", ErrBadInput)
	}
	data := in.GetStdin()
	if data == nil {
		data = in.GetPty()
	}
	p.inputMu.Lock()
	defer p.inputMu.Unlock()
	return writeCtx(ctx, f, data)
}

// writeCtx writes data to a pollable file, unblocking the write when ctx ends.
func writeCtx(ctx context.Context, f *os.File, data []byte) error {
	_ = f.SetWriteDeadline(time.Time{})
	fired := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		_ = f.SetWriteDeadline(time.Now())
		close(fired)
	})
	_, err := f.Write(data)
	if !stop() {
		<-fired
	}
	switch {
	case err == nil:
		return nil
	case errors.Is(err, os.ErrClosed), errors.Is(err, syscall.EPIPE):
		return fmt.Errorf("%w: %w", ErrStdinClosed, err)
	case ctx.Err() != nil:
		return ctx.Err()
	}
	return fmt.Errorf("write input: %w", err)
}

// closeStdin closes the stdin pipe (EOF for the process); it is idempotent and
// also unblocks a pending write.
func (p *proc) closeStdin() {
	if p.stdin != nil && p.stdinClosed.CompareAndSwap(false, true) {
		_ = p.stdin.Close()
	}
}

// resize sets the PTY's window size (the process gets SIGWINCH).
func (p *proc) resize(size *rpc.PTY_Size) error {
	if p.pty == nil {
		return ErrNoPTY
	}
	if size.GetCols() == 0 || size.GetRows() == 0 || size.GetCols() > 0xffff || size.GetRows() > 0xffff {
		return fmt.Errorf("%w: PTY size %dx%d", ErrBadInput, size.GetCols(), size.GetRows())
	}
	if err := pty.Setsize(p.pty, &pty.Winsize{Cols: uint16(size.GetCols()), Rows: uint16(size.GetRows())}); err != nil {
		return fmt.Errorf("resize PTY of pid %d: %w", p.pid, err)
	}
	return nil
}

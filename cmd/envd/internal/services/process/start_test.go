package process_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"

	rpc "github.com/wrenn-dev/wrenn/cmd/envd/internal/gen/process"
	"github.com/wrenn-dev/wrenn/cmd/envd/internal/gen/process/processconnect"
)

func TestStartOutputAndExit(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "root", "")
	for _, tc := range []struct {
		name   string
		client processconnect.ProcessClient
	}{{"connect-json", f.json}, {"grpc-h2c", f.grpc}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := run(t, tc.client, startReq("/bin/sh", "-c", "echo out; echo err >&2; exit 3"))
			if e.pid == 0 || e.stdout.String() != "out\n" || e.stderr.String() != "err\n" {
				t.Fatalf("pid %d stdout %q stderr %q", e.pid, e.stdout.String(), e.stderr.String())
			}
			if e.end.GetExitCode() != 3 || !e.end.GetExited() || e.end.GetStatus() != "exit status 3" ||
				e.end.GetError() != "exit status 3" {
				t.Fatalf("end = %v", e.end)
			}
		})
	}
}

func TestStartSuccessHasNoError(t *testing.T) {
	t.Parallel()
	e := run(t, newFixture(t, "root", "").json, startReq("true"))
	if e.end.GetExitCode() != 0 || e.end.Error != nil || e.end.GetStatus() != "exit status 0" {
		t.Fatalf("end = %v", e.end)
	}
}

func TestNonUTF8OutputPassesThrough(t *testing.T) {
	t.Parallel()
	e := run(t, newFixture(t, "root", "").json, startReq("/bin/sh", "-c", `printf '\377\376\000abc\n'`))
	if want := []byte{0xff, 0xfe, 0x00, 'a', 'b', 'c', '\n'}; !bytes.Equal(e.stdout.Bytes(), want) {
		t.Fatalf("stdout = %q, want %q", e.stdout.Bytes(), want)
	}
}

func TestEnvAndCwd(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	const script = `echo "$FROM_INIT|$OVERRIDE|$FOO|$USER|$LOGNAME|$HOME|$PWD"; pwd`
	for _, tc := range []struct {
		name, workdir string
		cwd           *string
		wantDir       string
	}{
		{"absolute cwd", "", &dir, dir},
		{"default workdir", dir, nil, dir},
		{"relative to workdir", dir, new("sub"), filepath.Join(dir, "sub")},
		{"home without workdir", "", nil, "/root"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, "root", tc.workdir)
			f.defaults.MergeEnvVars(map[string]string{"FROM_INIT": "init", "OVERRIDE": "init"})
			req := startReq("/bin/sh", "-c", script)
			req.Msg.Process.Envs = map[string]string{"OVERRIDE": "req", "FOO": "bar"}
			req.Msg.Process.Cwd = tc.cwd
			e := run(t, f.json, req)
			want := "init|req|bar|root|root|/root|" + tc.wantDir + "\n" + tc.wantDir + "\n"
			if e.stdout.String() != want {
				t.Fatalf("stdout = %q, want %q (stderr %q)", e.stdout.String(), want, e.stderr.String())
			}
		})
	}
}

func TestRunAsOtherUser(t *testing.T) {
	t.Parallel()
	if os.Geteuid() != 0 {
		t.Skip("needs root to switch users")
	}
	f := newFixture(t, "root", "")
	req := startReq("/bin/sh", "-c", `echo "$(id -un) $(id -u) $USER $HOME"; pwd`)
	asUser(req, "nobody")
	e := run(t, f.json, req)
	if got := e.stdout.String(); !strings.HasPrefix(got, "nobody 65534 nobody ") || !strings.HasSuffix(got, "\n/\n") {
		t.Fatalf("stdout = %q (stderr %q)", got, e.stderr.String())
	}
}

func TestStartErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name        string
		defaultUser string
		user        string
		req         *rpc.StartRequest
		code        connect.Code
		msg         string
	}{
		{"unknown user", "root", "no-such-user", &rpc.StartRequest{Process: &rpc.ProcessConfig{Cmd: "true"}},
			connect.CodeInvalidArgument, "unknown user"},
		{"no user", "", "", &rpc.StartRequest{Process: &rpc.ProcessConfig{Cmd: "true"}},
			connect.CodeUnauthenticated, "no user specified"},
		{"missing cwd", "root", "", &rpc.StartRequest{Process: &rpc.ProcessConfig{Cmd: "true", Cwd: new("/does/not/exist")}},
			connect.CodeInvalidArgument, "invalid working directory"},
		{"empty cmd", "root", "", &rpc.StartRequest{Process: &rpc.ProcessConfig{}},
			connect.CodeInvalidArgument, "cmd is required"},
		{"unknown cmd", "root", "", &rpc.StartRequest{Process: &rpc.ProcessConfig{Cmd: "no-such-binary-xyz"}},
			connect.CodeInvalidArgument, "executable not found"},
		{"bad env", "root", "", &rpc.StartRequest{Process: &rpc.ProcessConfig{Cmd: "true", Envs: map[string]string{"A=B": "c"}}},
			connect.CodeInvalidArgument, "invalid input"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, tc.defaultUser, "")
			req := connect.NewRequest(tc.req)
			if tc.user != "" {
				asUser(req, tc.user)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			s, err := f.json.Start(ctx, req)
			if err == nil {
				for s.Receive() {
					t.Fatalf("unexpected event %v", s.Msg())
				}
				err = s.Err()
			}
			wantCode(t, err, tc.code)
			if !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("error %q does not mention %q", err, tc.msg)
			}
		})
	}
}

func TestKeepalive(t *testing.T) {
	t.Parallel()
	req := startReq("sleep", "2.6")
	req.Header().Set("Keepalive-Ping-Interval", "1")
	e := run(t, newFixture(t, "root", "").json, req)
	if e.keepalives < 2 {
		t.Fatalf("got %d keepalives in 2.6 s with a 1 s interval", e.keepalives)
	}
}

func TestEndDoesNotWaitForGrandchildren(t *testing.T) {
	t.Parallel()
	begin := time.Now()
	e := run(t, newFixture(t, "root", "").json, startReq("/bin/sh", "-c", "sleep 30 & echo $!"))
	if took := time.Since(begin); took > 6*time.Second {
		t.Fatalf("end took %v although the shell exited at once", took)
	}
	if e.stdout.Len() == 0 || e.end.GetExitCode() != 0 {
		t.Fatalf("stdout %q end %v", e.stdout.String(), e.end)
	}
	killPID(t, strings.TrimSpace(e.stdout.String()))
}

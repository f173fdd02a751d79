package process

import (
	"bufio"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/wrenn-dev/wrenn/cmd/envd/internal/paths"
	"github.com/wrenn-dev/wrenn/cmd/envd/internal/users"
)

// fallbackPath is PATH when envd itself has none (as PID 1).
const fallbackPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// environ builds a process's environment: a login-like base for u, then the
// /init env vars, then the request's own, each layer overriding the last.
func environ(u *users.User, cwd string, defaults, request map[string]string, withPTY bool) (map[string]string, error) {
	path := os.Getenv("PATH")
	if path == "" {
		path = fallbackPath
	}
	env := map[string]string{
		"PATH": path, "HOME": u.Home, "USER": u.Name, "LOGNAME": u.Name,
		"SHELL": loginShell(u.Name), "PWD": cwd,
	}
	if withPTY {
		env["TERM"] = "xterm-256color"
	}
	maps.Copy(env, defaults)
	maps.Copy(env, request)
	for k, v := range env {
		if k == "" || strings.ContainsAny(k, "=\x00") || strings.ContainsRune(v, 0) {
			return nil, fmt.Errorf("%w: env var %q", ErrBadInput, k)
		}
	}
	return env, nil
}

// envList renders env as sorted KEY=value entries for exec.
func envList(env map[string]string) []string {
	list := make([]string, 0, len(env))
	for _, k := range slices.Sorted(maps.Keys(env)) {
		list = append(list, k+"="+env[k])
	}
	return list
}

// loginShell is name's shell from /etc/passwd, or /bin/sh.
func loginShell(name string) string {
	f, err := os.Open("/etc/passwd")
	if err != nil {
		return "/bin/sh"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Split(sc.Text(), ":")
		if len(fields) == 7 && fields[0] == name && fields[6] != "" {
			return fields[6]
		}
	}
	return "/bin/sh"
}

// lookPath finds cmd the way a shell would, but in the process's PATH (not
// envd's); a cmd with a slash is taken relative to cwd.
func lookPath(cmd, path, cwd string) (string, error) {
	if strings.Contains(cmd, "/") {
		p := cmd
		if !filepath.IsAbs(p) {
			p = filepath.Join(cwd, p)
		}
		if isExecutable(p) {
			return p, nil
		}
		return "", fmt.Errorf("%w: %q is not an executable file", ErrExecNotFound, cmd)
	}
	for _, dir := range filepath.SplitList(path) {
		if !filepath.IsAbs(dir) {
			dir = filepath.Join(cwd, dir)
		}
		if p := filepath.Join(dir, cmd); isExecutable(p) {
			return p, nil
		}
	}
	return "", fmt.Errorf("%w: %q not found in PATH %q", ErrExecNotFound, cmd, path)
}

func isExecutable(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular() && st.Mode().Perm()&0o111 != 0
}

// workdir resolves the requested cwd; with none it is the default workdir, else
// the user's home, else "/" (e.g. nobody's home does not exist).
func workdir(requested *string, home, defaultWorkdir string) (string, error) {
	if requested == nil || *requested == "" {
		for _, d := range []string{defaultWorkdir, home} {
			if st, err := os.Stat(d); d != "" && err == nil && st.IsDir() {
				return d, nil
			}
		}
		return "/", nil
	}
	dir, err := paths.Resolve(*requested, home, defaultWorkdir)
	if err != nil {
		return "", err
	}
	st, err := os.Stat(dir)
	if err != nil {
		return "", fmt.Errorf("%w: %q: %w", ErrBadCwd, dir, err)
	}
	if !st.IsDir() {
		return "", fmt.Errorf("%w: %q is not a directory", ErrBadCwd, dir)
	}
	return dir, nil
}

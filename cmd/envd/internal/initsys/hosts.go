package initsys

import "strings"

// HostsWithHostname returns /etc/hosts text whose 127.0.1.1 line names hostname,
// so tools that resolve their own host name (sudo, for one) work after envd set
// the name from wrenn.hostname. Other lines are kept as they are.
func HostsWithHostname(hosts, hostname string) string {
	entry := "127.0.1.1\t" + hostname
	var b strings.Builder
	found := false
	for _, line := range strings.SplitAfter(hosts, "\n") {
		if line == "" {
			continue
		}
		if f := strings.Fields(line); len(f) > 0 && f[0] == "127.0.1.1" {
			if !found {
				b.WriteString(entry + "\n")
			}
			found = true
			continue
		}
		b.WriteString(line)
		if !strings.HasSuffix(line, "\n") {
			b.WriteString("\n")
		}
	}
	if !found {
		b.WriteString(entry + "\n")
	}
	return b.String()
}

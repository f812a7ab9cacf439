package ssh

import (
	"fmt"
	"strings"
)

// builtin is a probe: a command line, run with the C locale so the output
// is the same everywhere, and a parser of its result into placeholders.
type builtin struct {
	command func(c *checker) string
	parse   func(c *checker, r result, values map[string]any) error
}

var builtins = map[string]*builtin{
	"disk": {
		command: func(*checker) string { return "env LC_ALL=C df -P -k" },
		parse: func(_ *checker, r result, values map[string]any) error {
			disks, err := parseDF(r.stdout)
			if err != nil {
				return withStderr(err, r)
			}
			// df exits 1 when one mount is unreadable but still reports the rest.
			setDisks(disks, values)
			return nil
		},
	},
	"memory": {
		command: func(*checker) string { return "cat /proc/meminfo" },
		parse: func(_ *checker, r result, values map[string]any) error {
			if r.exit != 0 {
				return withStderr(fmt.Errorf("读取 /proc/meminfo 失败（退出码 %d）", r.exit), r)
			}
			return parseMeminfo(r.stdout, values)
		},
	},
	"load": {
		command: func(*checker) string {
			return "cat /proc/loadavg && (nproc 2>/dev/null || getconf _NPROCESSORS_ONLN)"
		},
		parse: func(_ *checker, r result, values map[string]any) error {
			if r.exit != 0 {
				return withStderr(fmt.Errorf("读取 /proc/loadavg 或 CPU 核数失败（退出码 %d）", r.exit), r)
			}
			return parseLoad(r.stdout, values)
		},
	},
	"service": {
		// The unit name is validated in New, so it needs no quoting.
		command: func(c *checker) string { return "systemctl is-active " + c.service },
		parse: func(c *checker, r result, values map[string]any) error {
			// is-active prints the state and exits 0 only when active; with
			// nothing printed, systemctl itself failed (no systemd, no bus).
			state, _, _ := strings.Cut(r.stdout, "\n")
			state = strings.TrimSpace(state)
			if state == "" {
				return withStderr(fmt.Errorf("无法查询服务 %s 的状态（systemctl 退出码 %d，无输出）；请确认主机使用 systemd 且登录用户可以运行 systemctl", c.service, r.exit), r)
			}
			values["SERVICE_STATE"] = state
			values["SERVICE_ACTIVE"] = state == "active"
			return nil
		},
	},
}

// withStderr appends the first line of the command's stderr, which
// usually says what went wrong.
func withStderr(err error, r result) error {
	line, _, _ := strings.Cut(r.stderr, "\n")
	if line = strings.TrimSpace(line); line == "" {
		return err
	}
	if len(line) > 300 {
		line = strings.ToValidUTF8(line[:300], "") + "…"
	}
	return fmt.Errorf("%w：%s", err, line)
}

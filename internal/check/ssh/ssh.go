package ssh

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"time"

	"github.com/opsbook/opsbook/internal/check"
	"github.com/opsbook/opsbook/internal/check/ssh/sshconn"
)

func init() {
	check.Register(check.Type{
		Name:  "ssh",
		Label: "SSH 主机检查",
		Placeholders: []string{
			"CONNECTED", "RESPONSE_TIME",
			"EXIT_CODE", "STDOUT", "STDERR",
			"MAX_USED_PCT", "MAX_USED_MOUNT", "DISKS",
			"MEM_USED_PCT", "SWAP_USED_PCT", "MEM_TOTAL", "MEM_AVAILABLE", "SWAP_TOTAL",
			"LOAD1", "LOAD5", "LOAD15", "CPUS", "LOAD_PER_CPU",
			"SERVICE_STATE", "SERVICE_ACTIVE",
		},
		Category: "hardware",
		Step: &check.Step{
			Conditions: []string{"[EXIT_CODE] == 0"},
			Target: func(p map[string]any, _ string) string {
				return check.Str(p["user"]) + "@" + check.Str(p["address"])
			},
			Command: func(p map[string]any) string {
				if b := check.Str(p["builtin"]); b != "" {
					return "builtin: " + b
				}
				return check.Str(p["command"])
			},
			Excerpt: check.CommandOutput,
		},
		New: New,
	})
}

type checker struct {
	conn    sshconn.Config
	command string
	builtin string
	service string
}

var serviceName = regexp.MustCompile(`^[A-Za-z0-9_@.:\\][A-Za-z0-9_@.:\\-]*$`)

// New builds an ssh checker from spec, validating its parameters.
func New(spec check.Spec) (check.Checker, error) {
	p := spec.P()
	c := &checker{conn: sshconn.ReadParams(p)}
	c.command = p.String("command", false)
	c.builtin = p.String("builtin", false)
	c.service = p.String("service", false)
	switch {
	case c.command == "" && c.builtin == "":
		p.Fail("command", "需要 command（远程命令）或 builtin（%v）之一", builtinNames())
	case c.command != "" && c.builtin != "":
		p.Fail("builtin", "command 与 builtin 只能设置一个")
	case c.builtin != "" && builtins[c.builtin] == nil:
		p.Fail("builtin", "未知的内置检查 %q；可选：%v", c.builtin, builtinNames())
	case c.builtin == "service" && c.service == "":
		p.Fail("service", "builtin: service 需要 service 参数（服务单元名，例如 nginx）")
	case c.builtin == "service" && !serviceName.MatchString(c.service):
		p.Fail("service", "%q 不是合法的 systemd 单元名（只允许字母、数字和 _@.:-\\）", c.service)
	case c.service != "" && c.builtin != "service":
		p.Fail("service", "只有 builtin: service 使用 service 参数")
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	return c, nil
}

func builtinNames() []string {
	names := make([]string, 0, len(builtins))
	for n := range builtins {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Check logs in, runs the command or built-in probe, and reports.
func (c *checker) Check(ctx context.Context) check.Observation {
	start := time.Now()
	values := map[string]any{"CONNECTED": false}
	cl, err := sshconn.Dial(ctx, c.conn)
	if err != nil {
		values["RESPONSE_TIME"] = time.Since(start)
		return sshconn.Failed(err, values)
	}
	defer cl.Close()
	values["CONNECTED"] = true

	command := c.command
	var b *builtin
	if c.builtin != "" {
		b = builtins[c.builtin]
		command = b.command(c)
	}
	res, err := run(ctx, cl, command)
	values["RESPONSE_TIME"] = time.Since(start)
	if err != nil {
		return check.Failed(err, values)
	}
	if b == nil {
		values["EXIT_CODE"] = res.exit
		values["STDOUT"] = res.stdout
		values["STDERR"] = res.stderr
		return check.Observation{Values: values}
	}
	if err := b.parse(c, res, values); err != nil {
		return check.Failed(fmt.Errorf("内置检查 %s：%w", c.builtin, err), values)
	}
	return check.Observation{Values: values}
}

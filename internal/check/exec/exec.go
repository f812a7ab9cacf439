// Package exec is the "exec" check type: it runs a command on the runner's
// own machine. It is OFF unless the runner's environment has
// OPSBOOK_ALLOW_EXEC=1 — a runbook comes from git, and running what it
// says locally must be a decision of whoever operates the runner.
//
// Parameters:
//
//	command  the program and its arguments as a list, run without a shell,
//	         e.g. ["/usr/bin/df", "-P"] (a single word may be a string);
//	         prefer absolute paths
//	dir      working directory (default: the runner's)
//	env      extra environment variables, a mapping
//
// The command gets a minimal environment — PATH, HOME, USER, LOGNAME,
// LANG, LC_ALL, TZ from the runner, plus env — so secrets the runner holds
// in its environment are not handed to it. When the check's deadline
// passes, the command's whole process group is killed.
//
// Placeholders: EXIT_CODE (int64; -1 when killed by a signal), STDOUT and
// STDERR (strings with surrounding white space trimmed, at most 64 KiB
// each), RESPONSE_TIME (time.Duration). A non-zero exit code is a value for
// conditions, not an error.
package exec

import (
	"context"
	"errors"
	"fmt"
	"os"
	osexec "os/exec"
	"strings"
	"time"

	"github.com/opsbook/opsbook/internal/check"
)

// AllowEnv is the environment variable that enables exec checks.
const AllowEnv = "OPSBOOK_ALLOW_EXEC"

// outputCap bounds what is kept of each of stdout and stderr.
const outputCap = 64 << 10

func init() {
	check.Register(check.Type{
		Name:         "exec",
		Label:        "本机命令",
		Placeholders: []string{"EXIT_CODE", "STDOUT", "STDERR", "RESPONSE_TIME"},
		Category:     "application",
		Step: &check.Step{
			Conditions: []string{"[EXIT_CODE] == 0"},
			Target:     func(_ map[string]any, host string) string { return "本机 " + host },
			Command:    stepCommand,
			Excerpt:    check.CommandOutput,
		},
		New: New,
	})
}

// stepCommand is the argv of a step, quoted for a shell.
func stepCommand(p map[string]any) string {
	var argv []string
	switch c := p["command"].(type) {
	case string:
		argv = []string{c}
	case []any:
		for _, a := range c {
			argv = append(argv, check.Str(a))
		}
	}
	for i, a := range argv {
		argv[i] = check.ShellQuote(a)
	}
	return strings.Join(argv, " ")
}

type checker struct {
	argv []string
	dir  string
	env  map[string]string
}

// New builds an exec checker from spec, validating its parameters. It
// does not look at AllowEnv: a disabled check still validates.
func New(spec check.Spec) (check.Checker, error) {
	p := spec.P()
	c := &checker{argv: p.Strings("command"), dir: p.String("dir", false), env: p.StringMap("env")}
	switch {
	case !p.Has("command"):
		p.Fail("command", "必填：要运行的程序及参数列表，例如 [/usr/bin/df, -P]")
	case len(c.argv) == 0 || c.argv[0] == "":
		p.Fail("command", "不能为空：第一项是要运行的程序")
	case len(c.argv) == 1 && strings.ContainsAny(c.argv[0], " \t"):
		p.Fail("command", "%q 含空格，但命令不经过 shell；请写成列表，例如 [/usr/bin/df, -P]", c.argv[0])
	}
	for k := range c.env {
		if k == "" || strings.ContainsAny(k, "= \t") {
			p.Fail("env", "%q 不是合法的环境变量名", k)
		}
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	return c, nil
}

// Check runs the command if exec checks are enabled.
func (c *checker) Check(ctx context.Context) check.Observation {
	if os.Getenv(AllowEnv) != "1" {
		return check.Failed(fmt.Errorf("本机命令检查（exec）未启用：出于安全考虑，只有在运行 opsbook 的环境中设置 %s=1 后才会执行 %s；请确认该 runbook 可信后再开启", AllowEnv, c.argv[0]), nil)
	}
	if err := ctx.Err(); err != nil {
		return check.Failed(fmt.Errorf("命令 %s 未运行：检查已超时或被取消（%v）", c.argv[0], context.Cause(ctx)), nil)
	}
	cmd := osexec.CommandContext(ctx, c.argv[0], c.argv[1:]...)
	cmd.Dir = c.dir
	cmd.Env = c.environ()
	var stdout, stderr capped
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	killGroup(cmd)
	// If a grandchild escaped the group and holds the pipes, stop waiting.
	cmd.WaitDelay = 2 * time.Second

	start := time.Now()
	err := cmd.Run()
	values := map[string]any{"RESPONSE_TIME": time.Since(start), "STDOUT": stdout.String(), "STDERR": stderr.String()}
	var exit *osexec.ExitError
	switch {
	case ctx.Err() != nil:
		return check.Failed(fmt.Errorf("命令 %s 未在期限内结束（%v），已终止其进程组；请调大 timeout 或检查命令是否会卡住", c.argv[0], context.Cause(ctx)), values)
	case err == nil:
		values["EXIT_CODE"] = int64(0)
	case errors.As(err, &exit):
		values["EXIT_CODE"] = int64(exit.ExitCode()) // -1 when killed by a signal
	default:
		delete(values, "STDOUT")
		delete(values, "STDERR")
		return check.Failed(fmt.Errorf("无法运行命令 %s：%w；请检查路径与执行权限", c.argv[0], err), values)
	}
	return check.Observation{Values: values}
}

// environ is the command's minimal environment.
func (c *checker) environ() []string {
	var env []string
	for _, k := range []string{"PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "TZ"} {
		if _, set := c.env[k]; set {
			continue
		}
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		} else if k == "PATH" {
			env = append(env, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
		}
	}
	for k, v := range c.env {
		env = append(env, k+"="+v)
	}
	return env
}

// capped keeps the first outputCap bytes and discards the rest.
type capped struct{ b []byte }

func (c *capped) Write(p []byte) (int, error) {
	if room := outputCap - len(c.b); room > 0 {
		c.b = append(c.b, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

func (c *capped) String() string {
	return strings.TrimSpace(strings.ToValidUTF8(string(c.b), "\uFFFD"))
}

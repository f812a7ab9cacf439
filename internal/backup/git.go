package backup

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"
)

// ErrNoGit means the git command is not installed or not on PATH.
var ErrNoGit = errors.New("找不到 git 命令：opsbook backup 用 git 生成和校验备份（git bundle）；" +
	"请安装 git（例如 apt-get install git 或 yum install git），并确认它在 PATH 中")

// GitError is a git command that failed; Stderr holds what git said.
type GitError struct {
	Args   []string
	Err    error
	Stderr string
}

func (e *GitError) Error() string {
	if strings.Contains(e.Stderr, "dubious ownership") {
		return "仓库属于另一个用户，git 出于安全考虑拒绝读取：请以仓库所有者的身份运行（例如 sudo -u opsbook opsbook backup …）；" +
			"opsbook 不读取全局 git 配置，git config --global safe.directory 对它无效"
	}
	msg := gitMessage(e.Stderr)
	if msg == "" {
		msg = e.Err.Error()
	}
	return fmt.Sprintf("git %s 失败：%s", strings.Join(e.Args, " "), msg)
}

// gitMessage keeps the last few meaningful lines of git's stderr, joined on one line.
func gitMessage(stderr string) string {
	var lines []string
	for _, l := range strings.Split(stderr, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "hint:") {
			lines = append(lines, l)
		}
	}
	if len(lines) > 3 {
		lines = lines[len(lines)-3:]
	}
	return strings.Join(lines, "；")
}

// git runs the real git CLI with an environment independent of the machine
// and the user: no system or global configuration, no GIT_* variables
// inherited (GIT_DIR and friends would point git elsewhere), no hooks, no
// fsmonitor, no prompts, no optional locks, C locale messages.
type git struct{ path string }

func lookGit() (*git, error) {
	p, err := exec.LookPath("git")
	if err != nil {
		return nil, ErrNoGit
	}
	return &git{path: p}, nil
}

func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(name, "GIT_"), name == "LC_ALL", name == "LANGUAGE", name == "EMAIL":
			continue
		}
		env = append(env, kv)
	}
	return append(env,
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_CONFIG_GLOBAL="+os.DevNull,
		"GIT_ATTR_NOSYSTEM=1",
		"GIT_TERMINAL_PROMPT=0",
		"GIT_OPTIONAL_LOCKS=0",
		"LC_ALL=C",
	)
}

// baseArgs go before every git subcommand.
var baseArgs = []string{"-c", "core.hooksPath=" + os.DevNull, "-c", "core.fsmonitor=false"}

// stderrLimit caps what is kept of git's stderr.
const stderrLimit = 16 << 10

type capped struct{ bytes.Buffer }

func (c *capped) Write(p []byte) (int, error) {
	if room := stderrLimit - c.Len(); room > 0 {
		c.Buffer.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

// run runs git in dir with stdout going to out (discarded when nil).
func (g *git) run(ctx context.Context, dir string, out io.Writer, args ...string) error {
	cmd := exec.CommandContext(ctx, g.path, append(append([]string(nil), baseArgs...), args...)...)
	cmd.Dir = dir
	cmd.Env = cleanEnv()
	cmd.Stdout = out
	var stderr capped
	cmd.Stderr = &stderr
	killGroup(cmd)
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return &GitError{Args: args, Err: err, Stderr: stderr.String()}
	}
	return nil
}

// output runs git in dir and returns its stdout.
func (g *git) output(ctx context.Context, dir string, args ...string) (string, error) {
	var out bytes.Buffer
	err := g.run(ctx, dir, &out, args...)
	return out.String(), err
}

package ssh

import (
	"context"
	"errors"
	"fmt"
	"strings"

	gossh "golang.org/x/crypto/ssh"

	"github.com/opsbook/opsbook/internal/check/ssh/sshconn"
)

// outputCap bounds what is kept of each of stdout and stderr.
const outputCap = 64 << 10

type result struct {
	exit           int64
	stdout, stderr string
}

// run runs command in a new session. A non-zero exit is part of the
// result; err means the command could not run or did not finish.
func run(ctx context.Context, cl *sshconn.Client, command string) (result, error) {
	sess, err := cl.NewSession()
	if err != nil {
		if ctx.Err() != nil {
			return result{}, fmt.Errorf("打开 SSH 会话时超时或被取消（%v）", context.Cause(ctx))
		}
		return result{}, fmt.Errorf("打开 SSH 会话失败：%w；服务器可能限制了会话数（MaxSessions）", err)
	}
	defer sess.Close()
	var stdout, stderr capped
	sess.Stdout, sess.Stderr = &stdout, &stderr
	err = sess.Run(command)
	res := result{stdout: stdout.String(), stderr: stderr.String()}
	var exit *gossh.ExitError
	var missing *gossh.ExitMissingError
	switch {
	case ctx.Err() != nil:
		// The connection was closed under the command: it did not finish.
		return res, fmt.Errorf("远程命令未在期限内结束（%v），已断开连接；请调大 timeout 或检查命令是否会卡住", context.Cause(ctx))
	case err == nil:
	case errors.As(err, &exit):
		res.exit = int64(exit.ExitStatus()) // -1 when killed by a signal
	case errors.As(err, &missing):
		return res, errors.New("远程命令结束时没有返回退出码（连接被中断或会话被服务器关闭）")
	default:
		return res, fmt.Errorf("运行远程命令失败：%w", err)
	}
	return res, nil
}

// capped keeps the first outputCap bytes and discards the rest, so a
// chatty command neither blocks nor fills memory.
type capped struct{ b []byte }

func (c *capped) Write(p []byte) (int, error) {
	if room := outputCap - len(c.b); room > 0 {
		c.b = append(c.b, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

// String is the kept output as valid UTF-8 with surrounding white space
// trimmed (the cut may split a character; the shell adds a final newline).
func (c *capped) String() string {
	return strings.TrimSpace(strings.ToValidUTF8(string(c.b), "\uFFFD"))
}

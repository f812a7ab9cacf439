package sshconn

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"

	"golang.org/x/crypto/ssh"
)

// Client is a logged-in SSH connection tied to a context.
type Client struct {
	*ssh.Client
	stop func() bool
}

// Close closes the connection and releases its context watch.
func (c *Client) Close() error {
	c.stop()
	return c.Client.Close()
}

// Dial connects to c.Address, verifies the host key against c.KnownHosts
// and logs in. When ctx ends — before or after Dial returns — the
// connection is closed, which makes every operation on it fail promptly.
// Errors are *Error with a Chinese message saying what to do; a changed
// host key has Security set. No error message contains a secret.
func Dial(ctx context.Context, c Config) (*Client, error) {
	hk, err := loadKnownHosts(c.KnownHosts)
	if err != nil {
		return nil, err
	}
	auth, err := authMethods(c)
	if err != nil {
		return nil, err
	}
	var hostErr atomic.Pointer[Error] // set from the handshake goroutine
	verify := hk.db.HostKeyCallback()
	algos := hk.db.HostKeyAlgorithms(c.Address)
	cfg := &ssh.ClientConfig{
		User: c.User,
		Auth: auth,
		HostKeyCallback: func(host string, remote net.Addr, key ssh.PublicKey) error {
			err := verify(host, remote, key)
			if err != nil {
				hostErr.Store(hostKeyError(c.Address, hk.file, key, err))
			}
			return err
		},
		// Offer only the algorithms of the recorded keys, so the server
		// presents the key we can verify rather than another type of its.
		HostKeyAlgorithms: algos,
	}

	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", c.Address)
	if err != nil {
		if ctx.Err() != nil {
			return nil, deadlineError(ctx, c.Address, "建立 TCP 连接")
		}
		return nil, &Error{Msg: fmt.Sprintf("无法连接 SSH 服务 %s：%v；请检查地址、端口、防火墙和 sshd 是否在运行", c.Address, opErr(err)), Err: err}
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	sc, chans, reqs, err := ssh.NewClientConn(conn, c.Address, cfg)
	if err != nil {
		stop()
		conn.Close()
		switch {
		case hostErr.Load() != nil:
			return nil, hostErr.Load()
		case ctx.Err() != nil:
			return nil, deadlineError(ctx, c.Address, "SSH 握手与登录")
		}
		return nil, handshakeError(c, hk.file, len(algos) > 0, err)
	}
	return &Client{Client: ssh.NewClient(sc, chans, reqs), stop: stop}, nil
}

func handshakeError(c Config, knownHosts string, recorded bool, err error) error {
	var neg *ssh.AlgorithmNegotiationError
	if errors.As(err, &neg) && neg.What == "host key" && recorded {
		return &Error{
			Msg: fmt.Sprintf("主机密钥不匹配：%s 提供的主机密钥类型 %v 与 known_hosts（%s）中记录的类型 %v 都不同，无法验证服务器身份。"+
				"可能是服务器重装，也可能是中间人攻击；请向服务器管理员核实指纹后再更新 known_hosts",
				c.Address, neg.RequestedAlgorithms, knownHosts, neg.SupportedAlgorithms),
			Security: true, Err: err,
		}
	}
	if strings.Contains(err.Error(), "unable to authenticate") {
		return &Error{Msg: fmt.Sprintf("SSH 认证失败：用户 %s 登录 %s 被拒绝（尝试的认证方式：%s）；请检查用户名、密码或私钥，以及服务器是否允许这种认证方式",
			c.User, c.Address, methodNames(c)), Err: err}
	}
	return &Error{Msg: fmt.Sprintf("与 %s 的 SSH 握手失败：%v；请确认对方是 SSH 服务", c.Address, err), Err: err}
}

func methodNames(c Config) string {
	var names []string
	if c.PrivateKeyFile != "" {
		names = append(names, "publickey（私钥）")
	}
	if c.Password != "" {
		names = append(names, "password（口令）", "keyboard-interactive")
	}
	return strings.Join(names, "、")
}

func deadlineError(ctx context.Context, addr, stage string) error {
	return &Error{Msg: fmt.Sprintf("SSH 连接 %s 在“%s”阶段超时或被取消（%v）；请检查网络与防火墙，或调大 timeout", addr, stage, context.Cause(ctx)), Err: ctx.Err()}
}

// opErr drops the "dial tcp 1.2.3.4:22:" prefix a *net.OpError repeats.
func opErr(err error) error {
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Err != nil {
		return oe.Err
	}
	return err
}

func expandHome(p string) string {
	if rest, ok := strings.CutPrefix(p, "~/"); ok {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, rest)
		}
	}
	return p
}

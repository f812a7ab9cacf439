package publish

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/skeema/knownhosts"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
	xknownhosts "golang.org/x/crypto/ssh/knownhosts"
)

// dial connects to t, verifies its host key against o.KnownHosts (never
// skipped) and logs in with o.Identity and/or the keys of the ssh-agent at
// $SSH_AUTH_SOCK (without either: ~/.ssh/id_ed25519, id_ecdsa, id_rsa).
// There is deliberately no password login: a password would have to come
// from the command line or a file next to the key anyway.
func dial(ctx context.Context, t Target, o Options) (*ssh.Client, error) {
	addr := t.Address()
	khFile := expandHome(o.KnownHosts)
	if khFile == "" {
		khFile = expandHome("~/.ssh/known_hosts")
	}
	db, err := knownhosts.NewDB(khFile)
	if err != nil {
		host, port := t.Host, strconv.Itoa(t.Port)
		return nil, fmt.Errorf("读取 known_hosts 文件 %s 失败：%v；请先取得服务器的主机公钥并向服务器管理员核实指纹（服务器上运行 ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub），"+
			"一致后写入：ssh-keyscan -p %s %s >> %s，或用 --known-hosts 指定已有的文件", khFile, pathErr(err), port, host, khFile)
	}
	signers, closeAgent, err := loginKeys(o.Identity)
	if err != nil {
		return nil, err
	}
	defer closeAgent()

	var hostErr atomic.Pointer[error]
	verify := db.HostKeyCallback()
	algos := db.HostKeyAlgorithms(addr)
	cfg := &ssh.ClientConfig{
		User: t.User,
		// One publickey method with every key: the client tries each
		// method name only once.
		Auth: []ssh.AuthMethod{ssh.PublicKeysCallback(func() ([]ssh.Signer, error) { return signers.all() })},
		HostKeyCallback: func(host string, remote net.Addr, key ssh.PublicKey) error {
			err := verify(host, remote, key)
			if err != nil {
				e := hostKeyError(t, khFile, key, err)
				hostErr.Store(&e)
			}
			return err
		},
		// Offer only the recorded key types, so the server shows the key we
		// can check rather than another of its keys.
		HostKeyAlgorithms: algos,
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("连接 %s 被取消或超时：%v", addr, context.Cause(ctx))
		}
		return nil, fmt.Errorf("无法连接 SSH 服务 %s：%v；请检查主机、端口、防火墙和 sshd 是否在运行", addr, opErr(err))
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	sc, chans, reqs, err := ssh.NewClientConn(conn, addr, cfg)
	if err != nil {
		conn.Close()
		var neg *ssh.AlgorithmNegotiationError
		switch {
		case hostErr.Load() != nil:
			return nil, *hostErr.Load()
		case ctx.Err() != nil:
			return nil, fmt.Errorf("与 %s 的 SSH 握手被取消或超时：%v", addr, context.Cause(ctx))
		case errors.As(err, &neg) && neg.What == "host key" && len(algos) > 0:
			return nil, fmt.Errorf("主机密钥不匹配：%s 没有 known_hosts（%s）中记录的密钥类型 %v，只提供 %v，无法验证服务器身份。"+
				"可能是服务器重装，也可能是中间人攻击；请向服务器管理员核实指纹后再更新 known_hosts", addr, khFile, neg.SupportedAlgorithms, neg.RequestedAlgorithms)
		case strings.Contains(err.Error(), "unable to authenticate"):
			return nil, fmt.Errorf("SSH 认证失败：用户 %s 登录 %s 被拒绝（尝试了 %s）；请确认该公钥已写入服务器上 %s 的 ~/.ssh/authorized_keys",
				t.User, addr, signers.describe(), t.User)
		}
		return nil, fmt.Errorf("与 %s 的 SSH 握手失败：%v；请确认对方是 SSH 服务", addr, err)
	}
	return ssh.NewClient(sc, chans, reqs), nil
}

// keys are the login keys: from files, then from the agent.
type keys struct {
	files  []ssh.Signer
	names  []string
	agent  agent.ExtendedAgent
	socket string
}

func (k *keys) all() ([]ssh.Signer, error) {
	s := append([]ssh.Signer(nil), k.files...)
	if k.agent != nil {
		as, err := k.agent.Signers()
		if err != nil {
			return nil, fmt.Errorf("读取 ssh-agent（%s）中的密钥失败：%w", k.socket, err)
		}
		s = append(s, as...)
	}
	return s, nil
}

func (k *keys) describe() string {
	d := append([]string(nil), k.names...)
	if k.agent != nil {
		d = append(d, "ssh-agent（"+k.socket+"）中的密钥")
	}
	return strings.Join(d, "、")
}

// loginKeys gathers the private keys to offer.
func loginKeys(identity string) (*keys, func(), error) {
	k := &keys{}
	done := func() {}
	if sock := os.Getenv("SSH_AUTH_SOCK"); sock != "" {
		conn, err := net.Dial("unix", sock)
		if err == nil {
			k.agent, k.socket, done = agent.NewClient(conn), sock, func() { conn.Close() }
		} else if identity == "" {
			return nil, done, fmt.Errorf("无法连接 ssh-agent（SSH_AUTH_SOCK=%s）：%v；请启动 ssh-agent 并 ssh-add 私钥，或用 --identity 指定私钥文件", sock, opErr(err))
		}
	}
	if identity != "" {
		path := expandHome(identity)
		s, err := loadKey(path)
		var missing *ssh.PassphraseMissingError
		switch {
		case errors.As(err, &missing) && k.agent != nil:
			// The agent may hold it already (ssh-add); offer the agent's keys.
		case errors.As(err, &missing):
			done()
			return nil, func() {}, fmt.Errorf("私钥文件 %s 有口令保护；opsbook 不在命令行或参数里接收口令，请把它交给 ssh-agent：eval \"$(ssh-agent)\" && ssh-add %s，然后再运行", path, path)
		case err != nil:
			done()
			return nil, func() {}, err
		default:
			k.files, k.names = append(k.files, s), append(k.names, "私钥 "+path)
		}
	}
	if identity == "" && k.agent == nil {
		for _, name := range []string{"id_ed25519", "id_ecdsa", "id_rsa"} {
			path := expandHome("~/.ssh/" + name)
			if s, err := loadKey(path); err == nil {
				k.files, k.names = append(k.files, s), append(k.names, "私钥 "+path)
			}
		}
	}
	if len(k.files) == 0 && k.agent == nil {
		return nil, done, errors.New("没有可用的 SSH 登录密钥：请用 --identity 指定私钥文件，或启动 ssh-agent 并 ssh-add 私钥（设置 SSH_AUTH_SOCK）；不支持口令登录")
	}
	return k, done, nil
}

func loadKey(path string) (ssh.Signer, error) {
	pemBytes, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("读取私钥文件 %s 失败：%v；请检查 --identity 路径和文件权限", path, pathErr(err))
	}
	s, err := ssh.ParsePrivateKey(pemBytes)
	var missing *ssh.PassphraseMissingError
	switch {
	case err == nil:
		return s, nil
	case errors.As(err, &missing), errors.Is(err, x509.IncorrectPasswordError):
		return nil, err
	}
	return nil, fmt.Errorf("无法解析私钥文件 %s：%v；支持 OpenSSH 与 PEM 格式的 ed25519、ECDSA、RSA 私钥", path, err)
}

// hostKeyError explains why key was refused, naming its fingerprint and
// how to record it once it has been verified.
func hostKeyError(t Target, file string, key ssh.PublicKey, err error) error {
	addr, fp := t.Address(), ssh.FingerprintSHA256(key)
	var ke *xknownhosts.KeyError
	if errors.As(err, &ke) && len(ke.Want) > 0 {
		w := ke.Want[0]
		return fmt.Errorf("主机密钥不匹配，已拒绝连接：%s 出示的 %s 主机密钥（指纹 %s）与 known_hosts（%s 第 %d 行）记录的不同。"+
			"可能是服务器重装，也可能是中间人攻击；请先向服务器管理员核实指纹，确认无误后删除旧记录（ssh-keygen -R %s -f %s）再添加新密钥",
			addr, key.Type(), fp, w.Filename, w.Line, shellQuote(knownhosts.Normalize(addr)), file)
	}
	if errors.As(err, &ke) {
		short := shortKeyType(key.Type())
		return fmt.Errorf("未知主机，已拒绝连接：known_hosts（%s）中没有 %s 的主机密钥；对方出示 %s 主机密钥，指纹 %s。"+
			"请向服务器管理员核实该指纹（在服务器上运行 ssh-keygen -lf %s），一致后添加：ssh-keyscan -p %d -t %s %s >> %s",
			file, knownhosts.Normalize(addr), key.Type(), fp, "/etc/ssh/ssh_host_"+short+"_key.pub", t.Port, short, t.Host, file)
	}
	return fmt.Errorf("验证 %s 的主机密钥失败：%v", addr, err)
}

// shellQuote quotes known_hosts names like [host]:port, which a shell
// would take for a glob.
func shellQuote(s string) string {
	if strings.ContainsAny(s, "[]*? ") {
		return "'" + s + "'"
	}
	return s
}

// shortKeyType is the name ssh-keyscan -t and the host key files use.
func shortKeyType(t string) string {
	switch {
	case strings.Contains(t, "ed25519"):
		return "ed25519"
	case strings.HasPrefix(t, "ecdsa-"):
		return "ecdsa"
	case strings.Contains(t, "rsa"):
		return "rsa"
	}
	return strings.TrimPrefix(t, "ssh-")
}

func expandHome(p string) string {
	if rest, ok := strings.CutPrefix(p, "~/"); ok {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, rest)
		}
	}
	return p
}

// pathErr drops the path an *os.PathError repeats, since messages name it.
func pathErr(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// opErr drops the "dial tcp 1.2.3.4:22:" prefix a *net.OpError repeats.
func opErr(err error) error {
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Err != nil {
		return oe.Err
	}
	return err
}

package gitrepo

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"

	"github.com/go-git/go-git/v5/plumbing/transport"
	gitssh "github.com/go-git/go-git/v5/plumbing/transport/ssh"
	"github.com/skeema/knownhosts"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

// SSHOptions configures ssh:// remotes. Host keys are always verified
// against known_hosts; there is no option to skip that.
type SSHOptions struct {
	// User defaults to the user in the remote URL, else "git".
	User string
	// KeyFile is a private key file; empty means use the SSH agent at
	// $SSH_AUTH_SOCK.
	KeyFile string
	// KeyPassphrase decrypts an encrypted KeyFile.
	KeyPassphrase string
	// KnownHosts lists known_hosts files; empty means $SSH_KNOWN_HOSTS, else
	// ~/.ssh/known_hosts and /etc/ssh/ssh_known_hosts.
	KnownHosts []string
}

// sshAuth builds go-git's auth for an ssh endpoint: a key file or the SSH
// agent, with a known_hosts host key callback and the host key algorithms
// known_hosts lists for that host (so the server offers the key we can
// verify). The returned func releases the agent connection.
func sshAuth(ep *transport.Endpoint, o SSHOptions) (transport.AuthMethod, func(), error) {
	user := o.User
	if user == "" {
		user = ep.User
	}
	if user == "" {
		user = "git"
	}
	files, err := knownHostsFiles(o.KnownHosts)
	if err != nil {
		return nil, nil, err
	}
	db, err := knownhosts.NewDB(files...)
	if err != nil {
		return nil, nil, fmt.Errorf("读取 known_hosts 失败：%w", err)
	}
	port := ep.Port
	if port == 0 {
		port = 22
	}
	hostPort := net.JoinHostPort(ep.Host, strconv.Itoa(port))
	helper := gitssh.HostKeyCallbackHelper{
		HostKeyCallback:   db.HostKeyCallback(),
		HostKeyAlgorithms: db.HostKeyAlgorithms(hostPort),
	}
	if len(helper.HostKeyAlgorithms) == 0 {
		return nil, nil, fmt.Errorf("known_hosts 中没有 %s 的主机公钥：请核对指纹后用 ssh-keyscan -p %d %s 把它加入 %s", knownhosts.Normalize(hostPort), port, ep.Host, files[0])
	}
	if o.KeyFile != "" {
		pem, err := os.ReadFile(o.KeyFile)
		if err != nil {
			return nil, nil, fmt.Errorf("读取 SSH 私钥 %s 失败：%w", o.KeyFile, err)
		}
		signer, err := parseKey(pem, o.KeyPassphrase)
		if err != nil {
			return nil, nil, fmt.Errorf("SSH 私钥 %s 无法使用：%w", o.KeyFile, err)
		}
		return &gitssh.PublicKeys{User: user, Signer: signer, HostKeyCallbackHelper: helper}, func() {}, nil
	}
	sock := os.Getenv("SSH_AUTH_SOCK")
	if sock == "" {
		return nil, nil, errors.New("没有配置 SSH 私钥文件，也没有 SSH agent（SSH_AUTH_SOCK 未设置）：请在配置中指定私钥文件或启动 ssh-agent")
	}
	conn, err := net.Dial("unix", sock)
	if err != nil {
		return nil, nil, fmt.Errorf("连接 SSH agent 失败：%w", err)
	}
	ag := agent.NewClient(conn)
	auth := &gitssh.PublicKeysCallback{User: user, Callback: ag.Signers, HostKeyCallbackHelper: helper}
	return auth, func() { _ = conn.Close() }, nil
}

// parseKey parses a private key, with the passphrase when it is encrypted.
// Errors never contain the passphrase.
func parseKey(pem []byte, passphrase string) (ssh.Signer, error) {
	signer, err := ssh.ParsePrivateKey(pem)
	var missing *ssh.PassphraseMissingError
	if errors.As(err, &missing) {
		if passphrase == "" {
			return nil, errors.New("私钥已加密，需要提供口令")
		}
		if signer, err = ssh.ParsePrivateKeyWithPassphrase(pem, []byte(passphrase)); err != nil {
			return nil, errors.New("私钥口令不正确，或私钥文件已损坏")
		}
	}
	if err != nil {
		return nil, errors.New("不是可识别的私钥格式")
	}
	return signer, nil
}

func knownHostsFiles(given []string) ([]string, error) {
	files := given
	if len(files) == 0 {
		files = filepath.SplitList(os.Getenv("SSH_KNOWN_HOSTS"))
	}
	if len(files) == 0 {
		if home, err := os.UserHomeDir(); err == nil {
			files = append(files, filepath.Join(home, ".ssh", "known_hosts"))
		}
		files = append(files, "/etc/ssh/ssh_known_hosts")
	}
	var out []string
	for _, f := range files {
		if _, err := os.Stat(f); err == nil {
			out = append(out, f)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("找不到 known_hosts 文件（查找了 %v）：请核对远程主机指纹后用 ssh-keyscan 生成，或在配置中指定 known_hosts 路径", files)
	}
	return out, nil
}

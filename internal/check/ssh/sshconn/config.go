// Package sshconn dials an SSH server for the ssh and sftp checks. It
// verifies the host key against a known_hosts file (never skipped; the
// client offers only the key algorithms recorded for the host, through
// github.com/skeema/knownhosts), logs in with a private key and/or a
// password, and ties the connection to a context so that a deadline or a
// cancellation closes it and unblocks whatever is running over it.
//
// Shared parameters (read by ReadParams):
//
//	address           host:port, or host (port 22)
//	user              login user
//	password          password (also answers keyboard-interactive prompts)
//	private_key_file  private key (OpenSSH or PEM; ed25519, ECDSA, RSA)
//	passphrase        passphrase of private_key_file, when it is encrypted
//	known_hosts       known_hosts file that must list the host's key (~/ allowed)
//
// At least one of password and private_key_file is required. A host key
// that differs from the recorded one is a security failure (Error.Security);
// a host missing from known_hosts is an ordinary error.
package sshconn

import (
	"net"
	"strconv"
	"strings"

	"github.com/opsbook/opsbook/internal/check"
)

// Config says where and how to log in.
type Config struct {
	Address        string // host:port
	User           string
	Password       string
	PrivateKeyFile string
	Passphrase     string
	KnownHosts     string
}

// Params are the parameter keys ReadParams reads.
var Params = []string{"address", "user", "password", "private_key_file", "passphrase", "known_hosts"}

// ReadParams reads and validates the connection parameters, without I/O.
func ReadParams(p *check.Params) Config {
	c := Config{
		Address:        p.String("address", true),
		User:           p.String("user", true),
		Password:       p.String("password", false),
		PrivateKeyFile: p.String("private_key_file", false),
		Passphrase:     p.String("passphrase", false),
		KnownHosts:     p.String("known_hosts", true),
	}
	if c.Address != "" {
		addr, msg := normalizeAddress(c.Address)
		if msg != "" {
			p.Fail("address", "%q %s", c.Address, msg)
		}
		c.Address = addr
	}
	if c.Password == "" && c.PrivateKeyFile == "" {
		p.Fail("password", "需要 password 或 private_key_file 之一作为登录方式")
	}
	if c.Passphrase != "" && c.PrivateKeyFile == "" {
		p.Fail("passphrase", "只有设置了 private_key_file 时 passphrase 才有意义")
	}
	return c
}

// normalizeAddress returns host:port, adding port 22 when it is missing.
func normalizeAddress(a string) (string, string) {
	a = strings.TrimSpace(a)
	host, port, err := net.SplitHostPort(a)
	if err != nil {
		// No port: a plain host name or an IP address (v6 possibly in brackets).
		host, port = strings.TrimSuffix(strings.TrimPrefix(a, "["), "]"), "22"
	}
	if host == "" {
		return a, "缺少主机名；应写成 主机:端口，例如 10.32.1.11:22"
	}
	if strings.ContainsAny(host, "[]/@ \t") {
		return a, "不是合法的地址；应写成 主机:端口，例如 10.32.1.11:22（用户名写在 user 参数里）"
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return a, "端口应为 1–65535 的整数"
	}
	return net.JoinHostPort(host, port), ""
}

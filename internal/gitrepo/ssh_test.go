package gitrepo

import (
	"bufio"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing/transport"
	gitssh "github.com/go-git/go-git/v5/plumbing/transport/ssh"
	"github.com/opsbook/opsbook/internal/check/checktest"
	"github.com/skeema/knownhosts"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

func newKey(t testing.TB) (ed25519.PrivateKey, ssh.PublicKey) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	sp, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return priv, sp
}

// writeKey writes an OpenSSH private key file, encrypted when passphrase is
// not empty.
func writeKey(t testing.TB, dir string, priv ed25519.PrivateKey, passphrase string) string {
	t.Helper()
	var block *pem.Block
	var err error
	if passphrase == "" {
		block, err = ssh.MarshalPrivateKey(priv, "")
	} else {
		block, err = ssh.MarshalPrivateKeyWithPassphrase(priv, "", []byte(passphrase))
	}
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.CreateTemp(dir, "key-*")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Chmod(0o600); err != nil {
		t.Fatal(err)
	}
	if err := pem.Encode(f, block); err != nil {
		t.Fatal(err)
	}
	return f.Name()
}

func writeKnownHosts(t testing.TB, dir, hostPort string, key ssh.PublicKey) string {
	t.Helper()
	p := filepath.Join(dir, "known_hosts")
	line := knownhosts.Line([]string{knownhosts.Normalize(hostPort)}, key) + "\n"
	if err := os.WriteFile(p, []byte(line), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func endpoint(t testing.TB, url string) *transport.Endpoint {
	t.Helper()
	ep, err := transport.NewEndpoint(url)
	if err != nil {
		t.Fatal(err)
	}
	return ep
}

func TestSSHAuthKeyFileAndKnownHosts(t *testing.T) {
	dir := t.TempDir()
	_, hostKey := newKey(t)
	_, otherKey := newKey(t)
	clientPriv, _ := newKey(t)
	kh := writeKnownHosts(t, dir, "127.0.0.1:2222", hostKey)
	keyFile := writeKey(t, dir, clientPriv, "")
	ep := endpoint(t, "ssh://ops@127.0.0.1:2222/srv/git/ops.git")

	auth, release, err := sshAuth(ep, SSHOptions{KeyFile: keyFile, KnownHosts: []string{kh}})
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	pk, ok := auth.(*gitssh.PublicKeys)
	if !ok || pk.User != "ops" {
		t.Fatalf("auth = %#v, want public keys for the URL's user", auth)
	}
	cfg, err := pk.ClientConfig()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(cfg.HostKeyAlgorithms, []string{ssh.KeyAlgoED25519}) {
		t.Fatalf("HostKeyAlgorithms = %v, want the known_hosts key's type", cfg.HostKeyAlgorithms)
	}
	addr := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 2222}
	if err := cfg.HostKeyCallback("127.0.0.1:2222", addr, hostKey); err != nil {
		t.Fatalf("known host key refused: %v", err)
	}
	err = cfg.HostKeyCallback("127.0.0.1:2222", addr, otherKey)
	if err == nil || !knownhosts.IsHostKeyChanged(err) {
		t.Fatalf("changed host key: err = %v, want a key-changed error", err)
	}

	// The user option wins over the URL; the default is "git".
	auth, _, err = sshAuth(ep, SSHOptions{User: "runner", KeyFile: keyFile, KnownHosts: []string{kh}})
	if err != nil || auth.(*gitssh.PublicKeys).User != "runner" {
		t.Fatalf("user option: %v %v", auth, err)
	}
	auth, _, err = sshAuth(endpoint(t, "ssh://127.0.0.1:2222/x.git"), SSHOptions{KeyFile: keyFile, KnownHosts: []string{kh}})
	if err != nil || auth.(*gitssh.PublicKeys).User != "git" {
		t.Fatalf("default user: %v %v", auth, err)
	}

	// A host with no known_hosts entry is refused before connecting.
	_, _, err = sshAuth(endpoint(t, "ssh://git@127.0.0.1:2223/x.git"), SSHOptions{KeyFile: keyFile, KnownHosts: []string{kh}})
	if err == nil || !strings.Contains(err.Error(), "ssh-keyscan") {
		t.Fatalf("unknown host: %v", err)
	}
	// No known_hosts file at all.
	_, _, err = sshAuth(ep, SSHOptions{KeyFile: keyFile, KnownHosts: []string{filepath.Join(dir, "missing")}})
	if err == nil || !strings.Contains(err.Error(), "known_hosts") {
		t.Fatalf("missing known_hosts: %v", err)
	}
}

func TestSSHAuthEncryptedKey(t *testing.T) {
	dir := t.TempDir()
	_, hostKey := newKey(t)
	priv, pub := newKey(t)
	kh := writeKnownHosts(t, dir, "127.0.0.1:22", hostKey)
	const passphrase = "canary-passphrase-7f3a"
	keyFile := writeKey(t, dir, priv, passphrase)
	ep := endpoint(t, "ssh://git@127.0.0.1/x.git")

	auth, _, err := sshAuth(ep, SSHOptions{KeyFile: keyFile, KeyPassphrase: passphrase, KnownHosts: []string{kh}})
	if err != nil {
		t.Fatal(err)
	}
	if got := auth.(*gitssh.PublicKeys).Signer.PublicKey(); string(got.Marshal()) != string(pub.Marshal()) {
		t.Fatal("decrypted key is not the client key")
	}
	for _, pass := range []string{"", "wrong-" + passphrase} {
		_, _, err := sshAuth(ep, SSHOptions{KeyFile: keyFile, KeyPassphrase: pass, KnownHosts: []string{kh}})
		if err == nil || !strings.Contains(err.Error(), "口令") {
			t.Fatalf("passphrase %q: err = %v", pass, err)
		}
		if strings.Contains(err.Error(), passphrase) {
			t.Fatalf("error leaks the passphrase: %v", err)
		}
	}
	if _, _, err := sshAuth(ep, SSHOptions{KeyFile: filepath.Join(dir, "nope"), KnownHosts: []string{kh}}); err == nil {
		t.Fatal("missing key file accepted")
	}
}

func TestSSHAuthAgent(t *testing.T) {
	dir := t.TempDir()
	_, hostKey := newKey(t)
	priv, pub := newKey(t)
	kh := writeKnownHosts(t, dir, "127.0.0.1:22", hostKey)
	keyring := agent.NewKeyring()
	if err := keyring.Add(agent.AddedKey{PrivateKey: priv}); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "agent.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { _ = agent.ServeAgent(keyring, c); _ = c.Close() }()
		}
	}()
	t.Setenv("SSH_AUTH_SOCK", sock)
	auth, release, err := sshAuth(endpoint(t, "ssh://git@127.0.0.1/x.git"), SSHOptions{KnownHosts: []string{kh}})
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	cb, ok := auth.(*gitssh.PublicKeysCallback)
	if !ok {
		t.Fatalf("auth = %T, want the agent callback", auth)
	}
	signers, err := cb.Callback()
	if err != nil || len(signers) != 1 || string(signers[0].PublicKey().Marshal()) != string(pub.Marshal()) {
		t.Fatalf("agent signers = %v, %v", signers, err)
	}
	cfg, err := cb.ClientConfig()
	if err != nil || cfg.HostKeyCallback == nil || len(cfg.HostKeyAlgorithms) == 0 {
		t.Fatalf("agent auth has no host key verification: %v", err)
	}

	t.Setenv("SSH_AUTH_SOCK", "")
	if _, _, err := sshAuth(endpoint(t, "ssh://git@127.0.0.1/x.git"), SSHOptions{KnownHosts: []string{kh}}); err == nil || !strings.Contains(err.Error(), "ssh-agent") {
		t.Fatalf("no agent, no key: %v", err)
	}
}

// sshd runs OpenSSH's sshd on a loopback port with a temporary host key,
// accepting clientKey for the current user.
func sshd(t *testing.T, hostPriv ed25519.PrivateKey, clientKey ssh.PublicKey) (port int) {
	t.Helper()
	bin, err := exec.LookPath("sshd")
	if err != nil {
		bin, err = exec.LookPath("/usr/sbin/sshd")
	}
	checktest.RequireService(t, "OpenSSH sshd (Debian openssh-server)", err)
	if os.Geteuid() == 0 {
		_ = os.MkdirAll("/run/sshd", 0o755) // privilege separation directory
	}
	dir := t.TempDir()
	hostKey := writeKey(t, dir, hostPriv, "")
	auth := filepath.Join(dir, "authorized_keys")
	if err := os.WriteFile(auth, ssh.MarshalAuthorizedKey(clientKey), 0o600); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port = ln.Addr().(*net.TCPAddr).Port
	_ = ln.Close()
	cfg := filepath.Join(dir, "sshd_config")
	conf := fmt.Sprintf("ListenAddress 127.0.0.1:%d\nHostKey %s\nAuthorizedKeysFile %s\nStrictModes no\nUsePAM no\nPasswordAuthentication no\nKbdInteractiveAuthentication no\nPermitRootLogin prohibit-password\nPidFile none\nLogLevel INFO\n", port, hostKey, auth)
	if err := os.WriteFile(cfg, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-D", "-e", "-f", cfg)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		checktest.RequireService(t, "OpenSSH sshd", err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	ready := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		var lines []string
		for sc.Scan() {
			lines = append(lines, sc.Text())
			if strings.Contains(sc.Text(), "Server listening") {
				ready <- nil
				for sc.Scan() {
				}
				return
			}
		}
		ready <- fmt.Errorf("sshd exited: %s", strings.Join(lines, "\n"))
	}()
	select {
	case err := <-ready:
		checktest.RequireService(t, "OpenSSH sshd", err)
	case <-time.After(20 * time.Second):
		t.Fatal("sshd did not start listening within 20 s")
	}
	return port
}

// End to end over ssh://: a real sshd and git-receive-pack, host key
// verified from known_hosts, key file auth.
func TestCommitPushOverSSH(t *testing.T) {
	hostPriv, hostPub := newKey(t)
	clientPriv, clientPub := newKey(t)
	port := sshd(t, hostPriv, clientPub)
	me, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	bare := newRemote(t)
	clone := cloneOf(t, bare)
	runGit(t, clone, "remote", "set-url", "origin", fmt.Sprintf("ssh://%s@127.0.0.1:%d%s", me.Username, port, bare))
	dir := t.TempDir()
	keyFile := writeKey(t, dir, clientPriv, "")
	kh := writeKnownHosts(t, dir, fmt.Sprintf("127.0.0.1:%d", port), hostPub)
	opts := CommitOptions{Push: true, SSH: SSHOptions{KeyFile: keyFile, KnownHosts: []string{kh}}}

	res, err := runnerCommit(t, clone, map[string]string{insPath: "id: over-ssh\n"}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Pushed || runGit(t, bare, "rev-parse", "main") != res.Hash {
		t.Fatalf("result %+v", res)
	}
	// Another runner pushes over the file transport; the ssh runner fetches
	// over ssh and rebases.
	other := cloneOf(t, bare)
	if _, err := runnerCommit(t, other, map[string]string{"content/inspection/2026/INS-other.yaml": "id: other\n"}, CommitOptions{Push: true}); err != nil {
		t.Fatal(err)
	}
	res, err = runnerCommit(t, clone, map[string]string{anoPath: "---\nid: ANO\n---\n"}, opts)
	if err != nil || !res.Rebased || runGit(t, bare, "rev-parse", "main") != res.Hash {
		t.Fatalf("rebased push over ssh: %+v %v", res, err)
	}
	assertClean(t, clone)
	assertFsck(t, bare)

	// A server whose host key changed is refused: the commit stays local.
	_, impostor := newKey(t)
	kh2 := writeKnownHosts(t, dir, fmt.Sprintf("127.0.0.1:%d", port), impostor)
	opts.SSH.KnownHosts = []string{kh2}
	res, err = runnerCommit(t, clone, map[string]string{"content/inspection/2026/INS-third.yaml": "id: third\n"}, opts)
	if !errors.Is(err, ErrPushPending) || !res.PendingPush || res.Tries != 1 {
		t.Fatalf("changed host key: %+v %v", res, err)
	}
	if !strings.Contains(err.Error(), "key") {
		t.Fatalf("error does not name the host key problem: %v", err)
	}
}

package publish

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"io"
	"io/fs"
	"net"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"

	"github.com/opsbook/opsbook/internal/check/sshtest"
)

// sftpTarget starts sshd and returns options publishing to
// sftp://user@127.0.0.1:port/<temp>/www/opsbook and that link's local path.
func sftpTarget(t *testing.T) (*sshtest.Server, Options, string) {
	t.Helper()
	t.Setenv("SSH_AUTH_SOCK", "") // only the keys a test gives
	s := sshtest.Start(t)
	link := filepath.Join(t.TempDir(), "www", "opsbook")
	if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
		t.Fatal(err)
	}
	tg, err := ParseTarget("sftp://" + s.User + "@" + s.Addr + link)
	if err != nil {
		t.Fatal(err)
	}
	return s, Options{Target: tg, Keep: 3, Identity: s.KeyFile, KnownHosts: s.KnownHosts}, link
}

// sftpReader reads the published site over its own SFTP connection.
func sftpReader(t *testing.T, o Options) (siteReader, func(string) ([]fs.FileInfo, error)) {
	t.Helper()
	cl, err := dial(context.Background(), o.Target, o)
	if err != nil {
		t.Fatal(err)
	}
	c, err := sftp.NewClient(cl)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(); cl.Close() })
	link := o.Target.Path
	return siteReader{
		read: func(rel string) ([]byte, error) {
			f, err := c.Open(path.Join(link, rel))
			if err != nil {
				return nil, err
			}
			defer f.Close()
			return io.ReadAll(f)
		},
		readlink: func() (string, error) { return c.ReadLink(link) },
	}, c.ReadDir
}

func TestSFTPAtomicSwitch(t *testing.T) {
	_, o, link := sftpTarget(t)
	r, list := sftpReader(t, o)
	atomicSwitch(t, o, r, list)
	assertClean(t, link, 2)
	// Modes are set explicitly, whatever sshd's umask.
	if fi, err := os.Stat(filepath.Join(link, "index.html")); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("index.html mode %v (%v)", fi.Mode(), err)
	}
	if fi, err := os.Stat(filepath.Join(link, "b")); err != nil || fi.Mode().Perm() != 0o755 {
		t.Errorf("b/ mode %v (%v)", fi.Mode(), err)
	}
}

func TestSFTPPrune(t *testing.T) {
	_, o, link := sftpTarget(t)
	o.Keep = 2
	var releases []string
	for i := range 4 {
		o.Source = testSite(t, "v"+string(rune('1'+i)), manyFiles("x", 5))
		res, err := Publish(context.Background(), o)
		if err != nil {
			t.Fatalf("publish %d: %v", i+1, err)
		}
		releases = append(releases, res.Release)
	}
	got := assertClean(t, link, 2)
	if got[0] != releases[2] || got[1] != releases[3] {
		t.Errorf("releases left %v, want the last two of %v", got, releases)
	}
}

func TestSFTPUnknownHostRefused(t *testing.T) {
	s, o, link := sftpTarget(t)
	o.KnownHosts = s.WriteKnownHosts(t, "known_hosts_empty")
	o.Source = testSite(t, "v1", nil)
	_, err := Publish(context.Background(), o)
	fp := ssh.FingerprintSHA256(s.HostKey)
	if err == nil || !strings.Contains(err.Error(), "未知主机") || !strings.Contains(err.Error(), fp) ||
		!strings.Contains(err.Error(), "ssh-keyscan -p "+itoa(s.Port)+" -t ed25519 127.0.0.1 >> "+o.KnownHosts) {
		t.Fatalf("err = %v\nwant the fingerprint %s and how to add it", err, fp)
	}
	t.Log(err)
	if _, err := os.Lstat(link + releasesSuffix); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("something was written before the host was verified")
	}
}

func TestSFTPChangedHostKeyRefused(t *testing.T) {
	s, o, link := sftpTarget(t)
	pub, _, _ := ed25519.GenerateKey(rand.Reader)
	other, _ := ssh.NewPublicKey(pub)
	o.KnownHosts = s.WriteKnownHosts(t, "known_hosts_other", other)
	o.Source = testSite(t, "v1", nil)
	_, err := Publish(context.Background(), o)
	if err == nil || !strings.Contains(err.Error(), "主机密钥不匹配") || !strings.Contains(err.Error(), ssh.FingerprintSHA256(s.HostKey)) {
		t.Fatalf("err = %v", err)
	}
	t.Log(err)
	if _, err := os.Lstat(link + releasesSuffix); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("something was written to an unverified host")
	}
	o.KnownHosts = filepath.Join(s.Dir, "missing_known_hosts")
	if _, err := Publish(context.Background(), o); err == nil || !strings.Contains(err.Error(), "ssh-keyscan") {
		t.Errorf("missing known_hosts: %v", err)
	}
}

func TestSFTPRealDirectoryRefused(t *testing.T) {
	s, o, link := sftpTarget(t)
	os.MkdirAll(link, 0o755)
	o.Source = testSite(t, "v1", nil)
	_, err := Publish(context.Background(), o)
	if err == nil || !strings.Contains(err.Error(), "ssh -p "+itoa(s.Port)+" "+s.User+"@127.0.0.1 mv "+link+" "+link+".bak") {
		t.Fatalf("err = %v", err)
	}
	t.Log(err)
}

func TestSFTPAgentLogin(t *testing.T) {
	s, o, link := sftpTarget(t)
	keyFile := s.NewKeyFile(t, "secret passphrase")
	o.Identity = keyFile
	o.Source = testSite(t, "v1", nil)
	// An encrypted key without an agent: say how to hand it to ssh-agent.
	if _, err := Publish(context.Background(), o); err == nil || !strings.Contains(err.Error(), "ssh-add "+keyFile) {
		t.Fatalf("encrypted key without agent: %v", err)
	}
	// With the key in an agent, no --identity is needed.
	pemBytes, _ := os.ReadFile(keyFile)
	priv, err := ssh.ParseRawPrivateKeyWithPassphrase(pemBytes, []byte("secret passphrase"))
	if err != nil {
		t.Fatal(err)
	}
	keyring := agent.NewKeyring()
	if err := keyring.Add(agent.AddedKey{PrivateKey: priv}); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(t.TempDir(), "agent.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() { defer c.Close(); agent.ServeAgent(keyring, c) }()
		}
	}()
	t.Setenv("SSH_AUTH_SOCK", sock)
	o.Identity = ""
	if _, err := Publish(context.Background(), o); err != nil {
		t.Fatalf("agent login: %v", err)
	}
	if s := dirReader(link).snapshot(); s.version != "v1" || len(s.problems) > 0 {
		t.Errorf("version %s problems %v", s.version, s.problems)
	}
}

func TestSFTPAuthFailure(t *testing.T) {
	_, o, _ := sftpTarget(t)
	// A key sshd does not know.
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	block, _ := ssh.MarshalPrivateKey(priv, "")
	f := filepath.Join(t.TempDir(), "id_unknown")
	os.WriteFile(f, pemEncode(block), 0o600)
	o.Identity = f
	o.Source = testSite(t, "v1", nil)
	if _, err := Publish(context.Background(), o); err == nil || !strings.Contains(err.Error(), "SSH 认证失败") || !strings.Contains(err.Error(), f) {
		t.Fatalf("err = %v", err)
	}
}

package sshtest

import (
	"os"
	"strings"
	"testing"

	"github.com/skeema/knownhosts"
	"golang.org/x/crypto/ssh"
)

func dial(t *testing.T, s *Server, user string, auth ssh.AuthMethod) (*ssh.Client, error) {
	t.Helper()
	kh, err := knownhosts.NewDB(s.KnownHosts)
	if err != nil {
		t.Fatal(err)
	}
	return ssh.Dial("tcp", s.Addr, &ssh.ClientConfig{
		User:              user,
		Auth:              []ssh.AuthMethod{auth},
		HostKeyCallback:   kh.HostKeyCallback(),
		HostKeyAlgorithms: kh.HostKeyAlgorithms(s.Addr),
	})
}

func keyAuth(t *testing.T, path, passphrase string) ssh.AuthMethod {
	t.Helper()
	pemBytes, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var signer ssh.Signer
	if passphrase == "" {
		signer, err = ssh.ParsePrivateKey(pemBytes)
	} else {
		signer, err = ssh.ParsePrivateKeyWithPassphrase(pemBytes, []byte(passphrase))
	}
	if err != nil {
		t.Fatal(err)
	}
	return ssh.PublicKeys(signer)
}

func output(t *testing.T, c *ssh.Client, cmd string) string {
	t.Helper()
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	out, err := sess.Output(cmd)
	if err != nil {
		t.Fatalf("%s: %v", cmd, err)
	}
	return strings.TrimSpace(string(out))
}

func TestStartServesKeyLoginAndEnv(t *testing.T) {
	s := Start(t, WithEnv("OPSBOOK_SSHTEST_MARK", "marked"))
	c, err := dial(t, s, s.User, keyAuth(t, s.KeyFile, ""))
	if err != nil {
		t.Fatalf("login with KeyFile: %v\n%s", err, s.Log())
	}
	defer c.Close()
	if got := output(t, c, "id -un"); got != s.User {
		t.Errorf("logged in as %q, want %q", got, s.User)
	}
	if got := output(t, c, "echo $OPSBOOK_SSHTEST_MARK"); got != "marked" {
		t.Errorf("SetEnv not applied: %q", got)
	}
}

func TestEncryptedKeyFile(t *testing.T) {
	s := Start(t)
	path := s.NewKeyFile(t, "open sesame")
	c, err := dial(t, s, s.User, keyAuth(t, path, "open sesame"))
	if err != nil {
		t.Fatalf("login with encrypted key: %v", err)
	}
	c.Close()
}

func TestRotateHostKeyIsDetected(t *testing.T) {
	s := Start(t)
	old := s.HostKey
	s.RotateHostKey(t)
	if string(old.Marshal()) == string(s.HostKey.Marshal()) {
		t.Fatal("host key did not change")
	}
	_, err := dial(t, s, s.User, keyAuth(t, s.KeyFile, ""))
	if !knownhosts.IsHostKeyChanged(err) {
		t.Fatalf("changed host key accepted or misreported: %v", err)
	}
}

func TestPasswordUser(t *testing.T) {
	s := Start(t)
	name, password := s.PasswordUser(t)
	c, err := dial(t, s, name, ssh.Password(password))
	if err != nil {
		t.Fatalf("password login: %v\n%s", err, s.Log())
	}
	defer c.Close()
	if got := output(t, c, "id -un"); got != name {
		t.Errorf("logged in as %q, want %q", got, name)
	}
	if _, err := dial(t, s, name, ssh.Password(password+"x")); err == nil {
		t.Error("wrong password accepted")
	}
}

// Package signerstest makes real signing keys for tests: SSH keys with
// ssh-keygen and OpenPGP keys with gpg, and the environment that makes the
// git CLI sign commits with them (git merge -S, git commit -S).
package signerstest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// require fails the test under CI and skips it elsewhere when a tool is
// missing.
func require(t testing.TB, tool, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(tool)
	if err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is needed to sign test commits (Debian package %s): %v", tool, pkg, err)
	}
	t.Skipf("SKIPPED LOUDLY: %s is not installed (Debian package %s); signed-merge tests need it", tool, pkg)
	return ""
}

// Key is a signing key of one person.
type Key struct {
	Name, Email string
	// Private is the SSH private key file (SSH keys), or the OpenPGP key
	// id (OpenPGP keys).
	Private string
	// Public is the public key: an authorized_keys line (SSH) or an
	// armored public key block (OpenPGP).
	Public string
	// GnuPGHome is the keyring directory of an OpenPGP key.
	GnuPGHome string
}

// SSHKey makes an ed25519 key pair in a new directory under t.TempDir().
func SSHKey(t testing.TB, name, email string) Key {
	t.Helper()
	keygen := require(t, "ssh-keygen", "openssh-client")
	dir := t.TempDir()
	priv := filepath.Join(dir, "id_ed25519")
	out, err := exec.Command(keygen, "-q", "-t", "ed25519", "-N", "", "-C", email, "-f", priv).CombinedOutput()
	if err != nil {
		t.Fatalf("ssh-keygen: %v\n%s", err, out)
	}
	pub, err := os.ReadFile(priv + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	return Key{Name: name, Email: email, Private: priv, Public: strings.TrimSpace(string(pub))}
}

// AllowedSigner is the key's allowed_signers line: its e-mail as the
// principal, restricted to git signatures.
func (k Key) AllowedSigner() string {
	return k.Email + ` namespaces="git" ` + k.Public + "\n"
}

// PGPKey makes an OpenPGP signing key for name <email> in a new GnuPG home
// (no passphrase).
func PGPKey(t testing.TB, name, email string) Key {
	t.Helper()
	gpg := require(t, "gpg", "gnupg")
	home, err := os.MkdirTemp("", "gpg") // short: gpg-agent's socket path is limited
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = exec.Command("gpgconf", "--homedir", home, "--kill", "all").Run()
		_ = os.RemoveAll(home)
	})
	run := func(args ...string) string {
		cmd := exec.Command(gpg, append([]string{"--homedir", home, "--batch", "--pinentry-mode", "loopback", "--passphrase", ""}, args...)...)
		out, err := cmd.Output()
		if err != nil {
			msg := ""
			if ee, ok := err.(*exec.ExitError); ok {
				msg = string(ee.Stderr)
			}
			t.Fatalf("gpg %s: %v\n%s", strings.Join(args, " "), err, msg)
		}
		return string(out)
	}
	run("--quick-generate-key", name+" <"+email+">", "ed25519", "sign", "never")
	var id string
	for _, line := range strings.Split(run("--list-keys", "--with-colons", email), "\n") {
		if f := strings.Split(line, ":"); len(f) > 4 && f[0] == "pub" {
			id = f[4]
		}
	}
	if id == "" {
		t.Fatal("gpg made no key")
	}
	return Key{Name: name, Email: email, Private: id, Public: run("--armor", "--export", id), GnuPGHome: home}
}

// GitEnv is the environment that makes git sign with the key (append it
// to a command's environment; -S on merge and commit then signs).
func (k Key) GitEnv() []string {
	cfg := [][2]string{{"user.signingkey", k.Private}}
	env := []string{}
	if k.GnuPGHome != "" {
		cfg = append(cfg, [2]string{"gpg.format", "openpgp"})
		env = append(env, "GNUPGHOME="+k.GnuPGHome)
	} else {
		cfg = append(cfg, [2]string{"gpg.format", "ssh"})
	}
	env = append(env, "GIT_CONFIG_COUNT="+strconv.Itoa(len(cfg)))
	for i, kv := range cfg {
		env = append(env, "GIT_CONFIG_KEY_"+strconv.Itoa(i)+"="+kv[0], "GIT_CONFIG_VALUE_"+strconv.Itoa(i)+"="+kv[1])
	}
	return env
}

package sshtest

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/opsbook/opsbook/internal/check/checktest"
)

// PasswordUser creates a throw-away local user with a random password,
// removes it when the test ends, and returns its name and password. sshd
// checks the password against /etc/shadow, exactly as on a real host.
//
// It needs root and useradd/chpasswd, and it only runs when CI=true or
// OPSBOOK_SSHTEST_USERS=1 so that a developer's machine never gains users
// by surprise; otherwise the test is skipped (and fails in CI).
func (s *Server) PasswordUser(t testing.TB) (name, password string) {
	t.Helper()
	checktest.RequireService(t, "a throw-away login user for password authentication", userCreationAllowed())
	name = "obt" + randomHex(6)
	password = randomHex(16)
	if out, err := exec.Command("useradd", "--create-home", "--shell", "/bin/sh", "--comment", "opsbook sshtest", name).CombinedOutput(); err != nil {
		t.Fatalf("sshtest: useradd %s: %v: %s", name, err, out)
	}
	t.Cleanup(func() {
		// --force: sshd may still be tearing down the user's last session.
		if out, err := exec.Command("userdel", "--force", "--remove", name).CombinedOutput(); err != nil && !strings.Contains(string(out), "mail spool") {
			t.Errorf("sshtest: userdel %s: %v: %s", name, err, out)
		}
	})
	cmd := exec.Command("chpasswd")
	cmd.Stdin = strings.NewReader(name + ":" + password + "\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("sshtest: chpasswd %s: %v: %s", name, err, out)
	}
	return name, password
}

func userCreationAllowed() error {
	ci := os.Getenv("CI")
	if (ci == "" || ci == "false" || ci == "0") && os.Getenv("OPSBOOK_SSHTEST_USERS") != "1" {
		return errors.New("creating a local user is only done with CI=true or OPSBOOK_SSHTEST_USERS=1")
	}
	if os.Geteuid() != 0 {
		return errors.New("creating a local user needs root")
	}
	for _, tool := range []string{"useradd", "chpasswd", "userdel"} {
		if _, err := exec.LookPath(tool); err != nil {
			return fmt.Errorf("%s not found (Debian package passwd): %w", tool, err)
		}
	}
	return nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

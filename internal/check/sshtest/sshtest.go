// Package sshtest starts a real OpenSSH sshd on a loopback port for the
// ssh and sftp check tests.
//
// Start runs "/usr/sbin/sshd -D -e -f <temp sshd_config>" as the current
// user on 127.0.0.1:<free port>. Everything it uses lives in a temporary
// directory: an ed25519 host key generated in Go, an authorized_keys file
// (AuthorizedKeysFile points there for every user) holding a generated
// client key, and a known_hosts file naming the host key under the
// server's address. Password authentication is on (UsePAM no, so sshd
// checks /etc/shadow), StrictModes is off, and "Subsystem sftp
// internal-sftp" serves SFTP. sshd is stopped (its whole process group)
// by t.Cleanup, and its log is printed when the test failed.
//
// Password logins need a user whose password is known. Root's password is
// never touched; instead PasswordUser creates a throw-away system user with
// a random password (useradd + chpasswd) and deletes it on cleanup. That
// needs root, and because it changes /etc/passwd it only happens when
// CI=true or OPSBOOK_SSHTEST_USERS=1; otherwise the test is skipped
// (checktest.RequireService: in CI it fails instead).
//
// When sshd is not installed the test is skipped on a laptop and fails in
// CI; install Debian's openssh-server to run these tests.
package sshtest

import (
	"bufio"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/skeema/knownhosts"
	"golang.org/x/crypto/ssh"

	"github.com/opsbook/opsbook/internal/check/checktest"
)

// SSHD is the sshd binary the tests run (Debian's openssh-server).
const SSHD = "/usr/sbin/sshd"

// Server is a running sshd.
type Server struct {
	Addr       string        // 127.0.0.1:port
	Host       string        // 127.0.0.1
	Port       int           // the listening port
	User       string        // the user sshd runs as; KeyFile logs in as this user
	KnownHosts string        // known_hosts file listing HostKey under Addr
	KeyFile    string        // unencrypted ed25519 private key authorized for every user
	HostKey    ssh.PublicKey // the host key sshd presents now
	Dir        string        // temporary directory holding all of the above

	opts    options
	mu      sync.Mutex // guards authorized_keys and the process fields below
	cmd     *exec.Cmd
	exited  chan struct{}
	log     *syncBuffer
	hostKey string // path of the host key file
}

type options struct {
	env map[string]string
}

// Option changes how Start configures sshd.
type Option func(*options)

// WithEnv sets an environment variable in every session sshd starts (the
// sshd_config SetEnv directive, which overrides sshd's default PATH).
func WithEnv(key, value string) Option {
	return func(o *options) {
		if o.env == nil {
			o.env = map[string]string{}
		}
		o.env[key] = value
	}
}

// Start starts sshd and stops it when the test ends.
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	_, err := os.Stat(SSHD)
	checktest.RequireService(t, "OpenSSH sshd ("+SSHD+", Debian package openssh-server)", err)

	s := &Server{Dir: t.TempDir(), Host: "127.0.0.1", log: &syncBuffer{}}
	for _, o := range opts {
		o(&s.opts)
	}
	u, err := user.Current()
	if err != nil {
		t.Fatalf("sshtest: current user: %v", err)
	}
	s.User = u.Username
	if os.Geteuid() == 0 {
		// sshd's privilege-separation directory, created by systemd's
		// RuntimeDirectory on a normal boot but absent in containers.
		if err := os.MkdirAll("/run/sshd", 0o755); err != nil {
			t.Fatalf("sshtest: %v", err)
		}
	}
	s.hostKey = filepath.Join(s.Dir, "ssh_host_ed25519_key")
	if s.HostKey, err = writeHostKey(s.hostKey); err != nil {
		t.Fatalf("sshtest: %v", err)
	}
	s.KeyFile = filepath.Join(s.Dir, "id_ed25519")
	pub, err := writeClientKey(s.KeyFile, "")
	if err != nil {
		t.Fatalf("sshtest: %v", err)
	}
	s.Authorize(t, pub)

	t.Cleanup(func() {
		s.stop()
		if t.Failed() {
			t.Logf("sshd log:\n%s", s.log.String())
		}
	})
	var startErr error
	for range 3 { // another process may take the free port before sshd binds it
		if s.Port, startErr = freePort(); startErr != nil {
			break
		}
		if startErr = s.start(); startErr == nil || !strings.Contains(startErr.Error(), "Address already in use") {
			break
		}
	}
	if startErr != nil {
		t.Fatalf("sshtest: %v", startErr)
	}
	s.Addr = net.JoinHostPort(s.Host, strconv.Itoa(s.Port))
	s.KnownHosts = s.WriteKnownHosts(t, "known_hosts", s.HostKey)
	return s
}

// Authorize appends pub to the authorized_keys file shared by every user.
// sshd reads the file at each login, so no restart is needed.
func (s *Server) Authorize(t testing.TB, pub ssh.PublicKey) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	f, err := os.OpenFile(filepath.Join(s.Dir, "authorized_keys"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err == nil {
		_, err = f.Write(ssh.MarshalAuthorizedKey(pub))
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		t.Fatalf("sshtest: authorized_keys: %v", err)
	}
}

// NewKeyFile generates another authorized client key and writes its private
// key to a new file, encrypted with passphrase when one is given.
func (s *Server) NewKeyFile(t testing.TB, passphrase string) string {
	t.Helper()
	f, err := os.CreateTemp(s.Dir, "id_ed25519_*")
	if err != nil {
		t.Fatalf("sshtest: %v", err)
	}
	f.Close()
	pub, err := writeClientKey(f.Name(), passphrase)
	if err != nil {
		t.Fatalf("sshtest: %v", err)
	}
	s.Authorize(t, pub)
	return f.Name()
}

// WriteKnownHosts writes a known_hosts file named name in the server's
// directory listing keys under the server's address, and returns its path.
// Tests use it to describe a host whose recorded key differs.
func (s *Server) WriteKnownHosts(t testing.TB, name string, keys ...ssh.PublicKey) string {
	t.Helper()
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(knownhosts.Line([]string{net.JoinHostPort(s.Host, strconv.Itoa(s.Port))}, k) + "\n")
	}
	p := filepath.Join(s.Dir, name)
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatalf("sshtest: %v", err)
	}
	return p
}

// RotateHostKey restarts sshd on the same port with a newly generated host
// key, as a reinstalled server or an impostor would present; KnownHosts
// still lists the old key.
func (s *Server) RotateHostKey(t testing.TB) {
	t.Helper()
	s.stop()
	var err error
	if s.HostKey, err = writeHostKey(s.hostKey); err != nil {
		t.Fatalf("sshtest: %v", err)
	}
	if err := s.start(); err != nil {
		t.Fatalf("sshtest: restart: %v", err)
	}
}

// Log returns what sshd has logged so far.
func (s *Server) Log() string { return s.log.String() }

var listening = regexp.MustCompile(`Server listening on \S+ port (\d+)`)

func (s *Server) start() error {
	cfg := filepath.Join(s.Dir, "sshd_config")
	if err := os.WriteFile(cfg, []byte(s.config()), 0o644); err != nil {
		return err
	}
	cmd := exec.Command(SSHD, "-D", "-e", "-f", cfg)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", SSHD, err)
	}
	exited := make(chan struct{})
	ready := make(chan struct{})
	go func() {
		defer close(exited)
		sc := bufio.NewScanner(stderr)
		signalled := false
		for sc.Scan() {
			line := sc.Text()
			s.log.WriteString(line + "\n")
			if !signalled && listening.MatchString(line) {
				signalled = true
				close(ready)
			}
		}
		_, _ = io.Copy(io.Discard, stderr)
		_ = cmd.Wait()
	}()
	select {
	case <-ready:
	case <-exited:
		return fmt.Errorf("sshd exited on start: %s", lastLines(s.log.String(), 5))
	case <-time.After(15 * time.Second):
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-exited
		return errors.New("sshd did not report listening within 15s: " + lastLines(s.log.String(), 5))
	}
	s.mu.Lock()
	s.cmd, s.exited = cmd, exited
	s.mu.Unlock()
	return nil
}

// stop terminates sshd and every session process it forked.
func (s *Server) stop() {
	s.mu.Lock()
	cmd, exited := s.cmd, s.exited
	s.cmd = nil
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-exited
	}
	// Session processes outlive the listener; end them too.
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
}

func (s *Server) config() string {
	var b strings.Builder
	line := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	line("Port %d", s.Port)
	line("ListenAddress 127.0.0.1")
	line("HostKey %s", s.hostKey)
	line("PidFile none")
	line("AuthorizedKeysFile %s", filepath.Join(s.Dir, "authorized_keys"))
	line("StrictModes no")
	line("UsePAM no")
	line("PermitRootLogin yes")
	line("PubkeyAuthentication yes")
	line("PasswordAuthentication yes")
	line("KbdInteractiveAuthentication no")
	line("PermitEmptyPasswords no")
	line("UseDNS no")
	line("PrintMotd no")
	line("PrintLastLog no")
	line("MaxStartups 100")
	line("MaxSessions 50")
	line("LoginGraceTime 30")
	line("LogLevel VERBOSE")
	line("Subsystem sftp internal-sftp")
	if penaltiesSupported() {
		// OpenSSH 9.8+ would otherwise refuse 127.0.0.1 after the tests'
		// deliberate authentication failures and dropped handshakes.
		line("PerSourcePenalties no")
	}
	for k, v := range s.opts.env {
		line("SetEnv %s=%q", k, v)
	}
	return b.String()
}

// penaltiesSupported reports whether sshd knows PerSourcePenalties (9.8+).
func penaltiesSupported() bool {
	out, _ := exec.Command(SSHD, "-V").CombinedOutput()
	m := regexp.MustCompile(`OpenSSH_(\d+)\.(\d+)`).FindStringSubmatch(string(out))
	if m == nil {
		return false
	}
	major, _ := strconv.Atoi(m[1])
	minor, _ := strconv.Atoi(m[2])
	return major > 9 || major == 9 && minor >= 8
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func writeHostKey(path string) (ssh.PublicKey, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	block, err := ssh.MarshalPrivateKey(priv, "sshtest host key")
	if err != nil {
		return nil, err
	}
	// sshd refuses a host key file that others can read.
	if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		return nil, err
	}
	return ssh.NewPublicKey(priv.Public())
}

func writeClientKey(path, passphrase string) (ssh.PublicKey, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	var block *pem.Block
	if passphrase == "" {
		block, err = ssh.MarshalPrivateKey(priv, "sshtest client key")
	} else {
		block, err = ssh.MarshalPrivateKeyWithPassphrase(priv, "sshtest client key", []byte(passphrase))
	}
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		return nil, err
	}
	return ssh.NewPublicKey(priv.Public())
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (b *syncBuffer) WriteString(s string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.b.WriteString(s)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

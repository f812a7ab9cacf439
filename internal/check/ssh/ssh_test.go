package ssh

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"maps"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/opsbook/opsbook/internal/check"
	"github.com/opsbook/opsbook/internal/check/checktest"
	"github.com/opsbook/opsbook/internal/check/sshtest"
)

// spec is a check of server s logging in with its key, plus params.
func spec(s *sshtest.Server, params map[string]any) check.Spec {
	p := map[string]any{
		"address":          s.Addr,
		"user":             s.User,
		"private_key_file": s.KeyFile,
		"known_hosts":      s.KnownHosts,
	}
	maps.Copy(p, params)
	for k, v := range p {
		if v == nil {
			delete(p, k)
		}
	}
	return check.Spec{Name: "t", Type: "ssh", Timeout: 10 * time.Second, Params: p}
}

func observe(t *testing.T, sp check.Spec, timeout time.Duration) check.Observation {
	t.Helper()
	c, err := check.New(sp)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return c.Check(ctx)
}

func TestConformance(t *testing.T) {
	s := sshtest.Start(t)
	down := spec(s, map[string]any{"command": "true", "address": sshtest.ClosedAddr(t)})
	slow := spec(s, map[string]any{"command": "true", "address": sshtest.SilentAddr(t)})
	checktest.Run(t, "ssh", checktest.Targets{
		Up:   spec(s, map[string]any{"command": "echo ok"}),
		Down: down,
		Slow: &slow,
	})
}

func TestCommand(t *testing.T) {
	s := sshtest.Start(t)
	obs := observe(t, spec(s, map[string]any{"command": "echo out; echo err >&2; exit 3"}), 10*time.Second)
	if obs.Err != nil {
		t.Fatalf("Err: %v", obs.Err)
	}
	want := map[string]any{"EXIT_CODE": int64(3), "STDOUT": "out", "STDERR": "err", "CONNECTED": true}
	for k, v := range want {
		if obs.Values[k] != v {
			t.Errorf("%s = %#v, want %#v", k, obs.Values[k], v)
		}
	}
	if rt, _ := obs.Values["RESPONSE_TIME"].(time.Duration); rt <= 0 {
		t.Errorf("RESPONSE_TIME = %v", obs.Values["RESPONSE_TIME"])
	}
}

func TestCommandRunsAsUser(t *testing.T) {
	s := sshtest.Start(t)
	obs := observe(t, spec(s, map[string]any{"command": "id -un"}), 10*time.Second)
	if obs.Err != nil || obs.Values["STDOUT"] != s.User || obs.Values["EXIT_CODE"] != int64(0) {
		t.Fatalf("got %v %v, want STDOUT %q", obs.Err, obs.Values, s.User)
	}
}

func TestOutputIsCapped(t *testing.T) {
	s := sshtest.Start(t)
	obs := observe(t, spec(s, map[string]any{"command": "head -c 300000 /dev/zero | tr '\\0' a"}), 10*time.Second)
	if obs.Err != nil {
		t.Fatal(obs.Err)
	}
	out := obs.Values["STDOUT"].(string)
	if len(out) != outputCap || strings.Trim(out, "a") != "" {
		t.Errorf("STDOUT has %d bytes, want %d of 'a'", len(out), outputCap)
	}
}

func TestCommandKilledAtDeadline(t *testing.T) {
	s := sshtest.Start(t)
	start := time.Now()
	obs := observe(t, spec(s, map[string]any{"command": "sleep 30"}), time.Second)
	if obs.Err == nil || !strings.Contains(obs.Err.Error(), "期限") {
		t.Fatalf("a command outliving its deadline: Err = %v", obs.Err)
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("took %v, deadline was 1s", el)
	}
	if obs.Values["CONNECTED"] != true || obs.Security {
		t.Errorf("values %v security %v", obs.Values, obs.Security)
	}
}

func TestChangedHostKeyIsSecurityFailure(t *testing.T) {
	s := sshtest.Start(t)
	sp := spec(s, map[string]any{"command": "true"})
	if obs := observe(t, sp, 10*time.Second); obs.Err != nil {
		t.Fatalf("before rotation: %v", obs.Err)
	}
	s.RotateHostKey(t) // same address, different key: known_hosts is now wrong
	obs := observe(t, sp, 10*time.Second)
	if obs.Err == nil || !obs.Security {
		t.Fatalf("changed host key: Err %v, Security %v", obs.Err, obs.Security)
	}
	msg := obs.Err.Error()
	for _, want := range []string{"主机密钥不匹配", gossh.FingerprintSHA256(s.HostKey), s.KnownHosts} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q: %s", want, msg)
		}
	}
	if obs.Values["CONNECTED"] != false {
		t.Errorf("CONNECTED = %v", obs.Values["CONNECTED"])
	}
}

func TestOtherHostKeyTypeIsSecurityFailure(t *testing.T) {
	s := sshtest.Start(t)
	// known_hosts records an RSA key; the server only has ed25519.
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := gossh.NewPublicKey(&rk.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	sp := spec(s, map[string]any{"command": "true", "known_hosts": s.WriteKnownHosts(t, "kh_rsa", pub)})
	obs := observe(t, sp, 10*time.Second)
	if obs.Err == nil || !obs.Security || !strings.Contains(obs.Err.Error(), "主机密钥不匹配") {
		t.Fatalf("Err %v, Security %v", obs.Err, obs.Security)
	}
}

func TestUnknownHostIsPlainError(t *testing.T) {
	s := sshtest.Start(t)
	empty := s.WriteKnownHosts(t, "kh_empty") // exists, lists nothing
	obs := observe(t, spec(s, map[string]any{"command": "true", "known_hosts": empty}), 10*time.Second)
	if obs.Err == nil || obs.Security {
		t.Fatalf("unknown host: Err %v, Security %v", obs.Err, obs.Security)
	}
	if msg := obs.Err.Error(); !strings.Contains(msg, "没有") || !strings.Contains(msg, "ssh-keyscan") {
		t.Errorf("message does not say what to do: %s", msg)
	}

	obs = observe(t, spec(s, map[string]any{"command": "true", "known_hosts": s.Dir + "/no-such-file"}), 10*time.Second)
	if obs.Err == nil || obs.Security || !strings.Contains(obs.Err.Error(), "known_hosts") {
		t.Fatalf("missing known_hosts file: Err %v, Security %v", obs.Err, obs.Security)
	}
}

func TestWrongPasswordNamesAuthNotPassword(t *testing.T) {
	s := sshtest.Start(t)
	const secret = "canary-Pw-7f3a9c"
	obs := observe(t, spec(s, map[string]any{"command": "true", "private_key_file": nil, "password": secret}), 10*time.Second)
	if obs.Err == nil || obs.Security {
		t.Fatalf("wrong password: Err %v, Security %v", obs.Err, obs.Security)
	}
	msg := obs.Err.Error()
	if !strings.Contains(msg, "认证失败") || !strings.Contains(msg, s.User) {
		t.Errorf("message does not name the authentication failure: %s", msg)
	}
	if strings.Contains(msg, secret) {
		t.Errorf("message leaks the password: %s", msg)
	}
}

func TestPasswordLogin(t *testing.T) {
	s := sshtest.Start(t)
	name, password := s.PasswordUser(t)
	obs := observe(t, spec(s, map[string]any{
		"command": "id -un", "user": name, "private_key_file": nil, "password": password,
	}), 10*time.Second)
	if obs.Err != nil {
		t.Fatalf("password login: %v", obs.Err)
	}
	if obs.Values["STDOUT"] != name {
		t.Errorf("logged in as %v, want %s", obs.Values["STDOUT"], name)
	}
}

func TestKeyWithPassphrase(t *testing.T) {
	s := sshtest.Start(t)
	const pass = "canary-Passphrase-51d2"
	key := s.NewKeyFile(t, pass)
	obs := observe(t, spec(s, map[string]any{"command": "echo in", "private_key_file": key, "passphrase": pass}), 10*time.Second)
	if obs.Err != nil || obs.Values["STDOUT"] != "in" {
		t.Fatalf("encrypted key login: %v %v", obs.Err, obs.Values)
	}

	obs = observe(t, spec(s, map[string]any{"command": "true", "private_key_file": key}), 10*time.Second)
	if obs.Err == nil || !strings.Contains(obs.Err.Error(), "passphrase") {
		t.Errorf("encrypted key without passphrase: %v", obs.Err)
	}

	obs = observe(t, spec(s, map[string]any{"command": "true", "private_key_file": key, "passphrase": pass + "-wrong"}), 10*time.Second)
	if obs.Err == nil || !strings.Contains(obs.Err.Error(), "不正确") {
		t.Errorf("wrong passphrase: %v", obs.Err)
	}
	if obs.Err != nil && strings.Contains(obs.Err.Error(), pass) {
		t.Errorf("message leaks the passphrase: %v", obs.Err)
	}
}

func TestParameterErrors(t *testing.T) {
	base := map[string]any{"address": "127.0.0.1:22", "user": "ops", "password": "x", "known_hosts": "/k"}
	cases := []struct {
		name   string
		change map[string]any
		key    string
	}{
		{"no command or builtin", nil, "command"},
		{"both", map[string]any{"command": "true", "builtin": "disk"}, "builtin"},
		{"unknown builtin", map[string]any{"builtin": "cpu"}, "builtin"},
		{"service missing", map[string]any{"builtin": "service"}, "service"},
		{"service injection", map[string]any{"builtin": "service", "service": "x; rm -rf /"}, "service"},
		{"service option", map[string]any{"builtin": "service", "service": "--all"}, "service"},
		{"service without builtin", map[string]any{"command": "true", "service": "x"}, "service"},
		{"no known_hosts", map[string]any{"command": "true", "known_hosts": nil}, "known_hosts"},
		{"no auth", map[string]any{"command": "true", "password": nil}, "password"},
		{"passphrase without key", map[string]any{"command": "true", "passphrase": "p"}, "passphrase"},
		{"bad port", map[string]any{"command": "true", "address": "host:99999"}, "address"},
		{"no user", map[string]any{"command": "true", "user": nil}, "user"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := maps.Clone(base)
			for k, v := range tc.change {
				if v == nil {
					delete(p, k)
				} else {
					p[k] = v
				}
			}
			_, err := check.New(check.Spec{Name: "t", Type: "ssh", Params: p})
			if err == nil || !strings.Contains(err.Error(), "参数 "+tc.key) {
				t.Errorf("err = %v, want one naming %s", err, tc.key)
			}
		})
	}
	p := maps.Clone(base)
	p["address"], p["command"] = "10.32.1.11", "true"
	c, err := New(check.Spec{Params: p})
	if err != nil {
		t.Fatal(err)
	}
	if got := c.(*checker).conn.Address; got != "10.32.1.11:22" {
		t.Errorf("address without port became %q", got)
	}
}

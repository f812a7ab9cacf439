package probe_test

import (
	"context"
	"errors"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/opsbook/opsbook/internal/check"
	"github.com/opsbook/opsbook/internal/check/exec"
	_ "github.com/opsbook/opsbook/internal/check/tcp"
	"github.com/opsbook/opsbook/internal/probe"
	"github.com/opsbook/opsbook/internal/secret"
)

const token = "token-s3cr3t-value"

func secrets() *probe.Secrets {
	return probe.NewSecrets(secret.Source{Env: func(k string) (string, bool) {
		if k == "PROBE_TOKEN" {
			return token, true
		}
		return "", false
	}, ReadFile: os.ReadFile})
}

// listen serves each connection on 127.0.0.1 with serve.
func listen(t *testing.T, serve func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go serve(c)
		}
	}()
	return ln.Addr().String()
}

func tcpSpec(addr string, timeout time.Duration, params map[string]any, conds ...string) probe.Spec {
	params["address"] = addr
	return probe.Spec{Spec: check.Spec{Name: "t", Type: "tcp", Timeout: timeout, Params: params}, Conditions: conds}
}

func plain(f probe.Failure) string {
	if f.Expired {
		return "EXPIRED " + f.Err.Error()
	}
	if f.Interrupted != nil {
		return "INTERRUPTED " + f.Err.Error()
	}
	return f.Err.Error()
}

func TestPrepareReportsEveryProblemAtOnce(t *testing.T) {
	_, err := probe.Prepare(tcpSpec("127.0.0.1:1", time.Second, map[string]any{"send": "${NO_SUCH_VAR}"}, "[STATUS] ==", "[CONNECTED] == true"), secrets())
	var pe *probe.Error
	if !errors.As(err, &pe) || len(pe.Conditions) != 1 || pe.Secrets == nil || pe.Check != nil {
		t.Fatalf("want a condition and a secret problem, no checker built: %#v", err)
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], `条件 "[STATUS] =="：`) || !strings.Contains(lines[1], "NO_SUCH_VAR") {
		t.Errorf("message: %q", err.Error())
	}
	_, err = probe.Prepare(tcpSpec("no-port", time.Second, map[string]any{}), secrets())
	if !errors.As(err, &pe) || pe.Check == nil || pe.Secrets != nil || !strings.Contains(err.Error(), "address") {
		t.Errorf("bad parameter: %v", err)
	}
}

func TestAttemptJudgesConditionsAndRedacts(t *testing.T) {
	addr := listen(t, func(c net.Conn) {
		defer c.Close()
		buf := make([]byte, 64)
		n, _ := c.Read(buf)
		c.Write([]byte("echo " + string(buf[:n]) + "\n"))
	})
	p, err := probe.Prepare(tcpSpec(addr, 5*time.Second, map[string]any{"send": "${PROBE_TOKEN}", "expect": "\n"},
		`[CONNECTED] == true`, `[BODY] == "nope"`), secrets())
	if err != nil {
		t.Fatal(err)
	}
	o := p.Attempt(context.Background(), plain)
	if o.Success || o.Error != "" || len(o.Conditions) != 2 || !o.Conditions[0].Success || o.Conditions[1].Success {
		t.Fatalf("outcome: %+v", o)
	}
	if a := o.Conditions[1].Actual; strings.Contains(a, token) || !strings.Contains(a, "${PROBE_TOKEN}") {
		t.Errorf("actual not redacted: %q", a)
	}
	if o.Excerpt() != "" {
		t.Errorf("tcp is not a step type, yet has an excerpt %q", o.Excerpt())
	}
}

func TestAttemptTimeoutAndInterruption(t *testing.T) {
	t.Setenv(exec.AllowEnv, "1")
	s := probe.Spec{Spec: check.Spec{Name: "e", Type: "exec", Timeout: 300 * time.Millisecond, Params: map[string]any{
		"command": []any{"sleep", "5"}}}}
	p, err := probe.Prepare(s, secrets())
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	o := p.Attempt(context.Background(), plain)
	if !strings.HasPrefix(o.Error, "EXPIRED ") || o.Success || time.Since(start) > 3*time.Second {
		t.Errorf("past its timeout: %q after %v", o.Error, time.Since(start))
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	if o := p.Attempt(ctx, plain); !strings.HasPrefix(o.Error, "INTERRUPTED ") {
		t.Errorf("interrupted by the caller: %q", o.Error)
	}
}

// TestExcerptTrimsACutSecret runs a real command whose long output ends in
// the start of a secret, as a check cutting its output would leave it.
func TestExcerptTrimsACutSecret(t *testing.T) {
	t.Setenv(exec.AllowEnv, "1")
	s := probe.Spec{Spec: check.Spec{Name: "e", Type: "exec", Timeout: 10 * time.Second, Params: map[string]any{
		"command": []any{"sh", "-c", `printf '%05000d' 0; printf '%.9s' "$1"`, "sh", "${PROBE_TOKEN}"}}}}
	p, err := probe.Prepare(s, secrets())
	if err != nil {
		t.Fatal(err)
	}
	o := p.Attempt(context.Background(), plain)
	if v, ok := o.Int("EXIT_CODE"); !ok || v != 0 || !o.Success {
		t.Fatalf("exec: %+v", o)
	}
	ex := o.Excerpt()
	if strings.Contains(ex, token[:9]) || !strings.HasSuffix(ex, "0…") || len(ex) < 5000 {
		t.Errorf("excerpt keeps the secret's start: …%q", ex[max(0, len(ex)-20):])
	}
}

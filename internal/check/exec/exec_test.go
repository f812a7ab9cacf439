package exec

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/opsbook/opsbook/internal/check"
	"github.com/opsbook/opsbook/internal/check/checktest"
)

func spec(params map[string]any) check.Spec {
	return check.Spec{Name: "t", Type: "exec", Timeout: 10 * time.Second, Params: params}
}

func argv(args ...string) []any {
	out := make([]any, len(args))
	for i, a := range args {
		out[i] = a
	}
	return out
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
	t.Setenv(AllowEnv, "1")
	slow := spec(map[string]any{"command": argv("/bin/sleep", "30")})
	checktest.Run(t, "exec", checktest.Targets{
		Up:   spec(map[string]any{"command": argv("/bin/echo", "ok")}),
		Down: spec(map[string]any{"command": argv("/nonexistent/opsbook-no-such-command")}),
		Slow: &slow,
	})
}

func TestDisabledByDefault(t *testing.T) {
	t.Setenv(AllowEnv, "")
	marker := filepath.Join(t.TempDir(), "ran")
	obs := observe(t, spec(map[string]any{"command": argv("/usr/bin/touch", marker)}), 5*time.Second)
	if obs.Err == nil || !strings.Contains(obs.Err.Error(), AllowEnv+"=1") {
		t.Fatalf("disabled exec: Err = %v", obs.Err)
	}
	if _, err := os.Stat(marker); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the command ran although exec is disabled (stat: %v)", err)
	}
	t.Setenv(AllowEnv, "true") // only exactly "1" enables
	if obs := observe(t, spec(map[string]any{"command": argv("/usr/bin/touch", marker)}), 5*time.Second); obs.Err == nil {
		t.Error(AllowEnv + "=true enabled exec")
	}
}

func TestEnabledRunsCommand(t *testing.T) {
	t.Setenv(AllowEnv, "1")
	obs := observe(t, spec(map[string]any{"command": argv("/bin/sh", "-c", "echo out; echo err >&2; exit 3")}), 5*time.Second)
	if obs.Err != nil {
		t.Fatal(obs.Err)
	}
	want := map[string]any{"EXIT_CODE": int64(3), "STDOUT": "out", "STDERR": "err"}
	for k, v := range want {
		if obs.Values[k] != v {
			t.Errorf("%s = %#v, want %#v", k, obs.Values[k], v)
		}
	}
	if rt, _ := obs.Values["RESPONSE_TIME"].(time.Duration); rt <= 0 {
		t.Errorf("RESPONSE_TIME = %v", obs.Values["RESPONSE_TIME"])
	}
}

func TestNoShell(t *testing.T) {
	t.Setenv(AllowEnv, "1")
	obs := observe(t, spec(map[string]any{"command": argv("/bin/echo", "$HOME;", "|", "`id`")}), 5*time.Second)
	if obs.Err != nil || obs.Values["STDOUT"] != "$HOME; | `id`" {
		t.Fatalf("arguments were interpreted: %v %v", obs.Err, obs.Values["STDOUT"])
	}
}

func TestMinimalEnvironment(t *testing.T) {
	t.Setenv(AllowEnv, "1")
	t.Setenv("OPSBOOK_TEST_DB_PASSWORD", "canary-env-secret")
	dir := t.TempDir()
	obs := observe(t, spec(map[string]any{
		"command": argv("/usr/bin/env"),
		"env":     map[string]any{"REPORT_MODE": "daily"},
		"dir":     dir,
	}), 5*time.Second)
	if obs.Err != nil {
		t.Fatal(obs.Err)
	}
	out := obs.Values["STDOUT"].(string)
	if strings.Contains(out, "canary-env-secret") || strings.Contains(out, AllowEnv) {
		t.Errorf("runner environment leaked into the command:\n%s", out)
	}
	if !strings.Contains(out, "REPORT_MODE=daily") || !strings.Contains(out, "PATH=") {
		t.Errorf("env param or PATH missing:\n%s", out)
	}
	obs = observe(t, spec(map[string]any{"command": argv("/bin/pwd"), "dir": dir}), 5*time.Second)
	if obs.Values["STDOUT"] != dir {
		t.Errorf("dir: ran in %v, want %s", obs.Values["STDOUT"], dir)
	}
}

func TestKilledAtDeadlineWithItsChildren(t *testing.T) {
	t.Setenv(AllowEnv, "1")
	pidFile := filepath.Join(t.TempDir(), "child.pid")
	// The background sleep inherits stdout: unless the whole group is
	// killed, it keeps the pipe open and Run waits for it.
	script := "sleep 30 & echo $! > " + pidFile + "; wait"
	start := time.Now()
	obs := observe(t, spec(map[string]any{"command": argv("/bin/sh", "-c", script)}), 500*time.Millisecond)
	if obs.Err == nil || !strings.Contains(obs.Err.Error(), "期限") {
		t.Fatalf("Err = %v", obs.Err)
	}
	if el := time.Since(start); el > 1800*time.Millisecond {
		t.Errorf("took %v: the process group was not killed at the 500ms deadline", el)
	}
	raw, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	// SIGKILL was sent before Check returned; the kernel finishes the
	// process off asynchronously, so allow it a moment.
	deadline := time.Now().Add(3 * time.Second)
	for alive(pid) {
		if time.Now().After(deadline) {
			t.Fatalf("child %d still running after the check's deadline", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// alive reports whether pid is a live process (not gone, not a zombie).
func alive(pid int) bool {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	s := string(stat)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || i+2 >= len(s) || s[i+2] != 'Z'
}

func TestParameterErrors(t *testing.T) {
	for _, params := range []map[string]any{
		{},
		{"command": []any{}},
		{"command": "/usr/bin/df -P"},
		{"command": argv("/bin/true"), "env": map[string]any{"A=B": "x"}},
		{"command": []any{"/bin/echo", 3}},
	} {
		_, err := check.New(spec(params))
		if err == nil || !strings.Contains(err.Error(), "参数 ") {
			t.Errorf("%v: err = %v", params, err)
		}
	}
	if _, err := check.New(spec(map[string]any{"command": "/usr/bin/uptime"})); err != nil {
		t.Errorf("a one-word command as a string: %v", err)
	}
}

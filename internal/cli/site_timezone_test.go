package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// serveArgsEnv, when set, makes the test binary (TestMain) run `opsbook <args>` (the
// arguments separated by newlines) instead of its tests, so that a test
// can run the real command in a process with its own TZ.
const serveArgsEnv = "OPSBOOK_TEST_RUN_ARGS"

func TestMain(m *testing.M) {
	if args := os.Getenv(serveArgsEnv); args != "" {
		os.Exit(Run(context.Background(), &Env{Stdout: os.Stdout, Stderr: os.Stderr, Dir: "."}, strings.Split(args, "\n")))
	}
	os.Exit(m.Run())
}

// servedRepo is a repository with opsbook.yaml's timezone set to tz, a
// one-page built site and an access file logging to access.log.
func servedRepo(t *testing.T, tz string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "opsbook.yaml"), []byte("platform: 测试平台\n# 时区\ntimezone: "+tz+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "public"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "public", "index.html"), []byte("<h1>首页</h1>"), 0o644); err != nil {
		t.Fatal(err)
	}
	h, _ := bcrypt.GenerateFromPassword([]byte("pm-password-1"), bcrypt.MinCost)
	access := fmt.Sprintf("access_log: access.log\nsession:\n  cookie_secure: false\nusers:\n  - {name: pm, password: %q}\nanonymous: [index.html]\n", h)
	if err := os.WriteFile(filepath.Join(dir, "access.yaml"), []byte(access), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestSiteServeLogsLocalTime: the access log of `opsbook site serve` writes
// the repository's time zone (opsbook.yaml timezone: Asia/Shanghai, +08:00)
// whatever the host's TZ is; the command runs in its own process with
// TZ=UTC.
func TestSiteServeLogsLocalTime(t *testing.T) {
	dir := servedRepo(t, "Asia/Shanghai")
	args := []string{"site", "serve", "--repo", dir, "--out", filepath.Join(dir, "public"), "--access", filepath.Join(dir, "access.yaml"), "--addr", "127.0.0.1:0"}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "TZ=UTC", serveArgsEnv+"="+strings.Join(args, "\n"))
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	found := make(chan string, 1)
	var seen strings.Builder
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			seen.WriteString(sc.Text() + "\n")
			if m := siteAddr.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
		close(found)
	}()
	var base string
	select {
	case u, ok := <-found:
		if !ok {
			t.Fatalf("site serve ended before it listened:\n%s", seen.String())
		}
		base = u
	case <-time.After(30 * time.Second):
		t.Fatal("site serve printed no address within 30 s")
	}
	before := time.Now()
	if st, _ := getStatus(t, base); st != 200 {
		t.Fatalf("home page: HTTP %d", st)
	}
	var line string
	deadline := time.Now().Add(10 * time.Second)
	for line == "" && time.Now().Before(deadline) {
		data, _ := os.ReadFile(filepath.Join(dir, "access.log"))
		line, _, _ = strings.Cut(string(data), "\n")
		time.Sleep(20 * time.Millisecond)
	}
	var e struct{ Time string }
	if err := json.Unmarshal([]byte(line), &e); err != nil {
		t.Fatalf("access log line %q: %v", line, err)
	}
	at, err := time.Parse(time.RFC3339Nano, e.Time)
	if err != nil || !strings.HasSuffix(e.Time, "+08:00") {
		t.Fatalf("access log time %q under TZ=UTC: want local time with +08:00 (opsbook.yaml timezone)", e.Time)
	}
	if d := at.Sub(before); d < -2*time.Second || d > 10*time.Second {
		t.Errorf("access log time %s is %v away from the request", e.Time, d)
	}
}

// An unknown time zone in opsbook.yaml stops site serve before it listens,
// naming the file, line and the fix.
func TestSiteServeUnknownTimeZone(t *testing.T) {
	dir := servedRepo(t, "Asia/Nowhere")
	// Were it to serve, it would stop after a while and say so.
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	var out, errb lockedBuffer
	code := Run(ctx, &Env{Stdout: &out, Stderr: &errb, Dir: dir}, []string{"site", "serve", "--repo", dir, "--access", "access.yaml", "--addr", "127.0.0.1:0"})
	stderr := errb.String()
	if code != ExitError || !strings.Contains(stderr, `opsbook.yaml:3:11: 未知时区 "Asia/Nowhere"`) || !strings.Contains(stderr, "Asia/Shanghai") {
		t.Errorf("unknown time zone: exit %d, %s", code, stderr)
	}
}

package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/opsbook/opsbook/internal/testrepo"
)

func TestAccessHashCommand(t *testing.T) {
	oldIn, oldTerm, oldRead := accessStdin, accessIsTerminal, accessReadSecret
	t.Cleanup(func() { accessStdin, accessIsTerminal, accessReadSecret = oldIn, oldTerm, oldRead })

	// From a pipe: one line.
	accessIsTerminal = func() bool { return false }
	accessStdin = strings.NewReader("correct horse battery\n")
	out, stderr, code := run(t, t.TempDir(), "access", "hash")
	h := strings.TrimSpace(out)
	if code != ExitOK || bcrypt.CompareHashAndPassword([]byte(h), []byte("correct horse battery")) != nil {
		t.Fatalf("access hash from a pipe: exit %d, %q, %s", code, out, stderr)
	}
	if c, _ := bcrypt.Cost([]byte(h)); c != 12 {
		t.Errorf("cost %d, want 12", c)
	}
	accessStdin = strings.NewReader("short\n")
	if _, stderr, code := run(t, t.TempDir(), "access", "hash"); code != ExitError || !strings.Contains(stderr, "至少 8 个字符") {
		t.Errorf("short password: exit %d, %s", code, stderr)
	}
	if _, stderr, code := run(t, t.TempDir(), "access", "hash", "my-password"); code != ExitError || !strings.Contains(stderr, "不能写在命令行上") {
		t.Errorf("password as an argument: exit %d, %s", code, stderr)
	}

	// From a terminal: typed twice without echo.
	accessIsTerminal = func() bool { return true }
	typed := []string{"typed password 1", "typed password 1"}
	accessReadSecret = func() ([]byte, error) {
		if len(typed) == 0 {
			return nil, errors.New("no more input")
		}
		s := typed[0]
		typed = typed[1:]
		return []byte(s), nil
	}
	out, stderr, code = run(t, t.TempDir(), "access", "hash")
	if code != ExitOK || bcrypt.CompareHashAndPassword([]byte(strings.TrimSpace(out)), []byte("typed password 1")) != nil || !strings.Contains(stderr, "不回显") {
		t.Errorf("typed: exit %d %q %s", code, out, stderr)
	}
	if strings.Contains(stderr, "typed password 1") || strings.Contains(out, "typed password 1") {
		t.Error("the password was echoed")
	}
	typed = []string{"typed password 1", "typed password 2"}
	if _, stderr, code := run(t, t.TempDir(), "access", "hash"); code != ExitError || !strings.Contains(stderr, "不一致") {
		t.Errorf("two different passwords: exit %d, %s", code, stderr)
	}
}

func TestAccessCheckCommand(t *testing.T) {
	dir := t.TempDir()
	example := filepath.Join(testrepo.Root(t), "access.example.yaml")
	out, stderr, code := run(t, dir, "access", "check", example, "--repo", dir)
	if code != ExitOK || !strings.Contains(out, "访问控制文件有效：4 个用户") {
		t.Errorf("the example: exit %d, %q %s", code, out, stderr)
	}
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("users:\n  - name: a\n    password: plain-text\n"), 0o600)
	if _, stderr, code := run(t, dir, "access", "check", "bad.yaml", "--repo", dir); code != ExitFound || !strings.Contains(stderr, "bad.yaml:3:15：用户 a 的 password 不是 bcrypt 哈希") {
		t.Errorf("a bad file: exit %d, %s", code, stderr)
	}
	// Against a built site: a restricted project nobody is granted.
	site := filepath.Join(dir, "public")
	os.MkdirAll(filepath.Join(site, "_access"), 0o755)
	os.WriteFile(filepath.Join(site, "_access", "restricted.json"), []byte(`{"v":1,"prefixes":{"document/DOC-1/":"prj-platform-om-2026","project/prj-x/":"prj-x"},"indexes":{}}`), 0o644)
	if _, stderr, code := run(t, dir, "access", "check", example, "--site", site); code != ExitFound || !strings.Contains(stderr, "受控项目 prj-x 没有在 projects 中授权") {
		t.Errorf("ungranted restricted project: exit %d, %s", code, stderr)
	}
}

// lockedBuffer is a writer safe to read while a command writes to it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

var siteAddr = regexp.MustCompile(`站点：(http://127\.0\.0\.1:\d+/)`)

// serveSite runs opsbook site serve in the background and returns its URL.
func serveSite(t *testing.T, dir string, args ...string) (string, *lockedBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var stdout bytes.Buffer
	stderr := &lockedBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, &Env{Stdout: &stdout, Stderr: stderr, Dir: dir}, append([]string{"site", "serve", "--addr", "127.0.0.1:0", "--repo", dir}, args...))
	}()
	t.Cleanup(func() { cancel(); <-done })
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if m := siteAddr.FindStringSubmatch(stderr.String()); m != nil {
			return m[1], stderr
		}
		select {
		case code := <-done:
			t.Fatalf("site serve ended with %d:\n%s", code, stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("site serve printed no address:\n%s", stderr.String())
	return "", nil
}

func noRedirect() *http.Client {
	return &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func getStatus(t *testing.T, u string, cookies ...*http.Cookie) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", u, nil)
	for _, c := range cookies {
		req.AddCookie(c)
	}
	resp, err := noRedirect().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// TestSiteServeAccess: opsbook site build, then site serve without and with
// --access, over HTTP on 127.0.0.1.
func TestSiteServeAccess(t *testing.T) {
	dir := testrepo.Fixed(t)
	_, stderr, code := run(t, dir, "site", "build", "--repo", dir)
	if code != ExitOK || !strings.Contains(stderr, "受控内容：") || !strings.Contains(stderr, "site serve --access") {
		t.Fatalf("site build: exit %d\n%s", code, stderr)
	}
	restricted := "document/DOC-2026-007/"

	// Without an access file: restricted content is refused, with a warning.
	base, log := serveSite(t, dir)
	if !strings.Contains(log.String(), "未指定 --access") {
		t.Errorf("site serve without --access does not warn about restricted content:\n%s", log.String())
	}
	if st, _ := getStatus(t, base+restricted); st != http.StatusForbidden {
		t.Errorf("without --access: %s HTTP %d, want 403", restricted, st)
	}
	if st, _ := getStatus(t, base+"document/DOC-2026-002/"); st != http.StatusOK {
		t.Errorf("without --access: a public document HTTP %d", st)
	}

	// With an access file.
	h, _ := bcrypt.GenerateFromPassword([]byte("pm-password-1"), bcrypt.MinCost)
	file := filepath.Join(dir, "access.yaml")
	os.WriteFile(file, []byte(fmt.Sprintf("access_log: access.log\nsession:\n  cookie_secure: false\nusers:\n  - {name: pm, password: %q, groups: [upgrade]}\n"+
		"anonymous: [index.html, \"css/**\", \"js/**\"]\nrules:\n  - {paths: [\"**\"], groups: [\"*\"]}\nprojects:\n  prj-upgrade-2026: [upgrade]\n", h)), 0o600)
	base, _ = serveSite(t, dir, "--access", "access.yaml")
	if st, _ := getStatus(t, base); st != http.StatusOK {
		t.Errorf("home page: HTTP %d", st)
	}
	req, _ := http.NewRequest("GET", base+restricted, nil)
	resp, err := noRedirect().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || !strings.HasPrefix(resp.Header.Get("Location"), "../../_access/login?next=") {
		t.Errorf("anonymous %s: HTTP %d Location %q", restricted, resp.StatusCode, resp.Header.Get("Location"))
	}
	// Sign in through the form.
	resp, err = http.Get(base + "_access/login")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var csrf *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "opsbook_csrf" {
			csrf = c
		}
	}
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindSubmatch(page)
	if csrf == nil || m == nil || !strings.Contains(string(page), "用户名") {
		t.Fatalf("sign-in page:\n%s", page)
	}
	form := url.Values{"user": {"pm"}, "password": {"pm-password-1"}, "csrf": {strings.ReplaceAll(string(m[1]), "&#43;", "+")}, "next": {restricted}}
	req, _ = http.NewRequest("POST", base+"_access/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(csrf)
	resp, err = noRedirect().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var session *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "opsbook_session" {
			session = c
		}
	}
	if resp.StatusCode != http.StatusSeeOther || session == nil || resp.Header.Get("Location") != "../"+restricted {
		t.Fatalf("sign-in: HTTP %d, session %v, Location %q", resp.StatusCode, session != nil, resp.Header.Get("Location"))
	}
	if st, body := getStatus(t, base+restricted, session); st != http.StatusOK || !strings.Contains(body, "目录元数据迁移方案") {
		t.Errorf("signed in %s: HTTP %d", restricted, st)
	}
	st, body := getStatus(t, base+"_access/search.json", session)
	var sj struct{ Indexes []string }
	if st != http.StatusOK || json.Unmarshal([]byte(body), &sj) != nil || len(sj.Indexes) != 1 || sj.Indexes[0] != "search-restricted/prj-upgrade-2026/" {
		t.Errorf("search.json: HTTP %d %s", st, body)
	}
	// The access log, next to the access file, has a JSON line per request.
	data, err := os.ReadFile(filepath.Join(dir, "access.log"))
	if err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(filepath.Join(dir, "access.log")); fi.Mode().Perm() != 0o600 {
		t.Errorf("access log mode %v, want 0600", fi.Mode().Perm())
	}
	var signedIn bool
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var e map[string]any
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("access log line %q: %v", line, err)
		}
		if e["decision"] == "signed-in" && e["user"] == "pm" {
			signedIn = true
		}
	}
	if !signedIn {
		t.Errorf("the access log does not record pm signing in:\n%s", data)
	}
	if _, err := os.Stat(filepath.Join(dir, ".opsbook-session.key")); err != nil {
		t.Errorf("no session secret generated beside the access file: %v", err)
	}

	// A broken access file stops serve before it listens.
	os.WriteFile(file, []byte("users: []\n"), 0o600)
	if _, stderr, code := run(t, dir, "site", "serve", "--repo", dir, "--access", file, "--addr", "127.0.0.1:0"); code != ExitError || !strings.Contains(stderr, "没有任何用户") {
		t.Errorf("broken access file: exit %d, %s", code, stderr)
	}
	if _, stderr, code := run(t, dir, "site", "build", "--repo", dir, "--access", file); code != ExitError || !strings.Contains(stderr, "--access 只用于") {
		t.Errorf("build --access: exit %d, %s", code, stderr)
	}

	// --omit-restricted: no restricted page at all.
	if _, stderr, code := run(t, dir, "site", "build", "--repo", dir, "--omit-restricted"); code != ExitOK || !strings.Contains(stderr, "未发布（--omit-restricted）") {
		t.Errorf("build --omit-restricted: exit %d, %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "public", "document", "DOC-2026-007")); err == nil {
		t.Error("--omit-restricted built the restricted document's page")
	}
}

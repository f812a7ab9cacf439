package access

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// The tests serve a small hand-made site over real HTTP on 127.0.0.1. Its
// restricted content carries marker words that must never reach anyone not
// granted its project.

const (
	secretTitleA = "绝密合同标题甲"    // DOC-SEC, confidential document of the public project prj-a
	secretTitleB = "受控项目乙的设计说明" // DOC-B, document of the restricted project prj-b
	secretProjB  = "受控项目乙"      // prj-b's own title
	outsideText  = "OUTSIDE-PUBLIC-SECRET"
)

// siteFiles is the test site: path → content.
var siteFiles = map[string]string{
	"index.html":                           "<h1>首页</h1>",
	"css/site.css":                         "body{}",
	"js/site.js":                           "void 0;",
	"search/index.html":                    "<h1>搜索</h1>",
	"search/search.js":                     "void 0;",
	"search/index/meta.json":               `{"v":1}`,
	"search/index/p/0.txt":                 "公开\t00\n",
	"report/RPT-2026-W48/index.html":       "<h1>周报</h1>",
	"change/CHG-2026-001/index.html":       "<h1>变更</h1>",
	"document/index.html":                  "<h1>文档</h1><td>受控文档（需授权）</td>",
	"document/DOC-PUB/index.html":          "<h1>公开文档</h1>",
	"document/DOC-PUB/files/手册.pdf":        "%PDF-1.4 public",
	"document/DOC-PUB/files/page.html":     "<script>alert(1)</script>",
	"document/DOC-SEC/index.html":          "<h1>" + secretTitleA + "</h1>",
	"document/DOC-SEC/files/合同.docx":       "PK " + secretTitleA,
	"document/DOC-B/index.html":            "<h1>" + secretTitleB + "</h1>",
	"project/prj-a/index.html":             "<h1>公开项目甲</h1>",
	"project/prj-b/index.html":             "<h1>" + secretProjB + "</h1>",
	"search-restricted/prj-a/meta.json":    `{"v":1,"title":"` + secretTitleA + `"}`,
	"search-restricted/prj-a/d/0.json":     `[["document/DOC-SEC/","` + secretTitleA + `"]]`,
	"search-restricted/prj-b/meta.json":    `{"v":1,"title":"` + secretTitleB + `"}`,
	"search-restricted/prj-b/p/0.txt":      secretTitleB + "\t00\n",
	"_access/restricted.json":              manifestJSON,
	"empty-dir/.keep-out":                  "hidden",
	"document/DOC-PUB/files/sub/说明 附件.txt": "公开附件",
}

const manifestJSON = `{"v":1,"prefixes":{
 "document/DOC-SEC/":"prj-a","document/DOC-B/":"prj-b","project/prj-b/":"prj-b",
 "search-restricted/prj-a/":"prj-a","search-restricted/prj-b/":"prj-b"},
 "indexes":{"prj-a":"search-restricted/prj-a/","prj-b":"search-restricted/prj-b/"}}`

// makeSite writes the test site under dir/public, a secret beside it, and
// symbolic links inside it pointing out (and one pointing in).
func makeSite(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	pub := filepath.Join(dir, "public")
	for name, body := range siteFiles {
		p := filepath.Join(pub, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "secret.txt"), []byte(outsideText), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "outside"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "outside", "secret.txt"), []byte(outsideText), 0o644); err != nil {
		t.Fatal(err)
	}
	for link, target := range map[string]string{
		"link-out.txt":          "../secret.txt",
		"linkdir":               "../outside",
		"link-in.html":          "index.html",
		"document/DOC-PUB/evil": "../../../outside",
		"abs-link.txt":          filepath.Join(dir, "secret.txt"),
	} {
		if err := os.Symlink(target, filepath.Join(pub, filepath.FromSlash(link))); err != nil {
			t.Fatal(err)
		}
	}
	return pub
}

// hashes are bcrypt hashes (minimum cost: tests sign in often) by password.
var (
	hashMu sync.Mutex
	hashes = map[string]string{}
)

func hashOf(t testing.TB, pw string) string {
	t.Helper()
	hashMu.Lock()
	defer hashMu.Unlock()
	if h, ok := hashes[pw]; ok {
		return h
	}
	h, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	hashes[pw] = string(h)
	return string(h)
}

// testPolicyYAML is the access file of the matrix: five users and
// anonymous, sections by group, two projects.
func testPolicyYAML(t testing.TB, extra string) string {
	return fmt.Sprintf(`
session:
  secret: "0123456789abcdef0123456789abcdef-test"
  ttl: 1h
login:
  max_failures: 3
  lockout: 10m
  ip_attempts_per_minute: 1000
  ip_max_failures: 1000
  failure_delay: 0s
users:
  - {name: admin,  password: %q, groups: [ops, leaders, pm-a, pm-b]}
  - {name: eng,    password: %q, groups: [ops]}
  - {name: leader, password: %q, groups: [leaders]}
  - {name: pma,    password: %q, groups: [pm-a]}
  - {name: guest,  password: %q}
groups:
  pm-b: [pmb]
anonymous: [index.html, "css/**", "js/**", "search/**"]
rules:
  - {paths: ["report/**"], groups: [leaders, ops]}
  - {paths: ["document/**", "project/**"], groups: [ops, pm-a, pm-b]}
  - {paths: ["**"], groups: ["*"]}
projects:
  prj-a: [pm-a]
  prj-b: [pm-b, leaders]
%s`, hashOf(t, "admin-pass-1"), hashOf(t, "eng-pass-12"), hashOf(t, "leader-pass"), hashOf(t, "pma-pass-123"), hashOf(t, "guest-pass-1"), extra)
}

// testServer serves pub with the policy over real HTTP on 127.0.0.1.
type testServer struct {
	*httptest.Server
	srv *Server
	log *syncBuffer
	now *fakeClock
}

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func startServer(t testing.TB, pub string, policy string, o Options) *testServer {
	t.Helper()
	if policy != "" {
		p, err := Parse("access.yaml", []byte(policy))
		if err != nil {
			t.Fatal(err)
		}
		o.Policy = p
	}
	clock := &fakeClock{t: time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)}
	if o.Now == nil {
		o.Now = clock.Now
	}
	log := &syncBuffer{}
	o.Log = log
	s, err := NewServer(pub, o)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return &testServer{Server: ts, srv: s, log: log, now: clock}
}

// response is what a request got.
type response struct {
	status int
	header http.Header
	body   string
}

// client does requests without following redirects, with an optional
// session cookie and extra headers.
func (ts *testServer) get(t testing.TB, path, session string, hdr ...string) response {
	t.Helper()
	req, err := http.NewRequest("GET", ts.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if session != "" {
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: session})
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	return do(t, req)
}

func do(t testing.TB, req *http.Request) response {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: string(body)}
}

// cookieOf returns the value a response set for a cookie.
func cookieOf(r response, name string) (string, bool) {
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		if c.Name == name {
			return c.Value, true
		}
	}
	return "", false
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// loginForm fetches the sign-in form: its CSRF cookie and token.
func (ts *testServer) loginForm(t testing.TB) (cookie, token string) {
	t.Helper()
	r := ts.get(t, "/_access/login", "")
	if r.status != 200 {
		t.Fatalf("GET /_access/login: %d", r.status)
	}
	c, ok := cookieOf(r, csrfCookie)
	m := csrfField.FindStringSubmatch(r.body)
	if !ok || m == nil {
		t.Fatalf("sign-in page sets no CSRF cookie or token:\n%s", r.body)
	}
	return c, htmlUnescape(m[1])
}

func htmlUnescape(s string) string {
	return strings.NewReplacer("&#43;", "+", "&amp;", "&", "&#34;", `"`, "&#39;", "'", "&lt;", "<", "&gt;", ">").Replace(s)
}

// postLogin posts the sign-in form as a browser would.
func (ts *testServer) postLogin(t testing.TB, user, password, next string, hdr ...string) response {
	t.Helper()
	cookie, token := ts.loginForm(t)
	form := url.Values{"user": {user}, "password": {password}, "csrf": {token}, "next": {next}}
	req, err := http.NewRequest("POST", ts.URL+"/_access/login", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: csrfCookie, Value: cookie})
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	return do(t, req)
}

// signIn returns a session cookie value for user.
func (ts *testServer) signIn(t testing.TB, user, password string) string {
	t.Helper()
	r := ts.postLogin(t, user, password, "")
	s, ok := cookieOf(r, sessionCookie)
	if r.status != http.StatusSeeOther || !ok || s == "" {
		t.Fatalf("signing in as %s: HTTP %d, session cookie %v\n%s", user, r.status, ok, r.body)
	}
	return s
}

// rawRequest sends a request target byte for byte (Go's client would clean
// or re-encode it) and returns the status line's code and the body.
func rawRequest(t testing.TB, addr, target string, hdr ...string) (int, string) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	req := "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
	for i := 0; i+1 < len(hdr); i += 2 {
		req += hdr[i] + ": " + hdr[i+1] + "\r\n"
	}
	if _, err := io.WriteString(conn, req+"\r\n"); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("%q: %v", target, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// logLines parses the access log.
func logLines(t testing.TB, s string) []logEntry {
	t.Helper()
	var out []logEntry
	for _, line := range strings.Split(strings.TrimSpace(s), "\n") {
		if line == "" {
			continue
		}
		var e logEntry
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("access log line is not JSON: %q: %v", line, err)
		}
		out = append(out, e)
	}
	return out
}

package site

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/opsbook/opsbook/internal/access"
	"github.com/opsbook/opsbook/internal/testrepo"
	"github.com/opsbook/opsbook/internal/workspace"
)

// The built site served through internal/access over real HTTP: what an
// anonymous visitor and a signed-in user without the project's grant can
// fetch — every file of public/, every directory URL, the server's JSON —
// never holds a restricted title or text, while the granted user reads it.

// servedPolicy opens everything that is not restricted to anonymous
// visitors (the widest a leak could go) and grants each project to a group.
func servedPolicy(t testing.TB, grants map[string][]string) *access.Policy {
	t.Helper()
	h, err := bcrypt.GenerateFromPassword([]byte("test-password"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("session:\n  secret: \"served-test-secret-0123456789abcdef\"\nlogin:\n  failure_delay: 0s\n  ip_attempts_per_minute: 10000\nusers:\n")
	for _, u := range []string{"eng", "pm-open", "pm-secret", "pm-om", "pm-upgrade"} {
		fmt.Fprintf(&b, "  - {name: %s, password: %q, groups: [%s]}\n", u, h, u)
	}
	b.WriteString("anonymous: [\"**\"]\nprojects:\n")
	for proj, groups := range grants {
		fmt.Fprintf(&b, "  %s: [%s]\n", proj, strings.Join(groups, ", "))
	}
	p, err := access.Parse("access.yaml", []byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// served is a site behind an access.Server on 127.0.0.1.
type served struct {
	*httptest.Server
	out string
}

func serve(t testing.TB, out string, p *access.Policy) *served {
	t.Helper()
	h, err := access.NewServer(out, access.Options{Policy: p})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return &served{Server: ts, out: out}
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// signIn signs in through the sign-in form and returns the session cookie.
func (s *served) signIn(t testing.TB, user string) *http.Cookie {
	t.Helper()
	resp, err := http.Get(s.URL + "/_access/login")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var csrf *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "opsbook_csrf" {
			csrf = c
		}
	}
	m := csrfRE.FindSubmatch(body)
	if csrf == nil || m == nil {
		t.Fatalf("sign-in page without CSRF token")
	}
	token := strings.ReplaceAll(string(m[1]), "&#43;", "+")
	form := url.Values{"user": {user}, "password": {"test-password"}, "csrf": {token}}
	req, _ := http.NewRequest("POST", s.URL+"/_access/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: csrf.Name, Value: csrf.Value})
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err = c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for _, ck := range resp.Cookies() {
		if ck.Name == "opsbook_session" && ck.Value != "" {
			return &http.Cookie{Name: ck.Name, Value: ck.Value}
		}
	}
	t.Fatalf("signing in as %s: HTTP %d, no session", user, resp.StatusCode)
	return nil
}

// crawl fetches every file and directory of the site, the server's JSON
// and pages, as the holder of session (nil: anonymous), and returns the
// bodies of the answers that were 200, by URL path.
func (s *served) crawl(t testing.TB, session *http.Cookie) map[string][]byte {
	t.Helper()
	paths := []string{"/", "/_access/search.json", "/_access/whoami.json", "/_access/login", "/_access/logout", "/_access/restricted.json"}
	err := filepath.WalkDir(s.out, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(s.out, p)
		if rel == "." {
			return nil
		}
		u := "/" + escapeSegments(filepath.ToSlash(rel))
		if d.IsDir() {
			paths = append(paths, u+"/", u)
		} else {
			paths = append(paths, u)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	c := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	got := map[string][]byte{}
	for _, p := range paths {
		req, _ := http.NewRequest("GET", s.URL+p, nil)
		if session != nil {
			req.AddCookie(session)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == 200 {
			got[p] = body
		} else {
			// Refusals and sign-in pages must not leak either.
			got[p+" (HTTP "+fmt.Sprint(resp.StatusCode)+")"] = body
		}
	}
	return got
}

func ok200(got map[string][]byte) int {
	n := 0
	for p := range got {
		if !strings.Contains(p, "(HTTP") {
			n++
		}
	}
	return n
}

// leaks lists the markers found in any answer.
func leaks(got map[string][]byte, markers []string) []string {
	var out []string
	for p, body := range got {
		for _, m := range markers {
			if bytes.Contains(body, []byte(m)) {
				out = append(out, fmt.Sprintf("%s contains %q", p, m))
			}
		}
	}
	return out
}

func TestServedFixtureLeaksNothing(t *testing.T) {
	s := buildRestricted(t, false)
	srv := serve(t, s.out, servedPolicy(t, map[string][]string{"prj-open": {"pm-open"}, "prj-secret": {"pm-secret"}}))
	for _, who := range []string{"", "eng", "pm-secret"} {
		var session *http.Cookie
		if who != "" {
			session = srv.signIn(t, who)
		}
		got := srv.crawl(t, session)
		markers := secretMarkers
		if who == "pm-secret" {
			markers = []string{secretDocTitle, secretDocBody} // prj-open's confidential document only
		}
		for _, l := range leaks(got, markers) {
			t.Errorf("%q: %s", who, l)
		}
		t.Logf("%q: %d URLs requested, %d answered 200, none with restricted text", who, len(got), ok200(got))
	}
	// The granted user does read the restricted page, attachment and index.
	pm := srv.signIn(t, "pm-open")
	got := srv.crawl(t, pm)
	for _, p := range []string{"/document/DOC-2026-802/", "/document/DOC-2026-802/files/" + url.PathEscape(secretFileName), "/search-restricted/prj-open/meta.json"} {
		if _, ok := got[p]; !ok {
			t.Errorf("pm-open cannot read %s", p)
		}
	}
	if !bytes.Contains(got["/_access/search.json"], []byte(`"search-restricted/prj-open/"`)) || bytes.Contains(got["/_access/search.json"], []byte("prj-secret")) {
		t.Errorf("pm-open's search.json: %s", got["/_access/search.json"])
	}
}

// The sample repository, built and served: its restricted project's and
// confidential documents' titles and texts reach nobody without a grant.
func TestServedSampleLeaksNothing(t *testing.T) {
	dir := t.TempDir()
	root := testrepo.SampleCopy(t)
	s := mustBuild(t, root, filepath.Join(dir, "public"))
	st := &stage{rp: mustOpen(t, root), now: fixedNow()}
	st.load(func(string) {})
	// Markers: the restricted records' titles and lines of their bodies,
	// unless a public record says the same (a change may well quote a
	// figure from a confidential plan: that is its author's text).
	var public bytes.Buffer
	for _, r := range st.recs {
		if !r.restricted {
			data, _ := os.ReadFile(filepath.Join(root, filepath.FromSlash(r.Path)))
			public.Write(data)
		}
	}
	var markers []string
	projects := map[string]bool{}
	for _, r := range st.recs {
		if !r.restricted {
			continue
		}
		projects[r.proj] = true
		candidates := []string{r.Title()}
		for _, line := range strings.Split(r.Body, "\n") {
			line = strings.TrimSpace(strings.TrimLeft(line, "#-*>0123456789. "))
			if rs := []rune(line); len(rs) >= 10 {
				candidates = append(candidates, string(rs[:10]))
			}
		}
		for _, c := range candidates {
			if !bytes.Contains(public.Bytes(), []byte(c)) {
				markers = append(markers, c)
			}
		}
	}
	if len(projects) < 2 || len(markers) < 20 {
		t.Fatalf("the sample has restricted records of %d projects (%d markers); want confidential documents and a restricted project", len(projects), len(markers))
	}
	srv := serve(t, s.out, servedPolicy(t, map[string][]string{"prj-platform-om-2026": {"pm-om"}, "prj-upgrade-2026": {"pm-upgrade"}}))
	for _, who := range []string{"", "eng"} {
		var session *http.Cookie
		if who != "" {
			session = srv.signIn(t, who)
		}
		got := srv.crawl(t, session)
		for _, l := range leaks(got, markers) {
			t.Errorf("%q: %s", who, l)
		}
		t.Logf("%q: %d URLs requested, %d answered 200; no answer holds any of %d restricted titles and texts", who, len(got), ok200(got), len(markers))
	}
	got := srv.crawl(t, srv.signIn(t, "pm-upgrade"))
	if body := got["/project/prj-upgrade-2026/"]; !bytes.Contains(body, []byte("项目文件清单")) {
		t.Error("pm-upgrade cannot read the restricted project's page and inventory")
	}
}

func mustOpen(t testing.TB, root string) *workspace.Workspace {
	t.Helper()
	rp, err := workspace.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	return rp
}

package access

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// Expected outcomes in the matrix.
const (
	A = http.StatusOK           // allowed
	L = http.StatusFound        // anonymous, redirected to the sign-in page
	U = http.StatusUnauthorized // anonymous, not a page: 401
	F = http.StatusForbidden    // signed in, not allowed
	N = http.StatusNotFound     // never served
)

// TestAccessMatrix: six identities (anonymous and five users in different
// groups) × 18 paths — pages, attachments, the public and restricted search
// indexes, the manifest — over real HTTP.
func TestAccessMatrix(t *testing.T) {
	ts := startServer(t, makeSite(t), testPolicyYAML(t, ""), Options{})
	users := []struct{ name, password string }{
		{"", ""}, {"admin", "admin-pass-1"}, {"eng", "eng-pass-12"}, {"leader", "leader-pass"}, {"pma", "pma-pass-123"}, {"guest", "guest-pass-1"},
	}
	sessions := make([]string, len(users))
	for i, u := range users {
		if u.name != "" {
			sessions[i] = ts.signIn(t, u.name, u.password)
		}
	}
	matrix := []struct {
		path string
		want [6]int // anonymous, admin, eng, leader, pma, guest
	}{
		{"/", [6]int{A, A, A, A, A, A}},
		{"/index.html", [6]int{A, A, A, A, A, A}},
		{"/css/site.css", [6]int{A, A, A, A, A, A}},
		{"/search/index/p/0.txt", [6]int{A, A, A, A, A, A}},
		{"/report/RPT-2026-W48/", [6]int{L, A, A, A, F, F}},
		{"/change/CHG-2026-001/", [6]int{L, A, A, A, A, A}},
		{"/document/", [6]int{L, A, A, F, A, F}},
		{"/document/DOC-PUB/", [6]int{L, A, A, F, A, F}},
		{"/document/DOC-PUB/files/" + url.PathEscape("手册.pdf"), [6]int{U, A, A, F, A, F}},
		{"/document/DOC-SEC/", [6]int{L, A, F, F, A, F}},
		{"/document/DOC-SEC/files/" + url.PathEscape("合同.docx"), [6]int{U, A, F, F, A, F}},
		{"/document/DOC-B/", [6]int{L, A, F, A, F, F}},
		{"/project/prj-a/", [6]int{L, A, A, F, A, F}},
		{"/project/prj-b/", [6]int{L, A, F, A, F, F}},
		{"/search-restricted/prj-a/meta.json", [6]int{U, A, F, F, A, F}},
		{"/search-restricted/prj-b/p/0.txt", [6]int{U, A, F, A, F, F}},
		{"/search-restricted/prj-c/meta.json", [6]int{U, F, F, F, F, F}},
		{"/_access/restricted.json", [6]int{N, N, N, N, N, N}},
	}
	cells := 0
	for _, row := range matrix {
		for i, u := range users {
			r := ts.get(t, row.path, sessions[i])
			who := u.name
			if who == "" {
				who = "anonymous"
			}
			cells++
			if r.status != row.want[i] {
				t.Errorf("%s GET %s: HTTP %d, want %d", who, row.path, r.status, row.want[i])
				continue
			}
			if r.status == L {
				loc := r.header.Get("Location")
				if !strings.Contains(loc, "_access/login?next=") || strings.HasPrefix(loc, "/") {
					t.Errorf("%s GET %s: redirected to %q, want a relative link to the sign-in page", who, row.path, loc)
				}
			}
			if r.status != A {
				for _, secret := range []string{secretTitleA, secretTitleB, secretProjB} {
					if strings.Contains(r.body, secret) {
						t.Errorf("%s GET %s (HTTP %d): the answer contains %q", who, row.path, r.status, secret)
					}
				}
			}
		}
	}
	t.Logf("access matrix: %d identities × %d paths = %d requests", len(users), len(matrix), cells)

	// The search client learns which restricted indexes it may read.
	for i, want := range [][]string{{}, {"search-restricted/prj-a/", "search-restricted/prj-b/"}, {}, {"search-restricted/prj-b/"}, {"search-restricted/prj-a/"}, {}} {
		r := ts.get(t, "/_access/search.json", sessions[i])
		var got struct {
			User    string   `json:"user"`
			Indexes []string `json:"indexes"`
		}
		if r.status != 200 || json.Unmarshal([]byte(r.body), &got) != nil {
			t.Fatalf("search.json for %q: HTTP %d %s", users[i].name, r.status, r.body)
		}
		if got.User != users[i].name || !slices.Equal(got.Indexes, want) {
			t.Errorf("search.json for %q: %+v, want indexes %q", users[i].name, got, want)
		}
		if r.header.Get("Cache-Control") != "no-store" {
			t.Errorf("search.json may be cached: Cache-Control %q", r.header.Get("Cache-Control"))
		}
	}

	// Every request is in the access log.
	lines := logLines(t, ts.log.String())
	if len(lines) < cells {
		t.Errorf("access log has %d lines for at least %d requests", len(lines), cells)
	}
	var sawDeny, sawAllow bool
	for _, e := range lines {
		if e.Time == "" || e.IP != "127.0.0.1" || e.Method == "" || e.Path == "" || e.Status == 0 || e.Decision == "" {
			t.Errorf("incomplete access log line %+v", e)
		}
		if e.User == "eng" && e.Path == "/document/DOC-SEC/" && e.Decision == "deny" && e.Status == 403 {
			sawDeny = true
		}
		if e.User == "pma" && e.Path == "/document/DOC-SEC/" && e.Decision == "allow" && e.Status == 200 {
			sawAllow = true
		}
	}
	if !sawDeny || !sawAllow {
		t.Errorf("access log lacks eng's denied and pma's allowed request of /document/DOC-SEC/ (deny %v, allow %v)", sawDeny, sawAllow)
	}
}

// A restricted path is refused whatever its case or missing slash.
func TestRestrictedPathVariants(t *testing.T) {
	ts := startServer(t, makeSite(t), testPolicyYAML(t, ""), Options{})
	eng := ts.signIn(t, "eng", "eng-pass-12")
	for _, p := range []string{"/document/DOC-SEC", "/DOCUMENT/doc-sec/", "/document/doc-sec/index.html", "/Search-Restricted/PRJ-A/meta.json"} {
		if r := ts.get(t, p, eng); r.status != F {
			t.Errorf("eng GET %s: HTTP %d, want 403", p, r.status)
		}
	}
	admin := ts.signIn(t, "admin", "admin-pass-1")
	r := ts.get(t, "/document/DOC-SEC", admin)
	if r.status != http.StatusMovedPermanently || r.header.Get("Location") != "DOC-SEC/" {
		t.Errorf("admin GET /document/DOC-SEC: HTTP %d Location %q, want 301 to DOC-SEC/", r.status, r.header.Get("Location"))
	}
	if r := ts.get(t, "/document/DOC-SEC/", admin); r.header.Get("Cache-Control") != "no-store" {
		t.Errorf("a restricted page may be cached: Cache-Control %q", r.header.Get("Cache-Control"))
	}
}

// Attachments are downloads (an HTML attachment must not run in the site's
// origin); PDFs and images are shown inline.
func TestAttachmentHeaders(t *testing.T) {
	ts := startServer(t, makeSite(t), testPolicyYAML(t, ""), Options{})
	eng := ts.signIn(t, "eng", "eng-pass-12")
	r := ts.get(t, "/document/DOC-PUB/files/page.html", eng)
	if cd := r.header.Get("Content-Disposition"); r.status != 200 || !strings.HasPrefix(cd, "attachment") || !strings.Contains(r.header.Get("Content-Security-Policy"), "sandbox") {
		t.Errorf("HTML attachment: HTTP %d, Content-Disposition %q, CSP %q: want a sandboxed download", r.status, cd, r.header.Get("Content-Security-Policy"))
	}
	r = ts.get(t, "/document/DOC-PUB/files/"+url.PathEscape("手册.pdf"), eng)
	if cd := r.header.Get("Content-Disposition"); !strings.HasPrefix(cd, "inline") || r.header.Get("Content-Type") != "application/pdf" {
		t.Errorf("PDF attachment: Content-Disposition %q, Content-Type %q", cd, r.header.Get("Content-Type"))
	}
	r = ts.get(t, "/document/DOC-PUB/files/sub/"+url.PathEscape("说明 附件.txt"), eng)
	if r.status != 200 || r.body != "公开附件" {
		t.Errorf("attachment in a sub-directory with a space: HTTP %d %q", r.status, r.body)
	}
	if r := ts.get(t, "/", ""); r.header.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(r.header.Get("Content-Security-Policy"), "script-src 'self'") {
		t.Errorf("home page headers: %v", r.header)
	}
}

// TestPathTraversal: eight kinds of attempts to read outside public/, sent
// byte for byte; none is answered with anything outside.
func TestPathTraversal(t *testing.T) {
	pub := makeSite(t)
	ts := startServer(t, pub, testPolicyYAML(t, ""), Options{})
	addr := strings.TrimPrefix(ts.URL, "http://")
	admin := ts.signIn(t, "admin", "admin-pass-1")
	cookie := sessionCookie + "=" + admin
	kinds := []struct {
		kind    string
		targets []string
		want    int
	}{
		{"../ segments", []string{"/../secret.txt", "/document/../../secret.txt", "/./index.html", "/css/../../secret.txt"}, 400},
		{"encoded dots", []string{"/%2e%2e/secret.txt", "/%2E%2E/%2e%2e/secret.txt", "/.%2e/secret.txt", "/document/%2e%2e/%2e%2e/secret.txt"}, 400},
		{"encoded slash", []string{"/..%2fsecret.txt", "/document%2f..%2f..%2fsecret.txt", "/%2F%2Fetc/passwd"}, 400},
		{"backslash", []string{"/..\\secret.txt", "/%5c..%5csecret.txt", "/document\\..\\..\\secret.txt"}, 400},
		{"double encoding", []string{"/%252e%252e/secret.txt", "/%252e%252e%252fsecret.txt", "/%25%32%65%25%32%65/secret.txt"}, 400},
		{"NUL", []string{"/index.html%00.txt", "/secret.txt%00", "/index.html%00"}, 400},
		{"absolute path", []string{"//etc/passwd", "//" + strings.TrimPrefix(filepath.Dir(pub), "/") + "/secret.txt", "http://127.0.0.1/../secret.txt"}, 400},
		{"symlink in public/", []string{"/link-out.txt", "/linkdir/secret.txt", "/link-in.html", "/abs-link.txt", "/document/DOC-PUB/evil/secret.txt"}, 403},
	}
	for _, k := range kinds {
		for _, target := range k.targets {
			status, body := rawRequest(t, addr, target, "Cookie", cookie)
			if status != k.want {
				t.Errorf("%s: GET %s: HTTP %d, want %d", k.kind, target, status, k.want)
			}
			if strings.Contains(body, outsideText) {
				t.Errorf("%s: GET %s returned the file outside public/", k.kind, target)
			}
		}
	}
	// A path that exists on the machine but not in public/ is just missing.
	for _, target := range []string{"/etc/passwd", "/secret.txt", "/.keep-out", "/empty-dir/.keep-out"} {
		status, body := rawRequest(t, addr, target, "Cookie", cookie)
		if status != 404 && status != 400 {
			t.Errorf("GET %s: HTTP %d, want 404 (or 400 for a dot file)", target, status)
		}
		if strings.Contains(body, outsideText) || strings.Contains(body, "root:") {
			t.Errorf("GET %s returned a file outside public/", target)
		}
	}
	// The refusals are in the access log as bad-path.
	n := 0
	for _, e := range logLines(t, ts.log.String()) {
		if e.Decision == "bad-path" {
			n++
		}
	}
	if n < 25 {
		t.Errorf("access log has %d bad-path lines, want one per refused attempt (≥ 25)", n)
	}
}

// TestBruteForce: failures are slowed, a user name is locked out after
// max_failures (even with the right password), an address after
// ip_max_failures, attempts beyond ip_attempts_per_minute are refused with
// Retry-After, and the lock ends after lockout.
func TestBruteForce(t *testing.T) {
	pub := makeSite(t)
	policy := strings.Replace(testPolicyYAML(t, ""), "failure_delay: 0s", "failure_delay: 150ms", 1)
	ts := startServer(t, pub, policy, Options{})

	for i := 1; i <= 3; i++ {
		start := time.Now()
		r := ts.postLogin(t, "eng", "wrong-password", "")
		if took := time.Since(start); took < 150*time.Millisecond {
			t.Errorf("failure %d answered after %v, want ≥ failure_delay 150ms", i, took)
		}
		if r.status != http.StatusUnauthorized {
			t.Fatalf("failure %d: HTTP %d, want 401", i, r.status)
		}
		if _, ok := cookieOf(r, sessionCookie); ok {
			t.Fatalf("failure %d set a session cookie", i)
		}
		if i == 3 && !strings.Contains(r.body, "已锁定 10 分钟") {
			t.Errorf("the third failure does not say the account is locked for 10 minutes")
		}
	}
	r := ts.postLogin(t, "eng", "eng-pass-12", "")
	if r.status != http.StatusTooManyRequests || !strings.Contains(r.body, "锁定") {
		t.Fatalf("right password during the lock-out: HTTP %d, want 429 锁定", r.status)
	}
	if _, ok := cookieOf(r, sessionCookie); ok {
		t.Fatal("a locked-out user got a session")
	}
	if ra := r.header.Get("Retry-After"); ra != "600" {
		t.Errorf("Retry-After %q, want 600", ra)
	}
	// Other users are not locked by eng's failures.
	ts.signIn(t, "pma", "pma-pass-123")
	// A user name that does not exist is locked the same way (no oracle).
	for range 3 {
		ts.postLogin(t, "nobody", "x-wrong", "")
	}
	if r := ts.postLogin(t, "nobody", "x-wrong", ""); r.status != http.StatusTooManyRequests {
		t.Errorf("unknown user after 3 failures: HTTP %d, want 429 like a real one", r.status)
	}
	ts.now.Add(10*time.Minute + time.Second)
	ts.signIn(t, "eng", "eng-pass-12")

	// Per address: attempts per minute, then failures across user names.
	policy = strings.NewReplacer("ip_attempts_per_minute: 1000", "ip_attempts_per_minute: 4",
		"failure_delay: 0s", "failure_delay: 0s").Replace(testPolicyYAML(t, ""))
	ts2 := startServer(t, pub, policy, Options{})
	for i := 1; i <= 4; i++ {
		ts2.postLogin(t, "user"+string(rune('a'+i)), "wrong-x", "")
	}
	r = ts2.postLogin(t, "admin", "admin-pass-1", "")
	if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") == "" {
		t.Errorf("fifth attempt within a minute: HTTP %d Retry-After %q, want 429 with Retry-After", r.status, r.header.Get("Retry-After"))
	}
	ts2.now.Add(61 * time.Second)
	ts2.signIn(t, "admin", "admin-pass-1")

	policy = strings.Replace(testPolicyYAML(t, ""), "ip_max_failures: 1000", "ip_max_failures: 5", 1)
	ts3 := startServer(t, pub, policy, Options{})
	for i := range 5 {
		ts3.postLogin(t, "spray"+string(rune('a'+i)), "wrong-x", "")
	}
	if r := ts3.postLogin(t, "admin", "admin-pass-1", ""); r.status != http.StatusTooManyRequests {
		t.Errorf("after 5 failures from one address over 5 names: HTTP %d, want the address locked out (429)", r.status)
	}

	var locked, failed int
	for _, e := range logLines(t, ts.log.String()) {
		switch e.Decision {
		case "locked":
			locked++
		case "sign-in-failed":
			failed++
		}
	}
	if locked < 2 || failed < 6 {
		t.Errorf("access log: %d locked and %d sign-in-failed lines, want ≥ 2 and ≥ 6", locked, failed)
	}
}

// The sign-in form refuses posts without the form's token, with another
// token, or from another site.
func TestLoginCSRF(t *testing.T) {
	ts := startServer(t, makeSite(t), testPolicyYAML(t, ""), Options{})
	post := func(cookie, token string, hdr ...string) int {
		form := url.Values{"user": {"admin"}, "password": {"admin-pass-1"}, "csrf": {token}}
		req, _ := http.NewRequest("POST", ts.URL+"/_access/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if cookie != "" {
			req.AddCookie(&http.Cookie{Name: csrfCookie, Value: cookie})
		}
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		r := do(t, req)
		if _, ok := cookieOf(r, sessionCookie); ok && r.status != http.StatusSeeOther {
			t.Errorf("a refused sign-in set a session cookie")
		}
		return r.status
	}
	cookie, token := ts.loginForm(t)
	other, otherToken := ts.loginForm(t)
	forged := sign([]byte("another secret, another server!!"), "csrf", "x")
	for name, status := range map[string]int{
		"no token":            post("", ""),
		"token, no cookie":    post("", token),
		"cookie, no token":    post(cookie, ""),
		"tokens of two forms": post(cookie, otherToken),
		"forged token":        post(forged, forged),
		"cross-site post":     post(other, otherToken, "Sec-Fetch-Site", "cross-site"),
	} {
		if status != http.StatusForbidden {
			t.Errorf("%s: HTTP %d, want 403", name, status)
		}
	}
	if got := post(cookie, token, "Sec-Fetch-Site", "same-origin"); got != http.StatusSeeOther {
		t.Errorf("a proper form post: HTTP %d, want 303", got)
	}
	// The session cookie's attributes.
	r := ts.postLogin(t, "admin", "admin-pass-1", "document/DOC-SEC/")
	var sc *http.Cookie
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		if c.Name == sessionCookie {
			sc = c
		}
	}
	if sc == nil || !sc.HttpOnly || !sc.Secure || sc.SameSite != http.SameSiteStrictMode || sc.MaxAge != 3600 {
		t.Errorf("session cookie %+v: want HttpOnly, Secure, SameSite=Strict, Max-Age 3600", sc)
	}
	if loc := r.header.Get("Location"); loc != "../document/DOC-SEC/" {
		t.Errorf("after sign-in: Location %q, want ../document/DOC-SEC/", loc)
	}
	// next cannot send the user elsewhere.
	for _, next := range []string{"//evil.example/", "https://evil.example/", "/\\evil.example", "../../x", "javascript:alert(1)", "_access/logout"} {
		if loc := ts.postLogin(t, "admin", "admin-pass-1", next).header.Get("Location"); loc != "../" {
			t.Errorf("next=%q: Location %q, want ../ (the home page)", next, loc)
		}
	}
}

// Sessions end: a tampered or forged cookie, an expired one; sign-out
// clears the cookie (TestLogoutRevokesSession: and ends the session).
func TestSessions(t *testing.T) {
	pub := makeSite(t)
	ts := startServer(t, pub, testPolicyYAML(t, ""), Options{})
	s := ts.signIn(t, "pma", "pma-pass-123")
	if r := ts.get(t, "/document/DOC-SEC/", s); r.status != A {
		t.Fatalf("signed-in pma: HTTP %d", r.status)
	}
	id, _, _ := strings.Cut(s, ".")
	other := ts.signIn(t, "admin", "admin-pass-1")
	otherID, otherSig, _ := strings.Cut(other, ".")
	for name, c := range map[string]string{
		"id changed":                  strings.Replace(s, id, id[:len(id)-2]+"AA", 1),
		"signature lost":              id,
		"other's sig":                 id + "." + otherSig,
		"id signed by another secret": sign([]byte("another secret, another server!!"), "session", otherID),
		"unknown id, signed":          sign(ts.srv.p.Secret, "session", randomToken()+randomToken()),
		"garbage":                     "x.y.z",
	} {
		if r := ts.get(t, "/document/DOC-SEC/", c); r.status != L {
			t.Errorf("%s cookie: HTTP %d, want a redirect to sign in", name, r.status)
		}
	}
	if r := ts.get(t, "/document/DOC-SEC/", s); r.status != A {
		t.Errorf("pma's own cookie after the forgeries: HTTP %d", r.status)
	}
	ts.now.Add(time.Hour + time.Second)
	if r := ts.get(t, "/document/DOC-SEC/", s); r.status != L {
		t.Errorf("expired session: HTTP %d, want a redirect to sign in", r.status)
	}
	ts.now.Add(-time.Hour)
	if r := ts.get(t, "/document/DOC-SEC/", s); r.status != L {
		t.Errorf("an expired session came back when the clock went back: HTTP %d", r.status)
	}

	// Sign-out clears the cookie.
	s = ts.signIn(t, "pma", "pma-pass-123")
	out := ts.logout(t, s)
	if v, ok := cookieOf(out, sessionCookie); out.status != http.StatusSeeOther || !ok || v != "" {
		t.Errorf("sign-out: HTTP %d, session cookie %q set %v; want 303 and the cookie cleared", out.status, v, ok)
	}
}

// The single sign-on header is believed only from the trusted proxies.
func TestTrustedHeader(t *testing.T) {
	pub := makeSite(t)
	sso := "trusted_header: X-Remote-User\ngroups_header: X-Remote-Groups\ntrusted_proxies: [127.0.0.1/32]\n"
	ts := startServer(t, pub, testPolicyYAML(t, sso), Options{})
	for _, c := range []struct {
		user, groups, path string
		want               int
	}{
		{"pmb", "", "/document/DOC-B/", A},             // pm-b through the groups section
		{"pmb", "", "/document/DOC-SEC/", F},           // not prj-a
		{"someone", "leaders", "/project/prj-b/", A},   // groups from the header
		{"someone", "", "/report/RPT-2026-W48/", F},    // no group
		{"someone", "ops", "/report/RPT-2026-W48/", A}, //
		{"", "pm-a", "/document/DOC-SEC/", L},          // no user: anonymous
	} {
		r := ts.get(t, c.path, "", "X-Remote-User", c.user, "X-Remote-Groups", c.groups)
		if r.status != c.want {
			t.Errorf("header user %q groups %q GET %s: HTTP %d, want %d", c.user, c.groups, c.path, r.status, c.want)
		}
	}
	// From an address that is not a trusted proxy the header means nothing.
	sso = "trusted_header: X-Remote-User\ngroups_header: X-Remote-Groups\ntrusted_proxies: [10.9.9.9/32]\n"
	ts2 := startServer(t, pub, testPolicyYAML(t, sso), Options{})
	r := ts2.get(t, "/document/DOC-SEC/", "", "X-Remote-User", "admin", "X-Remote-Groups", "pm-a")
	if r.status != L {
		t.Errorf("header from an untrusted address: HTTP %d, want the anonymous redirect", r.status)
	}
	if strings.Contains(r.body, secretTitleA) {
		t.Error("header from an untrusted address read the restricted page")
	}
}

// Without an access file: public pages are served, restricted content is
// refused to everyone (a preview may allow it).
func TestNoPolicy(t *testing.T) {
	pub := makeSite(t)
	ts := startServer(t, pub, "", Options{})
	for path, want := range map[string]int{
		"/": A, "/document/DOC-PUB/": A, "/report/RPT-2026-W48/": A,
		"/document/DOC-SEC/": F, "/project/prj-b/": F, "/search-restricted/prj-a/meta.json": F,
		"/_access/login": N, "/_access/restricted.json": N,
	} {
		if r := ts.get(t, path, ""); r.status != want {
			t.Errorf("no access file: GET %s: HTTP %d, want %d", path, r.status, want)
		}
	}
	if !ts.srv.Restricted() {
		t.Error("Restricted() is false for a site with a manifest")
	}
	pv := startServer(t, pub, "", Options{AllowRestricted: true})
	if r := pv.get(t, "/document/DOC-SEC/", ""); r.status != A {
		t.Errorf("preview: restricted page HTTP %d", r.status)
	}
	if r := pv.get(t, "/_access/search.json", ""); !strings.Contains(r.body, "search-restricted/prj-b/") {
		t.Errorf("preview search.json %s", r.body)
	}
}

// A rebuild swaps public/: the server serves the new directory and its
// manifest at once.
func TestSwappedSiteIsServed(t *testing.T) {
	pub := makeSite(t)
	ts := startServer(t, pub, testPolicyYAML(t, ""), Options{})
	eng := ts.signIn(t, "eng", "eng-pass-12")
	if r := ts.get(t, "/document/DOC-PUB/", eng); r.status != A {
		t.Fatalf("before: HTTP %d", r.status)
	}
	next := pub + ".next"
	if err := os.CopyFS(next, os.DirFS(pub)); err != nil {
		t.Fatal(err)
	}
	m := strings.Replace(manifestJSON, `"document/DOC-B/":"prj-b"`, `"document/DOC-B/":"prj-b","document/DOC-PUB/":"prj-a"`, 1)
	if err := os.WriteFile(filepath.Join(next, "_access", "restricted.json"), []byte(m), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(pub, pub+".old"); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(next, pub); err != nil {
		t.Fatal(err)
	}
	if r := ts.get(t, "/document/DOC-PUB/", eng); r.status != F {
		t.Errorf("after the swap made DOC-PUB restricted: HTTP %d, want 403", r.status)
	}
}

// TestSuccessfulSignInsSpendNoBudget: many people signing in from one
// address (an office behind NAT) spend none of the address's attempts per
// minute; a wrong password afterwards gets the normal answer, not 429.
func TestSuccessfulSignInsSpendNoBudget(t *testing.T) {
	policy := strings.NewReplacer("ip_attempts_per_minute: 1000", "ip_attempts_per_minute: 4",
		"ip_max_failures: 1000", "ip_max_failures: 4").Replace(testPolicyYAML(t, ""))
	ts := startServer(t, makeSite(t), policy, Options{})
	for range 3 {
		for _, u := range [][2]string{{"admin", "admin-pass-1"}, {"eng", "eng-pass-12"}, {"leader", "leader-pass"}, {"pma", "pma-pass-123"}} {
			ts.signIn(t, u[0], u[1])
		}
	}
	r := ts.postLogin(t, "eng", "wrong-password", "")
	if r.status != http.StatusUnauthorized || !strings.Contains(r.body, "用户名或密码错误") {
		t.Fatalf("a wrong password after 12 successful sign-ins from the address: HTTP %d, want 401 用户名或密码错误\n%s", r.status, r.body)
	}
	// Failures still spend it: three more within the minute and the fifth
	// attempt is refused.
	for range 3 {
		ts.postLogin(t, "eng", "wrong-password", "")
	}
	if r := ts.postLogin(t, "admin", "admin-pass-1", ""); r.status != http.StatusTooManyRequests || !strings.Contains(r.body, "过于频繁") {
		t.Errorf("after 4 failed attempts within a minute from the address: HTTP %d, want 429 过于频繁", r.status)
	}
}

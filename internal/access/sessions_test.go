package access

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// logout signs out through the sign-out form, as a browser does.
func (ts *testServer) logout(t testing.TB, session string) response {
	t.Helper()
	r := ts.get(t, "/_access/logout", session)
	c, _ := cookieOf(r, csrfCookie)
	tok := csrfField.FindStringSubmatch(r.body)
	if tok == nil {
		t.Fatalf("logout page has no form:\n%s", r.body)
	}
	req, _ := http.NewRequest("POST", ts.URL+"/_access/logout", strings.NewReader(url.Values{"csrf": {htmlUnescape(tok[1])}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: csrfCookie, Value: c})
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: session})
	return do(t, req)
}

// TestLogoutRevokesSession: after signing out, the old session cookie —
// replayed by someone who copied it, or a browser that kept it — no longer
// signs anybody in, though it has not expired.
func TestLogoutRevokesSession(t *testing.T) {
	ts := startServer(t, makeSite(t), testPolicyYAML(t, ""), Options{})
	s := ts.signIn(t, "pma", "pma-pass-123")
	other := ts.signIn(t, "pma", "pma-pass-123") // the same user on another computer
	const page = "/document/DOC-SEC/"
	if r := ts.get(t, page, s); r.status != A {
		t.Fatalf("signed-in pma: HTTP %d", r.status)
	}
	out := ts.logout(t, s)
	if v, ok := cookieOf(out, sessionCookie); out.status != http.StatusSeeOther || !ok || v != "" {
		t.Errorf("sign-out: HTTP %d, session cookie %q set %v; want 303 and the cookie cleared", out.status, v, ok)
	}
	if r := ts.get(t, page, s); r.status != L || strings.Contains(r.body, secretTitleA) {
		t.Errorf("the signed-out cookie replayed: HTTP %d, want %d (sign in again)", r.status, L)
	}
	if r := ts.get(t, "/_access/whoami.json", s); !strings.Contains(r.body, `"user":""`) {
		t.Errorf("whoami with the signed-out cookie: %s", r.body)
	}
	if r := ts.get(t, page, other); r.status != A {
		t.Errorf("pma's other session ended too: HTTP %d", r.status)
	}
	var signedOut bool
	for _, e := range logLines(t, ts.log.String()) {
		if e.Decision == "signed-out" && e.User == "pma" {
			signedOut = true
		}
	}
	if !signedOut {
		t.Errorf("the access log does not record pma signing out:\n%s", ts.log.String())
	}
}

// TestAccessFileEditRevokesSessions: removing a user or changing their
// password hash in the access file ends their sessions at the reload — for
// good: putting the old entry back does not revive them. Other users keep
// theirs, and sessions survive reloads that do not touch them.
func TestAccessFileEditRevokesSessions(t *testing.T) {
	pub := makeSite(t)
	file := filepath.Join(t.TempDir(), "access.yaml")
	write := func(text string) {
		t.Helper()
		if err := os.WriteFile(file+".tmp", []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(file+".tmp", file); err != nil {
			t.Fatal(err)
		}
	}
	reload := func(r *Reloading) {
		t.Helper()
		if changed, err := r.Reload(); !changed || err != nil {
			t.Fatalf("reload after an edit: changed %v, %v", changed, err)
		}
	}
	original := testPolicyYAML(t, "")
	write(original)
	p, err := Load(file)
	if err != nil {
		t.Fatal(err)
	}
	clock := &fakeClock{t: time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)}
	r, err := NewReloading(pub, Options{Policy: p, Log: &syncBuffer{}, Now: clock.Now}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	hs := httptest.NewServer(r)
	defer hs.Close()
	ts := &testServer{Server: hs, now: clock}

	const page = "/document/DOC-SEC/"
	pma := ts.signIn(t, "pma", "pma-pass-123")
	admin := ts.signIn(t, "admin", "admin-pass-1")
	eng := ts.signIn(t, "eng", "eng-pass-12")
	for name, s := range map[string]string{"pma": pma, "admin": admin} {
		if got := ts.get(t, page, s).status; got != A {
			t.Fatalf("%s before the edit: %d", name, got)
		}
	}

	// An edit that leaves them alone (a new rule) keeps every session.
	write(original + "\n# a comment\n")
	reload(r)
	if got := ts.get(t, page, pma).status; got != A {
		t.Fatalf("pma after an unrelated edit: %d", got)
	}

	// pma's password is changed and eng is removed.
	changed := strings.Replace(original, hashOf(t, "pma-pass-123"), hashOf(t, "pma-new-pass"), 1)
	changed = strings.Replace(changed, "  - {name: eng,    password: "+quoted(hashOf(t, "eng-pass-12"))+", groups: [ops]}\n", "", 1)
	if strings.Contains(changed, hashOf(t, "eng-pass-12")) || !strings.Contains(changed, hashOf(t, "pma-new-pass")) {
		t.Fatal("test policy did not change")
	}
	write(changed)
	reload(r)
	if got := ts.get(t, page, pma).status; got != L {
		t.Errorf("pma's session after the password change: %d, want %d", got, L)
	}
	if got := ts.get(t, "/index.html", eng); got.status != A || !strings.Contains(ts.get(t, "/_access/whoami.json", eng).body, `"user":""`) {
		t.Errorf("the removed user eng is still signed in")
	}
	if got := ts.get(t, page, admin).status; got != A {
		t.Errorf("admin's session after others' edits: %d, want %d", got, A)
	}

	// Putting the old entries back does not bring the sessions back.
	write(original)
	reload(r)
	if got := ts.get(t, page, pma).status; got != L {
		t.Errorf("pma's old session after the old password came back: %d, want %d", got, L)
	}
	if got := ts.get(t, "/report/RPT-2026-W48/", eng).status; got != L {
		t.Errorf("eng's old session after eng was added back: %d, want %d", got, L)
	}
	if got := ts.get(t, page, ts.signIn(t, "pma", "pma-pass-123")).status; got != A {
		t.Errorf("pma signing in again: %d", got)
	}
}

// TestSessionTableBounded: the server keeps at most so many sessions; the
// oldest go first, and one user signing in over and over ends only their
// own oldest sessions, not everybody else's.
func TestSessionTableBounded(t *testing.T) {
	ts := startServer(t, makeSite(t), testPolicyYAML(t, ""), Options{})
	ts.srv.sessions.max, ts.srv.sessions.perUser = 4, 2
	const page = "/report/RPT-2026-W48/"
	var all []string
	for _, u := range [][2]string{{"admin", "admin-pass-1"}, {"eng", "eng-pass-12"}, {"leader", "leader-pass"}, {"eng", "eng-pass-12"}, {"admin", "admin-pass-1"}} {
		all = append(all, ts.signIn(t, u[0], u[1]))
		ts.now.Add(time.Second)
	}
	// Five sessions, room for four: the oldest (admin's first) is gone.
	want := []int{L, A, A, A, A}
	for i, s := range all {
		if got := ts.get(t, page, s).status; got != want[i] {
			t.Errorf("session %d of 5 with room for 4: HTTP %d, want %d", i+1, got, want[i])
		}
	}
	// eng signs in again and again: only eng's own oldest sessions go.
	var eng []string
	for range 5 {
		eng = append(eng, ts.signIn(t, "eng", "eng-pass-12"))
		ts.now.Add(time.Second)
	}
	for i, s := range eng {
		want := A
		if i < 3 {
			want = L
		}
		if got := ts.get(t, page, s).status; got != want {
			t.Errorf("eng's session %d of 5 with room for 2 per user: HTTP %d, want %d", i+1, got, want)
		}
	}
	if got := ts.get(t, page, all[2]).status; got != A {
		t.Errorf("leader's session after eng signed in five times: HTTP %d, want %d", got, A)
	}
	if n := ts.srv.sessions.len(); n > 4 {
		t.Errorf("%d sessions kept, want at most 4", n)
	}
	// Expired sessions are refused and make room.
	ts.now.Add(time.Hour)
	if got := ts.get(t, page, eng[4]).status; got != L {
		t.Errorf("an expired session: HTTP %d, want %d", got, L)
	}
}

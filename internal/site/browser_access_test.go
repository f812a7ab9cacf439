package site_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"golang.org/x/crypto/bcrypt"

	"github.com/opsbook/opsbook/internal/access"
	"github.com/opsbook/opsbook/internal/site"
)

// The sample's restricted project prj-upgrade-2026 holds DOC-2026-007,
// 目录元数据迁移方案及校验规则 (a confidential plan).
const (
	restrictedDoc   = "document/DOC-2026-007/"
	restrictedQuery = "目录元数据迁移"
)

// accessSite serves the shared browser site through an access file with
// two users: pm, granted prj-upgrade-2026, and eng, granted nothing. The
// session cookies keep their Secure flag: Chromium keeps Secure cookies of
// http://127.0.0.1, a potentially trustworthy origin.
func accessSite(t *testing.T, e *browserEnv) string {
	t.Helper()
	h, err := bcrypt.GenerateFromPassword([]byte("pm-password-1"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	h2, err := bcrypt.GenerateFromPassword([]byte("eng-password-1"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "access.yaml")
	yaml := fmt.Sprintf(`access_log: access.log
users:
  - {name: pm, password: %q, groups: [upgrade]}
  - {name: eng, password: %q, groups: [engineers]}
anonymous: [index.html, "css/**", "js/**", "search/**"]
rules:
  - {paths: ["**"], groups: ["*"]}
projects:
  prj-upgrade-2026: [upgrade]
`, h, h2)
	if err := os.WriteFile(file, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	p, err := access.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	lw := &addrWriter{found: make(chan string, 1)}
	served := make(chan error, 1)
	go func() { served <- site.ServeWith(ctx, e.out, "127.0.0.1:0", site.ServeOptions{Access: p, Log: lw}) }()
	t.Cleanup(func() { cancel(); <-served })
	select {
	case a := <-lw.found:
		return a
	case err := <-served:
		t.Fatalf("site.ServeWith: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("site.ServeWith printed no address within 10 s")
	}
	return ""
}

// privateTab opens a tab in a browser context of its own (its own cookies).
func privateTab(t *testing.T, e *browserEnv) (context.Context, *pageLog) {
	t.Helper()
	l := &pageLog{urls: map[network.RequestID]string{}}
	ctx, cancelTimeout := context.WithTimeout(e.browser, 30*time.Second)
	ctx, cancelTab := chromedp.NewContext(ctx, chromedp.WithNewBrowserContext(), chromedp.WithListener(l.listen))
	t.Cleanup(func() { cancelTab(); cancelTimeout() })
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)); err != nil {
		t.Fatalf("opening a tab: %v", err)
	}
	return ctx, l
}

// signIn fills in and submits the sign-in form and waits for the home page.
func signIn(t *testing.T, ctx context.Context, base, user, password string) {
	t.Helper()
	mustDo(t, ctx, "opening the sign-in page", chromedp.Navigate(base+"_access/login"))
	title := mustRun(t, ctx, "reading the sign-in page", chromedp.Text(chromedp.CSS("h1")))
	if title != "登录" {
		t.Errorf("sign-in page heading %q, want 登录", title)
	}
	mustDo(t, ctx, "typing the user name and password",
		chromedp.SendKeys(chromedp.CSS("#user"), user),
		chromedp.SendKeys(chromedp.CSS("#password"), password),
	)
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS("button[type=submit]")))
	if err != nil {
		t.Fatalf("signing in as %s: %v", user, err)
	}
	if loc := mustRun(t, ctx, "reading the location", chromedp.Location()); resp.Status != 200 || strings.Contains(loc, "_access") {
		t.Fatalf("signing in as %s: HTTP %d at %s", user, resp.Status, loc)
	}
	who := mustRun(t, ctx, "asking who is signed in", chromedp.Evaluate[string](`fetch('_access/whoami.json', {cache: 'no-store'}).then(r => r.json()).then(j => j.user || '')`, chromedp.EvalAwaitPromise))
	if who != user {
		t.Fatalf("signed in as %q, want %q", who, user)
	}
}

// searchFinished waits for a search to finish and returns the result paths
// and which of them carry the 受控 badge.
func searchFinished(t *testing.T, ctx context.Context, base, q string) (paths, restricted []string, status string) {
	t.Helper()
	mustDo(t, ctx, "opening the search page", chromedp.Navigate(base+"search/?q="+url.QueryEscape(q)))
	type state struct {
		Status     string   `json:"status"`
		Paths      []string `json:"paths"`
		Restricted []string `json:"restricted"`
	}
	st := mustRun(t, ctx, "searching "+q, chromedp.Poll[state](`(() => {
  const s = document.getElementById('search-status').textContent.trim();
  if (!s || s.startsWith('正在搜索')) return null;
  const root = new URL('../', location.href).pathname;
  const rel = a => { const p = new URL(a.href).pathname; return p.startsWith(root) ? p.slice(root.length) : p; };
  const items = [...document.querySelectorAll('#search-results li.search-result')];
  if (s.startsWith('共') && !items.length) return null;
  return {status: s,
          paths: items.map(li => rel(li.querySelector('a'))),
          restricted: items.filter(li => li.querySelector('.search-restricted')).map(li => rel(li.querySelector('a')))};
})()`, chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(10*time.Second)))
	return st.Paths, st.Restricted, st.Status
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestBrowserRestrictedSearch: a restricted document is found by search
// only by a user granted its project, after signing in; anonymous visitors
// and other users neither find it nor fetch its project's index.
func TestBrowserRestrictedSearch(t *testing.T) {
	e := browserSite(t)
	base := accessSite(t, e)

	// Anonymous: the public index only.
	ctx, l := privateTab(t, e)
	paths, _, status := searchFinished(t, ctx, base, restrictedQuery)
	if contains(paths, restrictedDoc) {
		t.Errorf("anonymous search for %s found %s", restrictedQuery, restrictedDoc)
	}
	t.Logf("anonymous: %q → %d results (%s)", restrictedQuery, len(paths), status)
	resp := mustRun(t, ctx, "opening the restricted page anonymously", chromedp.NavigateResponse(base+restrictedDoc))
	if loc := mustRun(t, ctx, "reading the location", chromedp.Location()); resp.Status != 200 || !strings.Contains(loc, "_access/login") {
		t.Errorf("anonymous visit to %s: HTTP %d at %s, want the sign-in page", restrictedDoc, resp.Status, loc)
	}
	l.assertClean(t)
	noRestrictedRequests(t, l, "anonymous")

	// eng: signed in, not granted.
	ctx, l = privateTab(t, e)
	signIn(t, ctx, base, "eng", "eng-password-1")
	paths, _, _ = searchFinished(t, ctx, base, restrictedQuery)
	if contains(paths, restrictedDoc) {
		t.Errorf("eng (no grant) found %s", restrictedDoc)
	}
	l.assertClean(t)
	noRestrictedRequests(t, l, "eng")

	// pm: granted prj-upgrade-2026.
	ctx, l = privateTab(t, e)
	signIn(t, ctx, base, "pm", "pm-password-1")
	paths, restricted, status := searchFinished(t, ctx, base, restrictedQuery)
	if !contains(paths, restrictedDoc) || !contains(restricted, restrictedDoc) {
		t.Fatalf("pm: %s not among the results %q (restricted %q; %s)", restrictedDoc, paths, restricted, status)
	}
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`#search-results a[href$="`+restrictedDoc+`"]`)))
	if err != nil {
		t.Fatalf("following the result: %v", err)
	}
	h1 := mustRun(t, ctx, "reading the title", chromedp.Text(chromedp.CSS("main h1")))
	if resp.Status != 200 || !strings.Contains(h1, "目录元数据迁移方案") {
		t.Errorf("pm opening %s: HTTP %d, h1 %q", restrictedDoc, resp.Status, h1)
	}
	l.assertClean(t)
}

// noRestrictedRequests fails if the tab asked for a restricted index.
func noRestrictedRequests(t *testing.T, l *pageLog, who string) {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, u := range l.requests {
		if strings.Contains(u, "/search-restricted/") {
			t.Errorf("%s's tab requested %s", who, u)
		}
	}
}

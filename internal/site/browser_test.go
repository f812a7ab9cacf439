package site_test

// Browser tests of the built site: the sample repository is built once, served
// on loopback by site.Serve, and Debian's Chromium drives the pages through
// chromedp (v0.23, generic API). Every tab records console errors, uncaught
// exceptions, failed requests, HTTP errors and requests to hosts other than
// 127.0.0.1, and each test asserts that its pages produced none.
//
// Chromium missing: skipped on a laptop, a failure with CI=true. The
// dashboard screenshot is written to testdata/browser/dashboard.png, and to
// docs/dashboard.png when OPSBOOK_UPDATE_SCREENSHOT=1.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image/png"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/opsbook/opsbook/internal/check/checktest"
	"github.com/opsbook/opsbook/internal/site"
	"github.com/opsbook/opsbook/internal/testrepo"
)

// browserEnv is the built site, its server and the running browser, shared by
// every browser test.
type browserEnv struct {
	base    string          // site root, http://127.0.0.1:port/
	out     string          // the built site (public/)
	browser context.Context // chromedp context whose browser runs
	missing error           // Chromium is not installed
	err     error           // setup failed
}

var (
	envOnce  sync.Once
	env      browserEnv
	teardown []func() // run by TestMain, last first
)

func TestMain(m *testing.M) {
	code := m.Run()
	for i := len(teardown) - 1; i >= 0; i-- {
		teardown[i]()
	}
	os.Exit(code)
}

// browserSite returns the shared site and browser, building and starting
// them on first use.
func browserSite(t *testing.T) *browserEnv {
	t.Helper()
	envOnce.Do(setupBrowserEnv)
	checktest.RequireService(t, "chromium", env.missing)
	if env.err != nil {
		t.Fatal(env.err)
	}
	return &env
}

// chromiumPath finds Debian's Chromium binary (OPSBOOK_CHROMIUM overrides).
func chromiumPath() (string, error) {
	if p := os.Getenv("OPSBOOK_CHROMIUM"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("OPSBOOK_CHROMIUM: %w", err)
		}
		return p, nil
	}
	for _, p := range []string{"/usr/lib/chromium/chromium", "/usr/bin/chromium"} {
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return p, nil
		}
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", errors.New("no chromium binary (apt-get install chromium fonts-wqy-microhei)")
}

// sampleNow is the fixed "now" of the sample site, so the dashboard is stable.
func sampleNow() time.Time {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		loc = time.FixedZone("CST", 8*3600)
	}
	return time.Date(2026, 11, 27, 10, 0, 0, 0, loc)
}

func setupBrowserEnv() {
	exe, err := chromiumPath()
	if err != nil {
		env.missing = err
		return
	}
	start := time.Now()
	// The subject is the bundled sample's site in a browser; it is built
	// from the checkout itself (read only), git history and all.
	root, err := testrepo.FindRoot()
	if err != nil {
		env.err = err
		return
	}
	tmp, err := os.MkdirTemp("", "opsbook-browser-")
	if err != nil {
		env.err = err
		return
	}
	teardown = append(teardown, func() { os.RemoveAll(tmp) })
	out := filepath.Join(tmp, "public")
	var buildLog bytes.Buffer
	if _, err := site.Build(context.Background(), site.Options{
		Root: root, Out: out, Now: sampleNow(), Log: &buildLog, Language: "zh-cn",
	}); err != nil {
		env.err = fmt.Errorf("building the sample site: %w\n%s", err, buildLog.String())
		return
	}
	built := time.Since(start)
	env.out = out

	// site.Serve prints the address it listens on; read it from its log.
	srvCtx, stopSrv := context.WithCancel(context.Background())
	lw := &addrWriter{found: make(chan string, 1)}
	served := make(chan error, 1)
	go func() { served <- site.Serve(srvCtx, out, "127.0.0.1:0", lw) }()
	teardown = append(teardown, func() { stopSrv(); <-served })
	select {
	case a := <-lw.found:
		env.base = a
	case err := <-served:
		served <- err
		env.err = fmt.Errorf("site.Serve: %v", err)
		return
	case <-time.After(10 * time.Second):
		env.err = errors.New("site.Serve printed no address within 10 s")
		return
	}

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		// Without these Chromium dials Google's services, which this
		// closed network refuses.
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("lang", "zh-CN"),
		chromedp.WindowSize(1280, 900),
		// No UserDataDir: chromedp makes a fresh profile directory and
		// removes it (and any leftover child process) when it ends.
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	browserCtx, cancelBrowser := chromedp.NewContext(allocCtx)
	teardown = append(teardown, cancelAlloc, cancelBrowser)
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(browserCtx) }()
	select {
	case err := <-started:
		if err != nil {
			env.err = fmt.Errorf("starting %s: %w", exe, err)
			return
		}
	case <-time.After(30 * time.Second):
		env.err = fmt.Errorf("%s did not start within 30 s", exe)
		return
	}
	env.browser = browserCtx
	fmt.Fprintf(os.Stderr, "browser tests: site built in %v, Chromium up after %v total (%s)\n",
		built.Round(time.Millisecond), time.Since(start).Round(time.Millisecond), env.base)
}

// addrWriter picks the first http:// URL out of site.Serve's log.
type addrWriter struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	found chan string
	done  bool
}

var urlRE = regexp.MustCompile(`http://127\.0\.0\.1:\d+/`)

func (w *addrWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if !w.done {
		if m := urlRE.Find(w.buf.Bytes()); m != nil {
			w.done = true
			w.found <- string(m)
		}
	}
	return len(p), nil
}

// pageLog collects what a user would see as breakage in one tab. Its listen
// func runs inside chromedp's message loop: it only records.
type pageLog struct {
	mu       sync.Mutex
	urls     map[network.RequestID]string
	requests []string
	problems []string
}

func (l *pageLog) listen(ev any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		u := ev.Request.URL
		l.urls[ev.RequestID] = u
		l.requests = append(l.requests, u)
		if !loopbackURL(u) {
			l.problems = append(l.problems, "request to another host: "+u)
		}
	case *network.EventResponseReceived:
		if ev.Response.Status >= 400 && !tabIcon(ev.Response.URL) {
			l.problems = append(l.problems, fmt.Sprintf("HTTP %d: %s", ev.Response.Status, ev.Response.URL))
		}
	case *network.EventLoadingFailed:
		if tabIcon(l.urls[ev.RequestID]) {
			return
		}
		l.problems = append(l.problems, fmt.Sprintf("request failed (%s, %s): %s",
			ev.Type, ev.ErrorText, l.urls[ev.RequestID]))
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
			var args []string
			for _, a := range ev.Args {
				if a.Description != "" {
					args = append(args, a.Description)
				} else {
					args = append(args, string(a.Value))
				}
			}
			l.problems = append(l.problems, fmt.Sprintf("console.%s: %s", ev.Type, strings.Join(args, " ")))
		}
	case *runtime.EventExceptionThrown:
		l.problems = append(l.problems, "uncaught: "+(&chromedp.ExceptionError{ExceptionDetails: ev.ExceptionDetails}).Error())
	case *cdplog.EventEntryAdded:
		if ev.Entry.Level == cdplog.EntryLevelError && !tabIcon(ev.Entry.URL) {
			l.problems = append(l.problems, fmt.Sprintf("browser log (%s): %s %s", ev.Entry.Source, ev.Entry.Text, ev.Entry.URL))
		}
	}
}

// loopbackURL reports whether u stays on this machine's site server (or is a
// local scheme that makes no request at all).
func loopbackURL(u string) bool {
	p, err := url.Parse(u)
	if err != nil {
		return false
	}
	switch p.Scheme {
	case "data", "blob", "about":
		return true
	case "http", "https", "ws", "wss":
		return p.Hostname() == "127.0.0.1"
	}
	return false
}

// tabIcon reports whether u is the /favicon.ico that Chromium itself asks
// for, at a moment of its own choosing, when a page declares no icon; the
// site ships none, and its 404 is no fault of the page.
func tabIcon(u string) bool {
	p, err := url.Parse(u)
	return err == nil && p.Path == "/favicon.ico"
}

// assertClean fails the test for everything the tab's pages got wrong.
func (l *pageLog) assertClean(t *testing.T) {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.requests) == 0 {
		t.Error("the tab made no request at all: is the network listener working?")
	}
	for _, p := range l.problems {
		t.Error(p)
	}
}

// newTab opens a tab in the shared browser with a deadline of its own; the
// tab closes when the test ends.
func newTab(t *testing.T, e *browserEnv) (context.Context, *pageLog) {
	t.Helper()
	l := &pageLog{urls: map[network.RequestID]string{}}
	ctx, cancelTimeout := context.WithTimeout(e.browser, 20*time.Second)
	ctx, cancelTab := chromedp.NewContext(ctx, chromedp.WithListener(l.listen))
	t.Cleanup(func() { cancelTab(); cancelTimeout() })
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)); err != nil {
		t.Fatalf("opening a tab: %v", err)
	}
	return ctx, l
}

func mustDo(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func mustRun[T any](t *testing.T, ctx context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

// searchState is what the search page shows once a search has finished.
type searchState struct {
	Query  string   `json:"query"`
	Status string   `json:"status"`
	Paths  []string `json:"paths"` // result links, as site-relative paths
}

// pollResults waits until #search-results holds at least one link for which
// accept (a JS expression over the link's site-relative path p) is true for
// every link, and returns the page's state.
func pollResults(t *testing.T, ctx context.Context, what, accept string) searchState {
	t.Helper()
	js := `(() => {
  const root = new URL('../', location.href).pathname;
  const paths = [...document.querySelectorAll('#search-results a[href]')]
    .map(a => new URL(a.href).pathname)
    .map(p => p.startsWith(root) ? p.slice(root.length) : p);
  if (!paths.length || !paths.every(p => ` + accept + `)) return null;
  return {query: document.getElementById('search-q').value,
          status: document.getElementById('search-status').textContent.trim(),
          paths: paths};
})()`
	return mustRun(t, ctx, what, chromedp.Poll[searchState](js,
		chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(10*time.Second)))
}

func (s searchState) has(path string) bool {
	for _, p := range s.Paths {
		if p == path {
			return true
		}
	}
	return false
}

func TestBrowserHomeLoadsClean(t *testing.T) {
	e := browserSite(t)
	ctx, l := newTab(t, e)
	resp := mustRun(t, ctx, "loading the home page", chromedp.NavigateResponse(e.base))
	if resp.Status != 200 {
		t.Fatalf("home page: HTTP %d", resp.Status)
	}
	h2 := mustRun(t, ctx, "reading the section titles",
		chromedp.Evaluate[[]string](`[...document.querySelectorAll('main h2')].map(h => h.textContent.trim())`))
	if !containsPrefix(h2, "各系统最新巡检状态") {
		t.Errorf("home page sections %q: want 各系统最新巡检状态", h2)
	}
	n := mustRun(t, ctx, "counting systems", chromedp.Evaluate[int](`document.querySelectorAll('ul.systems li a').length`))
	if n == 0 {
		t.Error("the dashboard lists no system under 各系统最新巡检状态")
	}
	// Every stylesheet and script the page references actually applied.
	sheets := mustRun(t, ctx, "counting stylesheets", chromedp.Evaluate[int](`document.styleSheets.length`))
	if sheets == 0 {
		t.Error("no stylesheet applied to the home page")
	}
	l.assertClean(t)
}

func containsPrefix(list []string, prefix string) bool {
	for _, s := range list {
		if strings.HasPrefix(s, prefix) {
			return true
		}
	}
	return false
}

// The sample records that the search tests expect (see content/).
const (
	kbTablespace      = "kb/KB-2026-004/"       // Oracle 交换库表空间与临时表空间检查及扩容操作指南
	anomalyTablespace = "anomaly/ANO-2026-005/" // 交换库 USERS 表空间使用率超过 85%
	changeTablespace  = "change/CHG-2026-005/"  // 交换库 USERS 表空间扩容（新增 32 GB 数据文件）
)

func TestBrowserSearchChinese(t *testing.T) {
	e := browserSite(t)
	ctx, l := newTab(t, e)
	mustDo(t, ctx, "opening the search page", chromedp.Navigate(e.base+"search/?q="+url.QueryEscape("表空间")))
	st := pollResults(t, ctx, "searching 表空间", "true")
	for _, want := range []string{kbTablespace, anomalyTablespace, changeTablespace} {
		if !st.has(want) {
			t.Errorf("表空间: %s is not among the results %q", want, st.Paths)
		}
	}
	l.assertClean(t)
}

func TestBrowserSearchMixed(t *testing.T) {
	e := browserSite(t)
	ctx, l := newTab(t, e)
	for _, c := range []struct{ q, want string }{
		{"Oracle 表空间", kbTablespace},
		{"USERS 表空间", anomalyTablespace},
	} {
		mustDo(t, ctx, "opening the search page", chromedp.Navigate(e.base+"search/?q="+url.QueryEscape(c.q)))
		st := pollResults(t, ctx, "searching "+c.q, "true")
		if !st.has(c.want) {
			t.Errorf("%q: %s is not among the results %q", c.q, c.want, st.Paths)
		}
	}
	l.assertClean(t)
}

func TestBrowserSearchDeepLink(t *testing.T) {
	e := browserSite(t)
	ctx, l := newTab(t, e)
	mustDo(t, ctx, "opening the deep link", chromedp.Navigate(e.base+"search/?q="+url.QueryEscape("前置机")))
	st := pollResults(t, ctx, "waiting for the results of the deep link", "true")
	if st.Query != "前置机" {
		t.Errorf("search box holds %q, want the query of the link 前置机", st.Query)
	}
	if st.Status == "" || !regexp.MustCompile(`\d`).MatchString(st.Status) {
		t.Errorf("status %q: want a result count", st.Status)
	}
	if len(st.Paths) == 0 {
		t.Error("no results for 前置机")
	}
	if !st.has("kb/KB-2026-003/") {
		t.Errorf("前置机: kb/KB-2026-003/ (前置机常见故障排查) is not among the results %q", st.Paths)
	}
	l.assertClean(t)
}

func TestBrowserSearchKindFilter(t *testing.T) {
	e := browserSite(t)
	ctx, l := newTab(t, e)
	mustDo(t, ctx, "opening the search page", chromedp.Navigate(e.base+"search/?q="+url.QueryEscape("表空间")))
	all := pollResults(t, ctx, "searching 表空间", "true")
	// Choose 知识库 the way a user does: select the option, which fires change.
	mustDo(t, ctx, "waiting for the kind options", chromedp.WaitReady(chromedp.CSS(`#search-kind option[value="kb"]`)))
	mustDo(t, ctx, "choosing the kind kb", chromedp.Evaluate[chromedp.Void](`(() => {
  const s = document.getElementById('search-kind');
  s.value = 'kb';
  s.dispatchEvent(new Event('change', {bubbles: true}));
})()`))
	kb := pollResults(t, ctx, "searching 表空间 in kb", `p.startsWith('kb/')`)
	if !kb.has(kbTablespace) {
		t.Errorf("kind kb: %s is not among the results %q", kbTablespace, kb.Paths)
	}
	if len(kb.Paths) >= len(all.Paths) {
		t.Errorf("the kind filter did not narrow the results: %d of all kinds, %d of kind kb", len(all.Paths), len(kb.Paths))
	}
	if !all.has(anomalyTablespace) || kb.has(anomalyTablespace) {
		t.Errorf("%s: want it among all kinds (%v) and not among kb (%v)", anomalyTablespace, all.has(anomalyTablespace), kb.has(anomalyTablespace))
	}
	loc := mustRun(t, ctx, "reading the location", chromedp.Location())
	if !strings.Contains(loc, "kind=kb") {
		t.Errorf("location %s: want kind=kb so the filtered search can be linked", loc)
	}
	l.assertClean(t)
}

func TestBrowserSearchKeyboard(t *testing.T) {
	e := browserSite(t)
	ctx, l := newTab(t, e)
	mustDo(t, ctx, "opening the search page", chromedp.Navigate(e.base+"search/"))
	mustDo(t, ctx, "typing a query and pressing Enter",
		chromedp.Focus(chromedp.ID("search-q")),
		chromedp.KeyEvent("前置机"),
		chromedp.KeyEvent("\r"),
	)
	st := pollResults(t, ctx, "waiting for the results of the typed query", "true")
	if st.Query != "前置机" {
		t.Errorf("search box holds %q after typing 前置机", st.Query)
	}
	loc := mustRun(t, ctx, "reading the location", chromedp.Location())
	if u, err := url.Parse(loc); err != nil || !strings.HasSuffix(u.Path, "/search/") {
		t.Errorf("Enter left the search page: %s", loc)
	}
	l.assertClean(t)
}

func TestBrowserDashboardToFailingAsset(t *testing.T) {
	e := browserSite(t)
	ctx, l := newTab(t, e)
	mustDo(t, ctx, "loading the home page", chromedp.Navigate(e.base))
	// The dashboard lists systems worst first. The sample's latest
	// inspections (up to 2026-11-26) have warnings but no failure, so
	// without a failed system the first, worst one is followed.
	link := `ul.systems li.st-failed a`
	n := mustRun(t, ctx, "counting failing systems", chromedp.Evaluate[int](`document.querySelectorAll('`+link+`').length`))
	if n == 0 {
		link = `ul.systems li:first-child a`
		class := mustRun(t, ctx, "reading the first system", chromedp.Evaluate[string](`(document.querySelector('ul.systems li') || {}).className || ''`))
		t.Logf("no failed system on the sample dashboard at %s; following the first (worst) one, class %q",
			sampleNow().Format(time.DateTime), class)
		if class == "" {
			t.Fatal("the dashboard lists no system")
		}
	}
	name := strings.TrimSpace(mustRun(t, ctx, "reading the link", chromedp.Text(chromedp.CSS(link))))
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(link)))
	if err != nil {
		t.Fatalf("clicking %q: %v", name, err)
	}
	if resp.Status != 200 {
		t.Fatalf("asset page of %q: HTTP %d", name, resp.Status)
	}
	loc := mustRun(t, ctx, "reading the location", chromedp.Location())
	if !strings.Contains(loc, "/asset/") {
		t.Errorf("the link %q led to %s, not an asset page", name, loc)
	}
	h1 := mustRun(t, ctx, "reading the title", chromedp.Text(chromedp.CSS("main h1")))
	if name == "" || !strings.Contains(h1, name) {
		t.Errorf("asset page h1 %q does not contain the system's title %q", h1, name)
	}
	related := mustRun(t, ctx, "reading the sections", chromedp.Evaluate[[]string](
		`[...document.querySelectorAll('section.related > h2')].map(h => h.textContent.trim())`))
	if len(related) == 0 || related[0] != "相关记录" {
		t.Errorf("asset page sections %q: want 相关记录", related)
	}
	rows := mustRun(t, ctx, "counting related records", chromedp.Evaluate[int](`document.querySelectorAll('section.related tbody tr').length`))
	if rows == 0 {
		t.Error("the failing asset's 相关记录 lists no record")
	}
	l.assertClean(t)
}

func TestBrowserDashboardScreenshot(t *testing.T) {
	e := browserSite(t)
	ctx, l := newTab(t, e)
	mustDo(t, ctx, "loading the home page", chromedp.Navigate(e.base))
	// The fonts are loaded before the picture is taken.
	mustRun(t, ctx, "waiting for fonts", chromedp.Evaluate[chromedp.Void](`document.fonts.ready.then(() => true)`, chromedp.EvalAwaitPromise))
	buf := mustRun(t, ctx, "taking the screenshot", chromedp.FullScreenshot(100))
	img, err := png.Decode(bytes.NewReader(buf))
	if err != nil {
		t.Fatalf("screenshot is no PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 1280 || b.Dy() < 900 {
		t.Errorf("screenshot is %dx%d, want 1280 wide and the full page (≥ 900 high)", b.Dx(), b.Dy())
	}
	dir := filepath.Join("testdata", "browser")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	art := filepath.Join(dir, "dashboard.png")
	if err := os.WriteFile(art, buf, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s (%d KB)", art, len(buf)/1024)
	if os.Getenv("OPSBOOK_UPDATE_SCREENSHOT") == "1" {
		doc := filepath.Join("..", "..", "docs", "dashboard.png")
		if err := os.WriteFile(doc, buf, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("updated %s", doc)
	}
	l.assertClean(t)
}

func TestBrowserPrintHidesHeader(t *testing.T) {
	e := browserSite(t)
	ctx, l := newTab(t, e)
	resp := mustRun(t, ctx, "loading a change page", chromedp.NavigateResponse(e.base+"change/CHG-2026-002/"))
	if resp.Status != 200 {
		t.Fatalf("change/CHG-2026-002/: HTTP %d", resp.Status)
	}
	display := `getComputedStyle(document.querySelector('header.top')).display`
	if d := mustRun(t, ctx, "reading the header's display", chromedp.Evaluate[string](display)); d == "none" {
		t.Fatalf("header.top is hidden on screen already (display %q)", d)
	}
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
		t.Fatalf("emulating print media: %v", err)
	}
	if d := mustRun(t, ctx, "reading the header's display in print", chromedp.Evaluate[string](display)); d != "none" {
		t.Errorf("in print, header.top has display %q, want none", d)
	}
	if d := mustRun(t, ctx, "reading the record's display in print", chromedp.Evaluate[string](
		`getComputedStyle(document.querySelector('article.record')).display`)); d == "none" {
		t.Error("in print, the change record itself is hidden")
	}
	l.assertClean(t)
}

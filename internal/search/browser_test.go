package search

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/opsbook/opsbook/internal/check/checktest"
)

// searchPage is the DOM contract of doc.go, plus a probe that drives the
// page with the keyboard once results are shown and writes what happened
// into data attributes on <body> for --dump-dom.
const searchPage = `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>搜索</title>
<link rel="stylesheet" href="search.css"></head>
<body>
<form id="search-form" role="search"><input id="search-q" name="q" type="search"><select id="search-kind" name="kind"><option value="">全部类型</option></select></form>
<div id="search-status"></div>
<ol id="search-results"></ol>
<script src="search.js" defer></script>
<script>
window.addEventListener('load', function () {
  if (location.hash !== '#probe') return;
  var input = document.getElementById('search-q'), list = document.getElementById('search-results');
  var tries = 0, t = setInterval(function () {
    if (!list.querySelector('.search-result') && ++tries < 200) return;
    clearInterval(t);
    var key = function (el, k) { el.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true })); };
    var cls = function () { return document.activeElement.className || document.activeElement.id; };
    input.focus();
    key(input, 'ArrowDown');
    var steps = [cls()];
    key(document.activeElement, 'ArrowDown'); steps.push(cls() + ':' + document.activeElement.textContent);
    key(document.activeElement, 'ArrowUp'); key(document.activeElement, 'ArrowUp'); steps.push(cls());
    document.body.setAttribute('data-keys', steps.join('|'));
    // A new query through the form updates the address.
    input.value = '交换 超时';
    document.getElementById('search-form').requestSubmit();
    setTimeout(function () {
      document.body.setAttribute('data-url', location.search);
      document.body.setAttribute('data-status2', document.getElementById('search-status').textContent);
      // Ten results a page, then a button for more.
      input.value = '巡检记录';
      document.getElementById('search-form').requestSubmit();
      setTimeout(function () {
        var before = list.querySelectorAll('.search-result').length;
        list.querySelector('.search-more button').click();
        setTimeout(function () {
          var more = list.querySelector('.search-more button');
          document.body.setAttribute('data-more', before + '→' + list.querySelectorAll('.search-result').length + ' ' + (more ? more.textContent : '') + ' focus:' + document.activeElement.textContent);
        }, 500);
      }, 500);
    }, 500);
  }, 50);
});
</script>
</body></html>`

func TestBrowserSearchPage(t *testing.T) {
	bin, err := exec.LookPath("chromium")
	if err != nil {
		_, err = os.Stat("/usr/lib/chromium/chromium")
		bin = "/usr/lib/chromium/chromium"
	}
	checktest.RequireService(t, "chromium", err)

	site := t.TempDir()
	docs := append(rankingDocs(),
		Doc{URL: "kb/x/", Title: `<img src=x onerror="document.body.setAttribute('data-xss','1')"> 表空间`, Kind: "kb", KindLabel: "知识库", Date: "2025-12-31", Text: `<script>document.body.setAttribute('data-xss','2')</script> 表空间`},
		Doc{URL: "ticket/t1/", Title: "目录系统咨询", Kind: "ticket", KindLabel: "工单", Date: "2026-02-01", Text: "交换超时，已重启 asset-0002 上的 exchange-agent。"},
	)
	for i := range 25 {
		docs = append(docs, Doc{URL: fmt.Sprintf("inspection/%d/", i), Title: fmt.Sprintf("日常巡检记录 %d", i), Kind: "inspection", KindLabel: "巡检", Date: "2026-03-01", Text: "全部正常"})
	}
	if _, err := Write(filepath.Join(site, "search", "index"), docs, Options{}); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"search.js", "search.css"} {
		data, err := os.ReadFile(filepath.Join(filepath.Dir(clientJS), f))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(site, "search", f), data, 0o644)
	}
	os.WriteFile(filepath.Join(site, "search", "index.html"), []byte(searchPage), 0o644)
	var external []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Host != "" && !strings.HasPrefix(r.Host, "127.0.0.1") {
			external = append(external, r.Host+r.URL.Path)
		}
		http.FileServer(http.Dir(site)).ServeHTTP(w, r)
	}))
	defer srv.Close()

	dom := dumpDOM(t, bin, srv.URL+"/search/?q=%E8%A1%A8%E7%A9%BA%E9%97%B4") // ?q=表空间
	for _, want := range []string{
		`<div id="search-status" role="status" aria-live="polite">共 4 条结果</div>`,
		`<option value="change">变更（1）</option>`,
		`<option value="kb">知识库（3）</option>`,
		`<span class="search-kind">变更</span>`,
		`href="` + srv.URL + `/change/a/"`,
		`<mark>表空间</mark>`,
		`&lt;img src=x onerror="document.body.setAttribute('data-xss','1')"&gt; `,
		`'data-xss','2')&lt;/script&gt; <mark>表空间</mark>`,
	} {
		if !strings.Contains(dom, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	if regexp.MustCompile(`<body[^>]*data-xss`).MatchString(dom) {
		t.Error("a payload in page text ran")
	}
	if n := strings.Count(dom, `class="search-result"`); n != 4 {
		t.Errorf("%d results rendered, want 4", n)
	}

	// Keyboard and the address after a new query.
	dom = dumpDOM(t, bin, srv.URL+"/search/?q=%E8%A1%A8%E7%A9%BA%E9%97%B4#probe")
	for _, want := range []string{
		`data-keys="search-result-link|search-result-link:`,
		`data-url="?q=%E4%BA%A4%E6%8D%A2+%E8%B6%85%E6%97%B6"`,
		`data-status2="共 1 条结果"`,
		`data-more="10→20 显示更多（还有 6 条） focus:巡检`,
	} {
		if !strings.Contains(dom, want) {
			t.Errorf("probe: page lacks %s", want)
		}
	}
	if m := regexp.MustCompile(`data-keys="[^"]*\|search-q"`).FindString(dom); m == "" {
		t.Errorf("ArrowUp from the first result does not return to the box: %s", regexp.MustCompile(`data-keys="[^"]*"`).FindString(dom))
	}

	// Deep link with a kind filter, and a query with no result.
	dom = dumpDOM(t, bin, srv.URL+"/search/?q=%E8%A1%A8%E7%A9%BA%E9%97%B4&kind=change")
	if !strings.Contains(dom, "共 1 条结果") || strings.Count(dom, `class="search-result"`) != 1 || !strings.Contains(dom, `href="`+srv.URL+`/change/a/"`) {
		t.Errorf("kind=change deep link: %s, %d results", regexp.MustCompile(`<div id="search-status"[^<]*</div>`).FindString(dom), strings.Count(dom, `class="search-result"`))
	}
	dom = dumpDOM(t, bin, srv.URL+"/search/?q=%E4%B8%8D%E5%AD%98%E5%9C%A8")
	if !strings.Contains(dom, "没有找到与“不存在”相关的结果") {
		t.Errorf("no-result status missing: %s", regexp.MustCompile(`<div id="search-status"[^<]*</div>`).FindString(dom))
	}
	if len(external) > 0 {
		t.Errorf("requests to other hosts: %v", external)
	}
}

func dumpDOM(t *testing.T, bin, url string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
		"--user-data-dir="+t.TempDir(), "--virtual-time-budget=5000", "--dump-dom", url)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium: %v\n%s", err, stderr.String())
	}
	return string(out)
}

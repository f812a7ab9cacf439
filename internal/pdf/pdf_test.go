package pdf

// Print runs Debian's Chromium and is checked with poppler-utils (pdfinfo,
// pdftotext). Either missing: skipped on a laptop, a failure with CI=true.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/opsbook/opsbook/internal/check/checktest"
)

const (
	reportTitle = "运维月报（2026 年 10 月）"
	kpiValue    = "98.6%"
)

// requireChromium returns the Chromium executable or skips/fails.
func requireChromium(t *testing.T) string {
	t.Helper()
	exe, err := FindChromium()
	checktest.RequireService(t, "chromium", err)
	return exe
}

// requirePoppler checks that pdfinfo and pdftotext are installed.
func requirePoppler(t *testing.T) {
	t.Helper()
	for _, name := range []string{"pdfinfo", "pdftotext"} {
		_, err := exec.LookPath(name)
		checktest.RequireService(t, name+" (poppler-utils)", err)
	}
}

// monthlyReport is a Chinese report long enough for about three A4 pages.
func monthlyReport(extra string) []byte {
	return report("@page { size: A4; }", extra)
}

// report is monthlyReport with a CSS rule of the caller's in place of the
// @page rule.
func report(pageCSS, extra string) []byte {
	var b strings.Builder
	b.WriteString(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>` + reportTitle + `</title>
<style>
` + pageCSS + `
body { font-family: "WenQuanYi Micro Hei", "Noto Sans CJK SC", sans-serif; font-size: 11pt; line-height: 1.6; }
h1 { font-size: 20pt; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #999; padding: 4px 8px; }
th { background: #e8eef7; }
</style></head><body>
<h1>` + reportTitle + `</h1>
<h2>一、关键指标</h2>
<table>
<tr><th>指标</th><th>本期</th><th>上期</th></tr>
<tr><td>巡检通过率</td><td>` + kpiValue + `</td><td>97.9%</td></tr>
<tr><td>异常平均处理时长</td><td>2.4 小时</td><td>3.1 小时</td></tr>
<tr><td>变更成功率</td><td>100%</td><td>96.0%</td></tr>
</table>
`)
	b.WriteString(extra)
	b.WriteString("<h2>二、巡检明细</h2>\n<table>\n<tr><th>日期</th><th>系统</th><th>检查项</th><th>结果</th></tr>\n")
	systems := []string{"数据交换平台", "统一身份认证", "政务数据共享门户", "目录管理系统"}
	for i := 0; i < 50; i++ {
		fmt.Fprintf(&b, "<tr><td>2026-10-%02d</td><td>%s</td><td>表空间使用率、接口可用性、证书有效期</td><td>%s</td></tr>\n",
			i%31+1, systems[i%len(systems)], map[bool]string{true: "通过", false: "异常"}[i%13 != 0])
	}
	b.WriteString("</table>\n<h2>三、问题与建议</h2>\n")
	for i := 0; i < 8; i++ {
		b.WriteString("<p>交换库 USERS 表空间使用率持续上升，按当前趋势预计在 30 天内超过 85%，建议在下一个变更窗口内新增数据文件，并在扩容后复核备份策略与归档空间。</p>\n")
	}
	b.WriteString("</body></html>\n")
	return []byte(b.String())
}

func pdfPages(t *testing.T, file string) int {
	t.Helper()
	out, err := exec.Command("pdfinfo", file).CombinedOutput()
	if err != nil {
		t.Fatalf("pdfinfo %s: %v\n%s", file, err, out)
	}
	m := regexp.MustCompile(`(?m)^Pages:\s+(\d+)`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("pdfinfo %s: no page count in\n%s", file, out)
	}
	n, _ := strconv.Atoi(string(m[1]))
	return n
}

func pdfInfo(t *testing.T, file, field string) string {
	t.Helper()
	out, err := exec.Command("pdfinfo", file).CombinedOutput()
	if err != nil {
		t.Fatalf("pdfinfo %s: %v\n%s", file, err, out)
	}
	m := regexp.MustCompile(`(?m)^` + field + `:\s+(.*)$`).FindSubmatch(out)
	if m == nil {
		return ""
	}
	return strings.TrimSpace(string(m[1]))
}

// pageSize is the first page's size in points; it fails the test unless
// that is A4 (595 x 842 pts, give or take Chromium's rounding), either way up.
func pageSize(t *testing.T, file string) (w, h float64) {
	t.Helper()
	size := pdfInfo(t, file, "Page size")
	if _, err := fmt.Sscanf(size, "%g x %g pts", &w, &h); err != nil {
		t.Fatalf("pdfinfo %s: page size %q: %v", file, size, err)
	}
	near := func(a, b float64) bool { return a > b-2 && a < b+2 }
	if !(near(w, 595) && near(h, 842)) && !(near(w, 842) && near(h, 595)) {
		t.Errorf("page size %q, want A4 (595 x 842 pts)", size)
	}
	return w, h
}

func pdfText(t *testing.T, file string) string {
	t.Helper()
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", file, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext %s: %v", file, err)
	}
	return string(out)
}

func TestPrintMonthlyReport(t *testing.T) {
	exe := requireChromium(t)
	requirePoppler(t)
	out := filepath.Join(t.TempDir(), "月报.pdf")
	start := time.Now()
	if err := Print(context.Background(), monthlyReport(""), out, Options{PageNumbers: true}); err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(data, []byte("%PDF-")) {
		t.Fatalf("%s does not start with %%PDF-: %q", out, data[:min(len(data), 16)])
	}
	pages := pdfPages(t, out)
	if pages < 2 || pages > 5 {
		t.Errorf("%d pages, want 2 to 5", pages)
	}
	if w, h := pageSize(t, out); w > h {
		t.Errorf("page size %v x %v pts, want portrait A4", w, h)
	}
	if got := pdfInfo(t, out, "Title"); got != reportTitle {
		t.Errorf("PDF title %q, want %q", got, reportTitle)
	}
	text := pdfText(t, out)
	for _, want := range []string{reportTitle, "巡检通过率", kpiValue} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF's text lacks %q", want)
		}
	}
	// pdftotext drops the spaces of the small footer.
	squeezed := strings.Join(strings.Fields(text), "")
	for i := 1; i <= pages; i++ {
		if want := fmt.Sprintf("第%d页/共%d页", i, pages); !strings.Contains(squeezed, want) {
			t.Errorf("no footer %q", want)
		}
	}
	t.Logf("%s: %d pages, %d bytes, %v (Chromium %s)", filepath.Base(out), pages, len(data), took.Round(time.Millisecond), exe)
	if fi, err := os.Stat(out); err == nil && fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", fi.Mode().Perm())
	}
	leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(out), ".*.tmp"))
	if len(leftovers) > 0 {
		t.Errorf("temporary files left: %q", leftovers)
	}
}

func TestPrintTitleAndLandscape(t *testing.T) {
	requireChromium(t)
	requirePoppler(t)
	out := filepath.Join(t.TempDir(), "r.pdf")
	title := "运维周报（2026-W44）"
	// No @page size, so Landscape decides.
	if err := Print(context.Background(), report("", ""), out, Options{Title: title, Landscape: true, PageNumbers: true}); err != nil {
		t.Fatal(err)
	}
	if got := pdfInfo(t, out, "Title"); got != title {
		t.Errorf("PDF title %q, want %q", got, title)
	}
	if w, h := pageSize(t, out); w < h {
		t.Errorf("page size %v x %v pts, want landscape A4", w, h)
	}
	if text := pdfText(t, out); !strings.Contains(text, title) {
		t.Errorf("the header does not show %q", title)
	}
}

// The document asks for resources over http, https, another local file and
// a host name: none of them is fetched, the loopback server sees nothing, and
// the PDF is still printed.
func TestPrintBlocksNetwork(t *testing.T) {
	requireChromium(t)
	requirePoppler(t)
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "text/css")
		fmt.Fprint(w, "body { color: red; }")
	}))
	defer srv.Close()
	secret := filepath.Join(t.TempDir(), "secret.txt")
	if err := os.WriteFile(secret, []byte("本地机密文件内容"), 0o644); err != nil {
		t.Fatal(err)
	}
	extra := `<link rel="stylesheet" href="` + srv.URL + `/style.css">
<img src="` + srv.URL + `/logo.png" alt="">
<img src="https://intranet.example/logo.png" alt="">
<iframe src="` + fileURL(secret) + `"></iframe>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACwAAAAAAQABAAA=" alt="">
<script>fetch("` + srv.URL + `/beacon").catch(() => {});</script>
`
	var mu sync.Mutex
	var blocked []string
	out := filepath.Join(t.TempDir(), "r.pdf")
	err := Print(context.Background(), monthlyReport(extra), out, Options{Blocked: func(u string) {
		mu.Lock()
		defer mu.Unlock()
		blocked = append(blocked, u)
	}})
	if err != nil {
		t.Fatal(err)
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the loopback server got %d requests, want none", n)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, want := range []string{srv.URL + "/style.css", srv.URL + "/logo.png", "https://intranet.example/logo.png", fileURL(secret)} {
		found := false
		for _, b := range blocked {
			found = found || b == want
		}
		if !found {
			t.Errorf("%s was not reported as blocked (blocked: %q)", want, blocked)
		}
	}
	for _, b := range blocked {
		if strings.HasPrefix(b, "data:") {
			t.Errorf("a data: URL was blocked: %.60s", b)
		}
	}
	if text := pdfText(t, out); strings.Contains(text, "本地机密文件内容") {
		t.Error("the PDF shows the content of a local file outside the document")
	}
}

// A failed print leaves nothing at out, and an existing file there as it was.
func TestPrintFailureWritesNothing(t *testing.T) {
	requireChromium(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "r.pdf")
	// A page that never finishes loading: its font promise never settles
	// because a script blocks the main thread.
	hang := []byte(`<!doctype html><html><head><meta charset="utf-8"><title>x</title></head>
<body><p>运维</p><script>for(;;){}</script></body></html>`)
	start := time.Now()
	err := Print(context.Background(), hang, out, Options{Timeout: 3 * time.Second})
	if err == nil {
		t.Fatal("Print of a hanging page succeeded")
	}
	if !strings.Contains(err.Error(), "超时") || !strings.Contains(err.Error(), out) {
		t.Errorf("error %q: want a timeout message naming %s", err, out)
	}
	if d := time.Since(start); d > 15*time.Second {
		t.Errorf("the 3 s timeout took %v", d)
	}
	if _, serr := os.Stat(out); !errors.Is(serr, os.ErrNotExist) {
		t.Errorf("%s exists after a failed print", out)
	}
	// An existing file stays untouched.
	if err := os.WriteFile(out, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Print(context.Background(), hang, out, Options{Timeout: 2 * time.Second}); err == nil {
		t.Fatal("Print of a hanging page succeeded")
	}
	if b, _ := os.ReadFile(out); string(b) != "old" {
		t.Errorf("%s changed to %q after a failed print", out, b)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Errorf("files in %s after failed prints: %q", dir, names)
	}
}

func TestPrintCancelled(t *testing.T) {
	requireChromium(t)
	out := filepath.Join(t.TempDir(), "r.pdf")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := Print(ctx, monthlyReport(""), out, Options{})
	if err == nil || !errors.Is(err, context.Canceled) {
		t.Errorf("Print with a cancelled context: %v, want context.Canceled", err)
	}
	if _, serr := os.Stat(out); !errors.Is(serr, os.ErrNotExist) {
		t.Errorf("%s exists after a cancelled print", out)
	}
}

func TestPrintMissingDirectory(t *testing.T) {
	out := filepath.Join(t.TempDir(), "无此目录", "r.pdf")
	err := Print(context.Background(), monthlyReport(""), out, Options{Chromium: "/nonexistent/chromium"})
	if err == nil || !strings.Contains(err.Error(), filepath.Dir(out)) || !strings.Contains(err.Error(), "请先创建该目录") {
		t.Errorf("Print into a missing directory: %v", err)
	}
}

func TestPrintBadChromium(t *testing.T) {
	out := filepath.Join(t.TempDir(), "r.pdf")
	err := Print(context.Background(), monthlyReport(""), out, Options{Chromium: "/nonexistent/chromium", Timeout: 10 * time.Second})
	if err == nil || !strings.Contains(err.Error(), "/nonexistent/chromium") {
		t.Errorf("Print with a missing Chromium: %v, want an error naming it", err)
	}
	if _, serr := os.Stat(out); !errors.Is(serr, os.ErrNotExist) {
		t.Errorf("%s exists after a failed print", out)
	}
}

func TestFindChromiumNone(t *testing.T) {
	t.Setenv(EnvChromium, "")
	t.Setenv("PATH", "")
	_, err := FindChromium()
	if !errors.Is(err, ErrNoChromium) {
		t.Fatalf("FindChromium with an empty PATH: %v, want ErrNoChromium", err)
	}
	want := "未找到 Chromium：请安装（Debian/Ubuntu：apt-get install chromium）或用环境变量 OPSBOOK_CHROMIUM 指定可执行文件路径"
	if err.Error() != want {
		t.Errorf("message %q, want %q", err, want)
	}
	// Print says the same before it starts anything.
	if err := Print(context.Background(), monthlyReport(""), filepath.Join(t.TempDir(), "r.pdf"), Options{}); !errors.Is(err, ErrNoChromium) {
		t.Errorf("Print without Chromium: %v, want ErrNoChromium", err)
	}
}

func TestFindChromiumEnvMissing(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no-such-chromium")
	t.Setenv(EnvChromium, missing)
	t.Setenv("PATH", "")
	_, err := FindChromium()
	if !errors.Is(err, ErrNoChromium) {
		t.Fatalf("FindChromium with %s=%s: %v, want ErrNoChromium", EnvChromium, missing, err)
	}
	for _, want := range []string{EnvChromium, missing, "不存在", "可执行文件"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q lacks %q", err, want)
		}
	}
}

func TestFindChromiumEnv(t *testing.T) {
	dir := t.TempDir()
	exe := filepath.Join(dir, "my-chrome")
	if err := os.WriteFile(exe, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	plain := filepath.Join(dir, "not-executable")
	if err := os.WriteFile(plain, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", "")
	for _, c := range []struct {
		env, want, why string
	}{
		{exe, exe, ""},
		{plain, "", "不可执行"},
		{dir, "", "是目录"},
	} {
		t.Setenv(EnvChromium, c.env)
		got, err := FindChromium()
		if c.why == "" {
			if err != nil || got != c.want {
				t.Errorf("%s=%s: %q, %v; want %q", EnvChromium, c.env, got, err, c.want)
			}
			continue
		}
		if !errors.Is(err, ErrNoChromium) || !strings.Contains(err.Error(), c.why) {
			t.Errorf("%s=%s: %v; want ErrNoChromium saying %q", EnvChromium, c.env, err, c.why)
		}
	}
}

func TestFindChromiumPathOrder(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"google-chrome", "headless-shell"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv(EnvChromium, "")
	t.Setenv("PATH", dir)
	got, err := FindChromium()
	if err != nil || got != filepath.Join(dir, "google-chrome") {
		t.Errorf("FindChromium: %q, %v; want %s", got, err, filepath.Join(dir, "google-chrome"))
	}
}

func TestAllowed(t *testing.T) {
	dir := "/tmp/opsbook-pdf-1"
	for u, want := range map[string]bool{
		"file:///tmp/opsbook-pdf-1/report.html":     true,
		"file:///tmp/opsbook-pdf-1/img/a.png":       true,
		"file:///tmp/opsbook-pdf-1/../secret":       false,
		"file:///tmp/opsbook-pdf-10/report.html":    false,
		"file:///etc/passwd":                        false,
		"file://server/share/a.png":                 false,
		"data:image/png;base64,AAAA":                true,
		"http://127.0.0.1:8080/a.css":               false,
		"https://intranet.example/":                 false,
		"ws://127.0.0.1/":                           false,
		"ftp://files.example/a":                     false,
		"blob:null/1234":                            false,
		"%zz":                                       false,
		"file:///tmp/opsbook-pdf-1/%E6%9C%88.png":   true,
		"FILE:///tmp/opsbook-pdf-1/report.html":     true,
		"file://localhost/tmp/opsbook-pdf-1/a.html": true,
	} {
		if got := allowed(u, dir); got != want {
			t.Errorf("allowed(%q) = %v, want %v", u, got, want)
		}
	}
}

// Package pdf prints an HTML document to an A4 PDF with headless Chromium
// (driven by chromedp), for `opsbook report … --pdf FILE`.
//
// The document is written to a private temporary directory and opened as a
// file:// URL in a fresh headless browser that lives for one Print call. Every
// request the page makes other than for that directory's files and data: URLs
// is failed in the browser (Fetch interception), and host names resolve to
// nothing, so printing an intranet report never reaches the network: embed
// styles, images and fonts inline or as data: URLs. Print waits for the load
// event and for the document's fonts, prints on A4 with backgrounds and
// optional page numbers (第 N 页 / 共 M 页), and writes the file atomically.
package pdf

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io/fs"
	"iter"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/opsbook/opsbook/internal/atomicfile"
)

// DefaultTimeout bounds one Print call when Options.Timeout is zero.
const DefaultTimeout = 60 * time.Second

// EnvChromium names the environment variable that points to the Chromium
// executable, overriding the search on PATH.
const EnvChromium = "OPSBOOK_CHROMIUM"

// Candidates are the executable names FindChromium looks for on PATH, in order.
var Candidates = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless-shell"}

// ErrNoChromium is returned (possibly wrapped) when no Chromium executable is
// found. Its message tells the user how to fix it.
var ErrNoChromium = errors.New("未找到 Chromium：请安装（Debian/Ubuntu：apt-get install chromium）或用环境变量 " +
	EnvChromium + " 指定可执行文件路径")

// badEnvChromium is the error for an OPSBOOK_CHROMIUM that names no usable
// executable; it is ErrNoChromium for errors.Is.
type badEnvChromium struct{ path, why string }

func (e *badEnvChromium) Error() string {
	return fmt.Sprintf("环境变量 %s 指向的 %s %s：请改为 Chromium 可执行文件的路径（例如 /usr/bin/chromium），"+
		"或清空该变量以在 PATH 中查找", EnvChromium, e.path, e.why)
}

func (e *badEnvChromium) Is(target error) bool { return target == ErrNoChromium }

// FindChromium returns the Chromium executable to use: $OPSBOOK_CHROMIUM when
// set (it must be an executable file), otherwise the first of Candidates found
// on PATH. When there is none, the error is ErrNoChromium (errors.Is).
func FindChromium() (string, error) {
	if p := os.Getenv(EnvChromium); p != "" {
		fi, err := os.Stat(p)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return "", &badEnvChromium{p, "不存在"}
		case err != nil:
			return "", &badEnvChromium{p, "无法访问（" + err.Error() + "）"}
		case fi.IsDir():
			return "", &badEnvChromium{p, "是目录"}
		case fi.Mode().Perm()&0o111 == 0:
			return "", &badEnvChromium{p, "不可执行"}
		}
		return p, nil
	}
	for _, name := range Candidates {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", ErrNoChromium
}

// Options control one Print call. The zero value prints portrait A4 without
// header or footer, with a 60 s limit, using FindChromium.
type Options struct {
	// Title is the document title: it replaces the HTML's <title> (which
	// becomes the PDF's Title metadata) and is printed in the page header
	// when PageNumbers is set. Empty keeps the HTML's own title.
	Title string
	// PageNumbers prints the title at the top and "第 N 页 / 共 M 页" at the
	// bottom of every page.
	PageNumbers bool
	// Landscape turns the paper. A CSS @page size in the document (such as
	// "A4" or "A4 landscape") takes precedence over both the A4 default
	// and Landscape.
	Landscape bool
	// Timeout bounds the whole call, browser start included; 0 means
	// DefaultTimeout.
	Timeout time.Duration
	// Chromium is the executable; empty means FindChromium.
	Chromium string
	// Blocked, when set, is called with the URL of every request the
	// document tried to make and that was refused. It may be called from
	// another goroutine, never concurrently.
	Blocked func(url string)
}

// A4 paper in inches, and the default margin (15 mm).
const (
	a4Width  = 8.27
	a4Height = 11.69
	margin   = 15 / 25.4
)

// fontFamily is used by the header and footer, which do not inherit the
// document's styles; it names CJK fonts first so 第/页 render.
const fontFamily = `"WenQuanYi Micro Hei","Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei",sans-serif`

// Print renders doc (a complete HTML document, UTF-8) to a PDF at out. The
// file appears only when everything succeeded: on any error nothing is
// written at out (an existing file there is left as it was).
func Print(ctx context.Context, doc []byte, out string, opts Options) error {
	dir := filepath.Dir(out)
	if fi, err := os.Stat(dir); err != nil {
		return fmt.Errorf("无法写入 PDF %s：目录 %s 不存在或无法访问（%v）；请先创建该目录", out, dir, err)
	} else if !fi.IsDir() {
		return fmt.Errorf("无法写入 PDF %s：%s 不是目录", out, dir)
	}
	exe := opts.Chromium
	if exe == "" {
		var err error
		if exe, err = FindChromium(); err != nil {
			return err
		}
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}

	src, err := os.MkdirTemp("", "opsbook-pdf-")
	if err != nil {
		return fmt.Errorf("生成 PDF 失败：无法创建临时目录：%v", err)
	}
	defer os.RemoveAll(src)
	docPath := filepath.Join(src, "report.html")
	if err := os.WriteFile(docPath, doc, 0o600); err != nil {
		return fmt.Errorf("生成 PDF 失败：无法写入临时文件 %s：%v", docPath, err)
	}

	tctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	data, err := render(tctx, exe, src, docPath, opts)
	if err != nil {
		switch {
		case ctx.Err() != nil:
			return fmt.Errorf("生成 PDF %s 已取消：%w", out, ctx.Err())
		case errors.Is(tctx.Err(), context.DeadlineExceeded):
			return fmt.Errorf("生成 PDF %s 超时：%v 内未完成（Chromium：%s）；请确认 Chromium 能正常运行"+
				"（%s --headless --version），文档过大时请拆分后再试", out, timeout, exe, exe)
		}
		return fmt.Errorf("生成 PDF %s 失败（Chromium：%s）：%w", out, exe, err)
	}
	if len(data) < 5 || string(data[:5]) != "%PDF-" {
		return fmt.Errorf("生成 PDF %s 失败：Chromium（%s）返回的不是 PDF 数据", out, exe)
	}
	if err := atomicfile.Write(out, data); err != nil {
		return fmt.Errorf("无法写入 PDF：%w", err)
	}
	return nil
}

// render starts a browser, loads the document and prints it.
func render(ctx context.Context, exe, srcDir, docPath string, opts Options) ([]byte, error) {
	allocOpts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.DisableGPU,
		// Nothing of Chromium's own reaches the network either (the
		// defaults already disable background networking and sync).
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-features", "DnsOverHttps,Translate,OptimizationHints,MediaRouter"),
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND"),
		chromedp.Flag("lang", "zh-CN"),
		// No UserDataDir: chromedp makes a fresh profile and removes it,
		// and the browser, when the context ends.
	)
	if os.Geteuid() == 0 {
		allocOpts = append(allocOpts, chromedp.NoSandbox)
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, allocOpts...)
	defer cancelAlloc()
	// chromedp logs some failures (a page that never loads) itself; they
	// reach the caller as errors, so its English log lines are dropped.
	quiet := func(string, ...any) {}
	tab, cancelTab := chromedp.NewContext(allocCtx, chromedp.WithLogf(quiet), chromedp.WithErrorf(quiet))
	defer cancelTab()

	if err := chromedp.Do(tab); err != nil {
		return nil, fmt.Errorf("无法启动 Chromium：%w", err)
	}

	// Intercept every request; the guard answers each one until the
	// document is printed.
	guardCtx, stopGuard := context.WithCancel(tab)
	paused := chromedp.Events(guardCtx, fetch.RequestPaused)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		guard(guardCtx, paused, srcDir, opts.Blocked)
	}()
	defer func() { stopGuard(); wg.Wait() }()
	if _, err := chromedp.Call(tab, fetch.Enable, fetch.EnableParams{}); err != nil {
		return nil, fmt.Errorf("无法启用请求拦截：%w", err)
	}

	var steps []chromedp.Action[chromedp.Void]
	steps = append(steps, chromedp.Navigate(fileURL(docPath)))
	if opts.Title != "" {
		lit, err := json.Marshal(opts.Title)
		if err != nil {
			return nil, err
		}
		steps = append(steps, chromedp.Evaluate[chromedp.Void](`document.title = `+string(lit)))
	}
	steps = append(steps,
		// Web fonts and the fallback fonts of CJK text must be ready before
		// the layout is printed.
		chromedp.Evaluate[chromedp.Void](`document.fonts.ready.then(() => true)`, chromedp.EvalAwaitPromise),
	)
	if err := chromedp.Do(tab, steps...); err != nil {
		return nil, fmt.Errorf("无法打开文档：%w", err)
	}

	pdfOpts := []chromedp.PDFOption{
		chromedp.PDFPaper(chromedp.PaperSize{Width: a4Width, Height: a4Height}),
		chromedp.PDFMargin(margin),
		chromedp.PDFPrintBackground(),
		chromedp.PDFPreferCSSPageSize(),
		chromedp.PDFStream(),
	}
	if opts.Landscape {
		pdfOpts = append(pdfOpts, chromedp.PDFLandscape())
	}
	if opts.PageNumbers {
		pdfOpts = append(pdfOpts,
			chromedp.PDFHeaderTemplate(headerTemplate(opts.Title)),
			chromedp.PDFFooterTemplate(footerTemplate),
		)
	}
	data, err := chromedp.Run(tab, chromedp.PrintToPDF(pdfOpts...))
	if err != nil {
		return nil, fmt.Errorf("打印失败：%w", err)
	}
	return data, nil
}

// guard answers every paused request: files in srcDir and data: URLs go on,
// everything else fails as blocked by the client.
func guard(ctx context.Context, paused iter.Seq2[fetch.EventRequestPaused, error], srcDir string, blocked func(string)) {
	for ev, err := range paused {
		if err != nil {
			return
		}
		u := ""
		if ev.Request != nil {
			u = ev.Request.URL
		}
		var cerr error
		if allowed(u, srcDir) {
			_, cerr = chromedp.Call(ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: ev.RequestID})
		} else {
			if blocked != nil {
				blocked(u)
			}
			_, cerr = chromedp.Call(ctx, fetch.FailRequest, fetch.FailRequestParams{
				RequestID: ev.RequestID, ErrorReason: network.ErrorReasonBlockedByClient,
			})
		}
		if cerr != nil && ctx.Err() != nil {
			return
		}
	}
}

// allowed reports whether the page may load u: a data: URL, or a file:// URL
// of a file inside dir.
func allowed(u, dir string) bool {
	p, err := url.Parse(u)
	if err != nil {
		return false
	}
	switch strings.ToLower(p.Scheme) {
	case "data":
		return true
	case "file":
		if p.Host != "" && p.Host != "localhost" {
			return false
		}
		rel, err := filepath.Rel(dir, filepath.Clean(p.Path))
		return err == nil && rel != ".." && !strings.HasPrefix(rel, "../") && !filepath.IsAbs(rel)
	}
	return false
}

// fileURL is the file:// URL of an absolute path.
func fileURL(path string) string {
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(path)}).String()
}

// headerTemplate shows the title (or the document's) at the top of a page.
func headerTemplate(title string) string {
	t := `<span class="title"></span>`
	if title != "" {
		t = html.EscapeString(title)
	}
	return `<div style="width:100%;font-size:8pt;font-family:` + html.EscapeString(fontFamily) +
		`;color:#555;padding:0 15mm;text-align:center;">` + t + `</div>`
}

// footerTemplate numbers the pages: 第 N 页 / 共 M 页.
var footerTemplate = `<div style="width:100%;font-size:8pt;font-family:` + html.EscapeString(fontFamily) +
	`;color:#555;padding:0 15mm;text-align:center;">第 <span class="pageNumber"></span> 页 / 共 <span class="totalPages"></span> 页</div>`

package site

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/opsbook/opsbook/internal/export"
	"github.com/opsbook/opsbook/internal/record"
	"github.com/opsbook/opsbook/internal/testrepo"
	"github.com/opsbook/opsbook/internal/workspace"
)

// BenchmarkSiteBuild measures the performance figures on generated
// repositories (internal/gen): the wall time and peak RSS of a full site
// build (stage, Hugo, static files, search index, swap), and of a plain
// Hugo build of the same records as pages with a minimal theme, measured in
// the same process one after the other, and their ratio (target ≤ 1.5×;
// 10,000 records under 20 s). It also reports the search index's gzipped
// bytes per page and, when node is installed, what typical queries download
// when the real client (search.js) runs them against the built index.
//
//	go test -run '^$' -bench 'BenchmarkSiteBuild/records=10000$' -benchtime 3x ./internal/site
//	OPSBOOK_BENCH_SITE_RECORDS=100000 go test -run '^$' -bench BenchmarkSiteBuild -benchtime 1x -timeout 2h ./internal/site
//
// Sizes come from OPSBOOK_BENCH_SITE_RECORDS (comma-separated; default
// 10000,100000). 100,000 records take minutes and a few GB of RAM and disk.
func BenchmarkSiteBuild(b *testing.B) {
	sizes := []int{10000, 100000}
	if v := os.Getenv("OPSBOOK_BENCH_SITE_RECORDS"); v != "" {
		sizes = nil
		for _, f := range strings.Split(v, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n < 1 {
				b.Fatalf("OPSBOOK_BENCH_SITE_RECORDS=%q: want positive numbers separated by commas", v)
			}
			sizes = append(sizes, n)
		}
	}
	for _, n := range sizes {
		b.Run(fmt.Sprintf("records=%d", n), func(b *testing.B) { benchSiteBuild(b, n) })
	}
}

// buildRun is one measured build.
type buildRun struct {
	wall    time.Duration
	peakMiB float64 // VmHWM during the build (reset before it)
	pages   int     // HTML files written
}

func benchSiteBuild(b *testing.B, n int) {
	dir := b.TempDir()
	repo := filepath.Join(dir, "repo")
	t0 := time.Now()
	testrepo.Generate(b, repo, n, 20261127)
	plain := filepath.Join(dir, "plain")
	records := writePlainSite(b, repo, plain)
	benchReport("已生成 %d 条记录并写成纯 Hugo 项目，用时 %v", records, time.Since(t0).Round(time.Millisecond))

	out := filepath.Join(dir, "public")
	var sites, hugos []buildRun
	var phases []string // per site build: its phases (tracePhase)
	var res *Result
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var log bytes.Buffer
		var ph strings.Builder
		tracePhase = func(p string, wall, cpu time.Duration) {
			fmt.Fprintf(&ph, " %s %.2fs（CPU %.2fs）", p, wall.Seconds(), cpu.Seconds())
		}
		r := measureBuild(b, out, func() error {
			var err error
			res, err = Build(context.Background(), Options{Root: repo, Out: out, Now: fixedNow(), Log: &log})
			return err
		})
		if log.Len() > 0 {
			b.Logf("build log (%d bytes): %.300s", log.Len(), log.String())
		}
		tracePhase = nil
		sites = append(sites, r)
		phases = append(phases, ph.String())
		hugos = append(hugos, measureBuild(b, filepath.Join(plain, "public"), func() error {
			if err := os.RemoveAll(filepath.Join(plain, "public")); err != nil {
				return err
			}
			return hugoBuild(plain, io.Discard)
		}))
	}
	b.StopTimer()

	site, hugo := medianRun(sites), medianRun(hugos)
	ratio := site.wall.Seconds() / hugo.wall.Seconds()
	indexGzip := gzipDirLen(b, filepath.Join(out, "search", "index"))
	perPage := float64(indexGzip) / float64(max(res.Search.Docs, 1))
	b.ReportMetric(float64(site.wall.Nanoseconds()), "ns/op")
	b.ReportMetric(site.wall.Seconds(), "site-s")
	b.ReportMetric(hugo.wall.Seconds(), "hugo-s")
	b.ReportMetric(ratio, "ratio")
	b.ReportMetric(site.peakMiB, "site-peak-MiB")
	b.ReportMetric(hugo.peakMiB, "hugo-peak-MiB")
	b.ReportMetric(perPage, "search-gzip-B/page")
	verdict := func(ok bool) string {
		if ok {
			return "达标"
		}
		return "未达标"
	}
	benchReport("%d 条记录（%d 次取中位数）：opsbook 站点 %.2f s、峰值 RSS %.0f MiB、%d 个 HTML 页；纯 Hugo（极简主题）%.2f s、峰值 RSS %.0f MiB、%d 个 HTML 页；耗时比 %.2f×（目标 ≤1.5×，%s）",
		n, len(sites), site.wall.Seconds(), site.peakMiB, site.pages, hugo.wall.Seconds(), hugo.peakMiB, hugo.pages, ratio, verdict(ratio <= 1.5))
	for i, r := range sites {
		if r.wall == site.wall {
			benchReport("opsbook 站点（中位数那次）各阶段：%s", phases[i])
			break
		}
	}
	if n == 10000 {
		benchReport("10,000 条记录目标 < 20 s：%s", verdict(site.wall < 20*time.Second))
	}
	benchReport("搜索索引：%d 个页面、%d 个词、%d 个分片；共 %d KB（gzip %d KB），每页 %.0f B（gzip）",
		res.Search.Docs, res.Search.Terms, res.Search.Shards, res.Search.Bytes>>10, indexGzip>>10, perPage)
	if q, ok := queryDownloads(b, out); ok {
		b.ReportMetric(q, "query-max-gzip-KB")
	}
}

// benchReport prints a line of figures: b.Log keeps only the first lines of a
// benchmark's output.
func benchReport(format string, args ...any) {
	fmt.Printf("    "+format+"\n", args...)
}

// measureBuild runs fn with the peak RSS reset first and counts the HTML files
// it wrote under out.
func measureBuild(b testing.TB, out string, fn func() error) buildRun {
	runtime.GC()
	debug.FreeOSMemory()
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		b.Logf("cannot reset the peak RSS (%v): peaks are since the process started", err)
	}
	start := time.Now()
	if err := fn(); err != nil {
		b.Fatal(err)
	}
	r := buildRun{wall: time.Since(start), peakMiB: float64(procStatusKB(b, "VmHWM")) / 1024}
	filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".html") {
			r.pages++
		}
		return nil
	})
	return r
}

func medianRun(rs []buildRun) buildRun {
	s := slices.Clone(rs)
	slices.SortFunc(s, func(a, b buildRun) int { return int(a.wall - b.wall) })
	return s[len(s)/2]
}

// procStatusKB reads a "kB" field of /proc/self/status.
func procStatusKB(b testing.TB, field string) int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		b.Logf("no /proc/self/status: %v", err)
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			v, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return v
		}
	}
	return 0
}

// writePlainSite writes every record of repo as a Hugo page of a minimal
// project: the record's fields as one front matter parameter (the same
// data a record page is made from), its Markdown body as content, and a
// theme that prints them. It returns the number of pages.
func writePlainSite(b testing.TB, repo, dir string) int {
	rp, err := workspace.Open(repo)
	if err != nil {
		b.Fatal(err)
	}
	files := map[string]string{
		"hugo.toml": `baseURL = "/"
relativeURLs = true
title = "plain"
theme = "plain"
hasCJKLanguage = true
buildFuture = true
disableKinds = ["taxonomy", "term", "rss", "sitemap", "robotstxt", "404"]
timeZone = "Asia/Shanghai"
[markup.goldmark.renderer]
  unsafe = false
`,
		"themes/plain/layouts/_default/baseof.html": `<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{{ .Title }} · {{ site.Title }}</title></head>
<body><main>{{ block "main" . }}{{ end }}</main></body></html>
`,
		"themes/plain/layouts/_default/single.html": `{{ define "main" }}<h1>{{ .Title }}</h1>
<table>{{ range $k, $v := .Params.record }}<tr><th>{{ $k }}</th><td>{{ $v }}</td></tr>{{ end }}</table>
{{ .Content }}{{ end }}
`,
		"themes/plain/layouts/_default/list.html": `{{ define "main" }}<h1>{{ .Title }}</h1>
<ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Date.Format "2006-01-02" }}</li>{{ end }}</ul>{{ end }}
`,
	}
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	n := 0
	for _, e := range rp.Index.Entries {
		r, err := record.ReadFile(rp.Index.Abs(e.Path), e.Path, rp.Config.MaxFileSize)
		if err != nil {
			b.Fatalf("%s: %v", e.Path, err)
		}
		front := map[string]any{"title": r.Title(), "record": r.Fields}
		if d := dateOnly(export.DateOf(r.Fields)); d != "" {
			front["date"] = d
		}
		if err := writePage(filepath.Join(dir, "content", e.Kind, r.ID()+".md"), front, r.Body); err != nil {
			b.Fatal(err)
		}
		n++
	}
	return n
}

// typicalQueries are what an engineer or a clerk types: words of the
// generated records, a pair, an id prefix.
var typicalQueries = []string{"数据库", "表空间", "订阅审批", "前置机 备份", "执行计划", "接口网关证书", "CHG-2025", "asset-0042"}

// queryDownloads runs typicalQueries with the real client in node, each
// with a cold cache and its first page of 10 results, and logs the files
// and bytes each fetched. It returns the largest gzipped download in KB.
func queryDownloads(b *testing.B, out string) (float64, bool) {
	node, err := exec.LookPath("node")
	if err != nil {
		b.Logf("未安装 node，跳过查询下载量")
		return 0, false
	}
	const driver = `
const fs = require('fs'), path = require('path');
const req = JSON.parse(fs.readFileSync(0, 'utf8'));
const api = require(req.script);
(async () => {
  const out = [];
  for (const q of req.queries) {
    const loaded = [];
    const load = (p) => { loaded.push(p); return fs.promises.readFile(path.join(req.index, p), 'utf8'); };
    const res = await api.search(load, q, '');
    await res.page(0, 10);
    out.push({ query: q, total: res.total, loaded });
  }
  process.stdout.write(JSON.stringify(out));
})().catch((e) => { console.error((e && e.stack) || e); process.exit(1); });
`
	index := filepath.Join(out, "search", "index")
	req, _ := json.Marshal(map[string]any{"script": filepath.Join(out, "search", "search.js"), "index": index, "queries": typicalQueries})
	cmd := exec.Command(node, "-e", driver)
	cmd.Stdin = bytes.NewReader(req)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	data, err := cmd.Output()
	if err != nil {
		b.Logf("node 运行 search.js 失败，跳过查询下载量：%v\n%s", err, stderr.String())
		return 0, false
	}
	var answers []struct {
		Query  string   `json:"query"`
		Total  int      `json:"total"`
		Loaded []string `json:"loaded"`
	}
	if err := json.Unmarshal(data, &answers); err != nil {
		b.Fatalf("node output: %v", err)
	}
	var worst float64
	var sizes []float64
	for _, a := range answers {
		var raw, gz int64
		for _, f := range a.Loaded {
			data, err := os.ReadFile(filepath.Join(index, filepath.FromSlash(f)))
			if err != nil {
				b.Fatal(err)
			}
			raw += int64(len(data))
			gz += gzipLen(data)
		}
		kb := float64(gz) / 1024
		worst = max(worst, kb)
		sizes = append(sizes, kb)
		benchReport("查询 %-12q %6d 条结果，取 %2d 个文件：%7.1f KB（gzip %6.1f KB）", a.Query, a.Total, len(a.Loaded), float64(raw)/1024, kb)
	}
	slices.Sort(sizes)
	benchReport("典型查询下载量（gzip）：中位数 %.1f KB，最大 %.1f KB（目标 < 150 KB）", sizes[len(sizes)/2], worst)
	return worst, true
}

// gzipDirLen is the sum of the files under dir, each gzipped on its own (as
// a web server would send them).
func gzipDirLen(b testing.TB, dir string) int64 {
	var n int64
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		n += gzipLen(data)
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	return n
}

func gzipLen(data []byte) int64 {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(data)
	zw.Close()
	return int64(buf.Len())
}

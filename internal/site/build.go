package site

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/afero"

	"github.com/opsbook/opsbook/internal/access"
	"github.com/opsbook/opsbook/internal/gitrepo"
	"github.com/opsbook/opsbook/internal/search"
	"github.com/opsbook/opsbook/internal/workspace"
	"github.com/opsbook/opsbook/themes"
)

// Options control a build.
type Options struct {
	Root     string    // repository root
	Out      string    // output directory; default <Root>/public
	Now      time.Time // "now" for the dashboard; default time.Now()
	Log      io.Writer // warnings and progress
	Language string    // "zh-cn" (default) or "en" for the theme's strings
	// OmitRestricted leaves restricted records (restricted projects and
	// their documents, confidential documents) out: no page, attachment or
	// search index, only placeholders. For sites published as plain files,
	// where nothing could enforce access.
	OmitRestricted bool
}

// Result describes a finished build.
type Result struct {
	Out      string
	Records  int
	Duration time.Duration
	Search   search.Stats // the public index
	// Restricted is the number of restricted records; RestrictedIndexes the
	// number of per-project restricted search indexes written.
	Restricted, RestrictedIndexes int
}

// tracePhase, when set (by benchmarks and tests), is told how long each
// phase of a build took: wall time, and the CPU time of the process (both
// cores, so up to twice the wall time).
var tracePhase func(phase string, wall, cpu time.Duration)

// phaseTimer reports the time since the previous mark to tracePhase.
type phaseTimer struct {
	at  time.Time
	cpu time.Duration
}

func newPhaseTimer() phaseTimer { return phaseTimer{at: time.Now(), cpu: processCPU()} }

func (p *phaseTimer) mark(phase string) {
	if tracePhase == nil {
		return
	}
	now, cpu := time.Now(), processCPU()
	tracePhase(phase, now.Sub(p.at), cpu-p.cpu)
	p.at, p.cpu = now, cpu
}

// processCPU is the user and system CPU time the process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// Build stages the repository, runs Hugo and swaps the output into place.
func Build(ctx context.Context, o Options) (*Result, error) {
	start := time.Now()
	pt := newPhaseTimer()
	if o.Log == nil {
		o.Log = io.Discard
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	if o.Out == "" {
		o.Out = filepath.Join(o.Root, "public")
	}
	if o.Language == "" {
		o.Language = "zh-cn"
	}
	rp, err := workspace.Open(o.Root)
	if err != nil {
		return nil, err
	}
	// Stage beside the output so the final rename never crosses file systems.
	if err := os.MkdirAll(filepath.Dir(o.Out), 0o755); err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(filepath.Dir(o.Out), ".opsbook-site-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	var warnMu sync.Mutex
	warn := func(msg string) {
		warnMu.Lock()
		defer warnMu.Unlock()
		fmt.Fprintln(o.Log, "警告："+msg)
	}
	s := &stage{rp: rp, fs: afero.NewMemMapFs(), parts: newSplicer(afero.NewOsFs()), dir: dir, now: o.Now, omit: o.OmitRestricted, warn: warn}
	pt.mark("open")
	// Loading and staging allocate much and keep little: collect less often
	// until Hugo starts (its peak is the build's).
	gc := debug.SetGCPercent(stageGCPercent)
	restoreGC := sync.OnceFunc(func() { debug.SetGCPercent(gc) })
	defer restoreGC()
	s.load(warn)
	pt.mark("load")
	if _, err := os.Stat(filepath.Join(o.Root, ".git")); err == nil {
		s.audit, err = gitrepo.AuditTrail(ctx, o.Root, "", "content/")
		if err != nil {
			fmt.Fprintf(o.Log, "警告：读取 git 历史失败，页面不显示审计信息：%v\n", err)
		}
	}
	pt.mark("audit")
	if err := s.writeSite(o.Language); err != nil {
		return nil, fmt.Errorf("准备站点内容：%w", err)
	}
	restoreGC()
	pt.mark("stage")
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// The search index needs only the staged records: it is built and
	// written beside the output while Hugo renders (Hugo waits on file
	// writes often enough to leave a core), then moved in.
	// Restricted records go into one index per project, never into the
	// public one.
	type indexed struct {
		stats      search.Stats
		restricted int
		err        error
	}
	indexDir := filepath.Join(dir, "search-index")
	restrictedDir := filepath.Join(dir, "search-restricted")
	publicDocs := s.publicDocs()
	var restrictedDocs map[string][]search.Doc
	if !s.omit {
		restrictedDocs = s.restrictedDocs()
	}
	manifest := s.manifest()
	res := &Result{Out: o.Out, Records: len(s.recs)}
	for _, r := range s.recs {
		if r.restricted {
			res.Restricted++
		}
	}
	// Hugo's peak is the build's: let the records go before it starts.
	s.release()
	ixc := make(chan indexed, 1)
	go func() {
		var ix indexed
		ix.stats, ix.err = search.Write(indexDir, publicDocs, search.Options{})
		if ix.err == nil && restrictedDocs != nil {
			ix.restricted, ix.err = writeRestrictedIndexes(restrictedDir, restrictedDocs)
		}
		ixc <- ix
	}()
	herr := hugoBuildFS(s.fs, s.parts, dir, o.Log)
	if herr == nil {
		herr = s.parts.check()
	}
	s.fs, s.parts = nil, nil // the staged pages are no longer needed
	pt.mark("hugo")
	ix := <-ixc // also after a failed Hugo build: dir is removed on return
	pt.mark("search-wait")
	if herr != nil {
		return nil, herr
	}
	if ix.err != nil {
		return nil, fmt.Errorf("写搜索索引：%w", ix.err)
	}
	stats := ix.stats
	public := filepath.Join(dir, "public")
	// HugoSites.Build does not copy static files (the CLI's syncer does).
	if err := copyEmbedded(themes.FS, "opsbook/static", public); err != nil {
		return nil, fmt.Errorf("复制静态文件：%w", err)
	}
	if err := os.MkdirAll(filepath.Join(public, "search"), 0o755); err != nil {
		return nil, err
	}
	if err := os.Rename(indexDir, filepath.Join(public, "search", "index")); err != nil {
		return nil, fmt.Errorf("写搜索索引：%w", err)
	}
	if ix.restricted > 0 {
		if err := os.Rename(restrictedDir, filepath.Join(public, access.RestrictedIndexDir)); err != nil {
			return nil, fmt.Errorf("写受控搜索索引：%w", err)
		}
	}
	if err := s.moveAttachments(public); err != nil {
		return nil, fmt.Errorf("发布附件：%w", err)
	}
	if err := writeManifest(public, manifest); err != nil {
		return nil, fmt.Errorf("写受控内容清单：%w", err)
	}
	if err := swap(public, o.Out); err != nil {
		return nil, err
	}
	pt.mark("static+swap")
	res.Duration, res.Search, res.RestrictedIndexes = time.Since(start), stats, ix.restricted
	return res, nil
}

// writeSite writes the Hugo project: config, theme, pages and data.
func (s *stage) writeSite(lang string) error {
	if err := copyEmbeddedFS(s.fs, themes.FS, "opsbook", filepath.Join(s.dir, "themes", "opsbook")); err != nil {
		return err
	}
	if err := afero.WriteFile(s.fs, filepath.Join(s.dir, "hugo.toml"), []byte(hugoConfig(s.rp.Config.Platform, lang)), 0o644); err != nil {
		return err
	}
	var err error
	if s.article, err = newGoTemplate(articlePath, lang); err != nil {
		return err
	}
	if s.list, err = newGoTemplate(listPath, lang); err != nil {
		return err
	}
	if err := s.writePages(); err != nil {
		return err
	}
	home := map[string]any{"title": s.rp.Config.Platform + " 运维台账"}
	if err := writePageFS(s.fs, filepath.Join(s.dir, "content", "_index.md"), home, ""); err != nil {
		return err
	}
	if err := writeJSON(s.fs, filepath.Join(s.dir, "data", "nav.json"), s.navigation()); err != nil {
		return err
	}
	if err := writePageFS(s.fs, filepath.Join(s.dir, "content", "search", "_index.md"), map[string]any{"title": "搜索", "layout": "search", "kinds": s.kindOptions()}, ""); err != nil {
		return err
	}
	if err := writePageFS(s.fs, filepath.Join(s.dir, "content", "calendar", "_index.md"), map[string]any{"title": "变更与合规日历", "layout": "calendar", "months": s.changeCalendar()}, ""); err != nil {
		return err
	}
	if err := writeJSON(s.fs, filepath.Join(s.dir, "data", "dashboard.json"), s.dashboard()); err != nil {
		return err
	}
	return writeJSON(s.fs, filepath.Join(s.dir, "data", "charts.json"), s.charts())
}

// navOrder puts the kinds engineers open daily first.
var navOrder = []string{"inspection", "anomaly", "change", "ticket", "security", "backup", "event", "duty",
	"training", "kb", "project", "document", "stats", "report", "asset", "department"}

// navigation is the site menu: the known kinds in navOrder, then any other.
func (s *stage) navigation() []countView {
	var out []countView
	seen := map[string]bool{}
	for _, n := range append(slices.Clone(navOrder), s.rp.Schemas.KindNames()...) {
		if k, ok := s.rp.Schemas.Kinds[n]; ok && !seen[n] {
			seen[n] = true
			out = append(out, countView{Key: n, Label: k.Label})
		}
	}
	return out
}

func (s *stage) kindOptions() []countView {
	var out []countView
	for _, n := range s.rp.Schemas.KindNames() {
		out = append(out, countView{Key: n, Label: s.rp.Schemas.Kinds[n].Label})
	}
	return out
}

// hugoConfig locks Hugo down: no remote fetches, no exec, no environment,
// no raw HTML from Markdown.
func hugoConfig(platform, lang string) string {
	return fmt.Sprintf(`baseURL = "/"
relativeURLs = true
uglyURLs = false
disablePathToLower = true
title = %q
theme = "opsbook"
defaultContentLanguage = %q
hasCJKLanguage = true
enableRobotsTXT = false
buildFuture = true
buildExpired = true
buildDrafts = true
disableKinds = ["taxonomy", "term", "rss", "sitemap", "robotstxt", "404"]
timeZone = "Asia/Shanghai"
[languages.%s]
  locale = %q
  weight = 1
[markup.goldmark.renderer]
  unsafe = false
[markup.goldmark.parser]
  autoHeadingID = true
[security]
  enableInlineShortcodes = false
  [security.exec]
    allow = ['^$']
    osEnv = ['^PATH$']
  [security.funcs]
    getenv = ['^$']
  [security.http]
    methods = ['(?i)GET']
    urls = ['none']
[caches.getresource]
  maxAge = 0
`, platform+" 运维台账", lang, lang, map[string]string{"zh-cn": "zh-CN", "en": "en"}[lang])
}

// swap replaces out with the freshly built dir: rename the old one aside,
// rename the new one in, then delete the old — a failed build never touches out.
func swap(built, out string) error {
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	old := out + ".old"
	os.RemoveAll(old)
	if err := os.Rename(out, old); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("替换 %s：%w", out, err)
	}
	if err := os.Rename(built, out); err != nil {
		os.Rename(old, out)
		return fmt.Errorf("替换 %s：%w（%s 与仓库不在同一文件系统？）", out, err, built)
	}
	return os.RemoveAll(old)
}

// copyEmbedded copies the tree under root in fsys to dst on disk.
func copyEmbedded(fsys fs.FS, root, dst string) error {
	return copyEmbeddedFS(afero.NewOsFs(), fsys, root, dst)
}

// copyEmbeddedFS copies the tree under root in fsys to dst in to.
func copyEmbeddedFS(to afero.Fs, fsys fs.FS, root, dst string) error {
	return fs.WalkDir(fsys, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel := strings.TrimPrefix(strings.TrimPrefix(p, root), "/")
		target := filepath.Join(dst, filepath.FromSlash(rel))
		if d.IsDir() {
			return to.MkdirAll(target, 0o755)
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		return afero.WriteFile(to, target, data, 0o644)
	})
}

// stageGCPercent is the GC target while records are loaded and staged:
// they allocate much and keep little, so collecting less often saves CPU;
// Hugo runs with the default (its peak is the build's).
const stageGCPercent = 400

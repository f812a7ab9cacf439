package site

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // Asia/Shanghai without the system zoneinfo

	"github.com/opsbook/opsbook/internal/testrepo"
	"github.com/opsbook/opsbook/internal/workspace"
	"golang.org/x/net/html"
)

// The site's tests build real repositories with the real Hugo and theme:
//
//   - TestSampleSite: a copy of the bundled sample — golden pages (-update
//     rewrites testdata/golden), the facts those pages exist for, one search
//     doc per record, no external resource, every site link resolves;
//   - TestPayloadsNeverBecomeLiveHTML, TestRecordBodiesCannotPullResources:
//     testdata/xss, whose titles, fields and Markdown bodies carry script
//     payloads, external images and Hugo shortcodes;
//   - TestFailedBuildKeepsPreviousOutput, TestUnsafeRecordIDStaysInside: a
//     build that fails or meets a hostile id never damages anything.
//
// bench_test.go holds BenchmarkSiteBuild (the performance figures).

var updateGolden = flag.Bool("update", false, "rewrite testdata/golden from the current output")

// fixedNow is "now" for every test build, so the dashboard is stable.
func fixedNow() time.Time {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return time.Date(2026, 11, 27, 10, 0, 0, 0, loc)
}

// builtSite is a finished build.
type builtSite struct {
	root, out string
	res       *Result
	log       string
}

// TestSampleSite builds a copy of the bundled sample (not a git repository,
// so pages carry no audit section) once, and checks it from several sides.
func TestSampleSite(t *testing.T) {
	dir := t.TempDir()
	root := testrepo.SampleCopy(t)
	s := mustBuild(t, root, filepath.Join(dir, "public"))
	t.Run("golden", func(t *testing.T) { testGoldenPages(t, s) })
	t.Run("pages", func(t *testing.T) { testRepresentativePages(t, s) })
	t.Run("search docs", func(t *testing.T) { testEveryRecordIsASearchDoc(t, s) })
	t.Run("offline", func(t *testing.T) {
		for _, v := range offlineViolations(t, s.out) {
			t.Errorf("external resource: %s", v)
		}
	})
	t.Run("links", func(t *testing.T) { testInternalLinksResolve(t, s) })
}

func buildSite(ctx context.Context, root, out, lang string) (*builtSite, error) {
	var log bytes.Buffer
	res, err := Build(ctx, Options{Root: root, Out: out, Now: fixedNow(), Log: &log, Language: lang})
	if err != nil {
		return nil, fmt.Errorf("%w\nlog:\n%s", err, log.String())
	}
	return &builtSite{root: root, out: out, res: res, log: log.String()}, nil
}

func mustBuild(t testing.TB, root, out string) *builtSite {
	t.Helper()
	s, err := buildSite(context.Background(), root, out, "")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func readOut(t testing.TB, out, rel string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(rel)))
	if err != nil {
		t.Fatalf("page %s: %v", rel, err)
	}
	return string(data)
}

// ---- golden pages ----

var goldenPages = []struct{ name, page string }{
	{"home.html", "index.html"},
	{"change-CHG-2026-001.html", "change/CHG-2026-001/index.html"},
	{"asset-fep-wjw.html", "asset/fep-wjw/index.html"},
	{"project-prj-upgrade-2026.html", "project/prj-upgrade-2026/index.html"},
	{"calendar.html", "calendar/index.html"},
	{"change-list.html", "change/index.html"},
}

var (
	generatedAt  = regexp.MustCompile(`(<span>生成于 )[^<]*(</span>)`)
	auditSection = regexp.MustCompile(`(?s)<section class="audit">.*?</section>\n?`)
)

// normalise removes what may differ between checkouts and runs: the
// generation time and the audit trail (git history).
func normalise(page string) string {
	page = generatedAt.ReplaceAllString(page, "${1}GENERATED${2}")
	return auditSection.ReplaceAllString(page, "")
}

func testGoldenPages(t *testing.T, s *builtSite) {
	for _, g := range goldenPages {
		t.Run(g.name, func(t *testing.T) {
			got := normalise(readOut(t, s.out, g.page))
			file := filepath.Join("testdata", "golden", g.name)
			if *updateGolden {
				if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(file)
			if err != nil {
				t.Fatalf("%v (run `go test ./internal/site -run TestSampleSite/golden -update` to create it)", err)
			}
			if d := firstDiff(string(want), got); d != "" {
				t.Errorf("%s differs from %s (if the change is intended, run `go test ./internal/site -run TestSampleSite/golden -update` and review the diff):\n%s", g.page, file, d)
			}
		})
	}
}

// firstDiff describes the first differing line of two texts, with context.
func firstDiff(want, got string) string {
	if want == got {
		return ""
	}
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	i := 0
	for i < len(wl) && i < len(gl) && wl[i] == gl[i] {
		i++
	}
	var b strings.Builder
	for j := max(0, i-3); j < i; j++ {
		fmt.Fprintf(&b, "  %4d   %s\n", j+1, wl[j])
	}
	for j := i; j < min(i+4, len(wl)); j++ {
		fmt.Fprintf(&b, "  %4d - %s\n", j+1, wl[j])
	}
	for j := i; j < min(i+4, len(gl)); j++ {
		fmt.Fprintf(&b, "  %4d + %s\n", j+1, gl[j])
	}
	fmt.Fprintf(&b, "  (want %d lines, got %d)", len(wl), len(gl))
	return b.String()
}

// The golden files pin the markup; these pin the facts the pages exist for,
// so a careless -update cannot hide a regression.
func testRepresentativePages(t *testing.T, s *builtSite) {
	home := readOut(t, s.out, "index.html")
	if !strings.Contains(home, "生成于 2026-11-27 10:00") {
		t.Errorf("home page does not show the build's Now (2026-11-27 10:00) as its generation time")
	}
	if !strings.Contains(home, "<svg") {
		t.Errorf("home page has no inline SVG chart")
	}
	if !strings.Contains(home, `change/CHG-2026-012/"`) {
		t.Errorf("home page does not list CHG-2026-012, whose window (2026-11-28 20:00) starts within 7 days of now")
	}

	asset := readOut(t, s.out, "asset/fep-wjw/index.html")
	for _, group := range []string{"<h3>巡检 ", "<h3>异常 ", "<h3>变更 "} {
		if !strings.Contains(asset, group) {
			t.Errorf("asset page fep-wjw lacks the related-records group %q", group)
		}
	}
	if !strings.Contains(asset, `href="../../change/CHG-2026-001/"`) {
		t.Errorf("asset page fep-wjw does not link CHG-2026-001, which names it in assets")
	}

	// A long related-records group lists the newest maxBacklinks and says
	// how many there are, with a search for the rest.
	gw := readOut(t, s.out, "asset/api-gateway/index.html")
	hint := regexp.MustCompile(`(?s)<h3>巡检 .*?<tbody>(.*?)</tbody>\n</table>\n<p class="hint">共 (\d+) 条，这里列出最近 (\d+) 条；其余可<a href="../../search/\?q=api-gateway">`).FindStringSubmatch(gw)
	if hint == nil {
		t.Fatalf("asset page api-gateway: no inspection group ending in a hint with a search link")
	}
	if rows := strings.Count(hint[1], "<tr"); rows != maxBacklinks || hint[3] != strconv.Itoa(maxBacklinks) {
		t.Errorf("api-gateway lists %d inspections and says %s, want %d", rows, hint[3], maxBacklinks)
	}
	if total, _ := strconv.Atoi(hint[2]); total <= maxBacklinks {
		t.Errorf("api-gateway's hint says %d in all, want more than %d", total, maxBacklinks)
	}

	// The project's own document_attributes are the columns of its documents.
	rp, err := workspace.Open(s.root)
	if err != nil {
		t.Fatal(err)
	}
	attrs := rp.Rules.Projects["prj-upgrade-2026"]
	if len(attrs) == 0 {
		t.Fatal("prj-upgrade-2026 declares no document attributes in the sample")
	}
	project := readOut(t, s.out, "project/prj-upgrade-2026/index.html")
	var header strings.Builder
	for _, a := range attrs {
		header.WriteString("<th>" + a.Title + "</th>")
	}
	if !strings.Contains(project, header.String()) {
		t.Errorf("project page lacks the attribute columns %s", header.String())
	}
	if !strings.Contains(project, `<td>第二阶段</td><td>敏感</td><td>目录系统</td><td>2026-11-03</td><td>12.5</td>`) {
		t.Errorf("project page does not show DOC-2026-007's attribute values in its inventory (第二阶段, 敏感, 目录系统, 2026-11-03, 12.5)")
	}

	cal := readOut(t, s.out, "calendar/index.html")
	if !regexp.MustCompile(`(?s)2026-11-28 星期六.*?href="../change/CHG-2026-012/"`).MatchString(cal) {
		t.Errorf("change calendar does not list CHG-2026-012 on 2026-11-28 星期六")
	}

	list := readOut(t, s.out, "change/index.html")
	n := len(s.recordsOf(t, "change"))
	if got := strings.Count(list, `<tr data-status=`); got != n {
		t.Errorf("change list has %d rows, the sample has %d changes", got, n)
	}

	// Every record has its page — also one dated in the future (an upcoming
	// change is exactly what reviewers open).
	for _, kind := range []string{"change", "security", "kb", "asset"} {
		for _, id := range s.recordsOf(t, kind) {
			if _, err := os.Stat(filepath.Join(s.out, kind, id, "index.html")); err != nil {
				t.Errorf("record %s/%s has no page", kind, id)
			}
		}
	}
	if change, err := os.ReadFile(filepath.Join(s.out, "change", "CHG-2026-012", "index.html")); err == nil {
		for _, h := range []string{">实施方案</h2>", ">应急预案</h2>", ">回退方案</h2>", `href="../../project/prj-upgrade-2026/"`} {
			if !strings.Contains(string(change), h) {
				t.Errorf("change page CHG-2026-012 lacks %s", h)
			}
		}
	}
}

// recordsOf lists the ids of a kind in the built repository.
func (s *builtSite) recordsOf(t testing.TB, kind string) []string {
	t.Helper()
	rp, err := workspace.Open(s.root)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, e := range rp.Index.Entries {
		if e.Kind == kind {
			ids = append(ids, e.Stem)
		}
	}
	return ids
}

func TestEnglishThemeStrings(t *testing.T) {
	root := miniRepo(t)
	s, err := buildSite(context.Background(), root, filepath.Join(t.TempDir(), "public"), "en")
	if err != nil {
		t.Fatal(err)
	}
	home := readOut(t, s.out, "index.html")
	if !strings.Contains(home, `<html lang="en">`) {
		t.Errorf("--lang en: home page is not marked lang=en")
	}
	if strings.Contains(home, ">首页</a>") {
		t.Errorf("--lang en: navigation still reads 首页")
	}
}

// ---- failed builds ----

// miniRepo writes a small valid repository: the real schemas and two records.
func miniRepo(t testing.TB) string {
	t.Helper()
	root := filepath.Join(t.TempDir(), "repo")
	testrepo.AddSchemas(t, root)
	files := map[string]string{
		"opsbook.yaml": "platform: 迷你平台\ntimezone: Asia/Shanghai\n",
		"content/asset/2026/mini-db.yaml": "id: mini-db\nkind: asset\ntitle: 迷你数据库\ntype: database\nstatus: online\n" +
			"ip: 10.32.1.50\nowner: 张伟\nenvironment: production\nsince: 2026-01-01\n",
		"content/kb/2026/KB-2026-801.md": "---\nid: KB-2026-801\nkind: kb\ntitle: 迷你数据库表空间扩容\ncategory: howto\n" +
			"updated: 2026-10-16\naudience: engineer\nassets: [mini-db]\n---\n\n## 步骤\n\n1. 检查表空间使用率。\n",
	}
	for name, body := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// snapshotDir is every file under dir with its content hash.
func snapshotDir(t testing.TB, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		rel, _ := filepath.Rel(dir, p)
		files[filepath.ToSlash(rel)] = hex.EncodeToString(sum[:])
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func sameSnapshot(t testing.TB, what string, before, after map[string]string) {
	t.Helper()
	if len(before) != len(after) {
		t.Errorf("%s: output has %d files, had %d", what, len(after), len(before))
	}
	for f, h := range before {
		if after[f] != h {
			t.Errorf("%s: %s changed or disappeared", what, f)
		}
	}
}

func TestFailedBuildKeepsPreviousOutput(t *testing.T) {
	root := miniRepo(t)
	out := filepath.Join(t.TempDir(), "public")
	first := mustBuild(t, root, out)
	if first.res.Records != 2 {
		t.Fatalf("first build: %d records, want 2", first.res.Records)
	}
	before := snapshotDir(t, out)
	if _, ok := before["index.html"]; !ok {
		t.Fatal("first build wrote no index.html")
	}

	t.Run("schemas missing", func(t *testing.T) {
		schemas := filepath.Join(root, "schemas")
		aside := filepath.Join(filepath.Dir(root), "schemas-aside")
		if err := os.Rename(schemas, aside); err != nil {
			t.Fatal(err)
		}
		defer os.Rename(aside, schemas)
		if _, err := buildSite(context.Background(), root, out, ""); err == nil {
			t.Fatal("Build succeeded without a schemas directory")
		}
		sameSnapshot(t, "after a build without schemas", before, snapshotDir(t, out))
	})

	t.Run("cancelled after staging", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := buildSite(ctx, root, out, ""); err == nil {
			t.Fatal("Build succeeded with a cancelled context")
		}
		sameSnapshot(t, "after a cancelled build", before, snapshotDir(t, out))
		left, _ := filepath.Glob(filepath.Join(root, ".cache", "site-*"))
		if len(left) > 0 {
			t.Errorf("a failed build left its staging directory behind: %v", left)
		}
	})

	t.Run("next good build replaces everything", func(t *testing.T) {
		stale := filepath.Join(out, "stale.html")
		if err := os.WriteFile(stale, []byte("old"), 0o644); err != nil {
			t.Fatal(err)
		}
		kb := filepath.Join(root, "content", "kb", "2026", "KB-2026-801.md")
		data, err := os.ReadFile(kb)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(kb, bytes.Replace(data, []byte("表空间扩容"), []byte("表空间清理"), 1), 0o644); err != nil {
			t.Fatal(err)
		}
		mustBuild(t, root, out)
		if _, err := os.Stat(stale); err == nil {
			t.Errorf("a file of the previous output survived the swap")
		}
		if !strings.Contains(readOut(t, out, "kb/KB-2026-801/index.html"), "迷你数据库表空间清理") {
			t.Errorf("the rebuilt page does not show the edited title")
		}
		if _, err := os.Stat(out + ".old"); err == nil {
			t.Errorf("the swap left %s.old behind", out)
		}
	})
}

// A record id is used as a file name while staging: one that climbs out of
// the staging directory must not write outside it.
func TestUnsafeRecordIDStaysInside(t *testing.T) {
	root := miniRepo(t)
	sandbox := filepath.Dir(root)
	bad := "---\nid: ../../../../../escaped\nkind: kb\ntitle: 越界\ncategory: howto\nupdated: 2026-10-16\naudience: engineer\n---\n\n正文\n"
	if err := os.WriteFile(filepath.Join(root, "content", "kb", "2026", "KB-2026-802.md"), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(sandbox, "public")
	s, err := buildSite(context.Background(), root, out, "")
	if err != nil {
		t.Fatalf("one bad record must not stop the site: %v", err)
	}
	filepath.WalkDir(sandbox, func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasPrefix(d.Name(), "escaped") {
			t.Errorf("Build wrote %s, outside its staging directory (record id \"../../../../../escaped\")", p)
		}
		return nil
	})
	if _, err := os.Stat(filepath.Join(s.out, "kb", "KB-2026-801", "index.html")); err != nil {
		t.Errorf("the good record lost its page: %v", err)
	}
}

// ---- search ----

func testEveryRecordIsASearchDoc(t *testing.T, s *builtSite) {
	rp, err := workspace.Open(s.root)
	if err != nil {
		t.Fatal(err)
	}
	st := &stage{rp: rp, now: fixedNow()}
	st.load(func(msg string) { t.Errorf("sample record skipped: %s", msg) })
	docs := st.searchDocs()
	if len(st.recs) != len(rp.Index.Entries) || len(docs) != len(st.recs) {
		t.Fatalf("%d index entries, %d records loaded, %d search docs", len(rp.Index.Entries), len(st.recs), len(docs))
	}
	if s.res.Records != len(docs) {
		t.Errorf("Build reports %d records, want %d", s.res.Records, len(docs))
	}
	// Each page is in exactly one index: the public one, or its project's
	// restricted one.
	want := map[string]map[string]string{} // index dir → URL → title
	for i, d := range docs {
		r := st.recs[i]
		if d.Title != r.Title() || d.URL != r.url() || d.Kind != r.kind.Name || d.KindLabel == "" {
			t.Errorf("doc %d: %+v does not describe %s %s %q", i, d, r.kind.Name, r.id, r.Title())
		}
		if !strings.Contains(d.Text, r.id) {
			t.Errorf("doc %s: text does not hold the record id", d.URL)
		}
		if r.Body != "" && !strings.Contains(d.Text, firstWords(r.Body)) {
			t.Errorf("doc %s: text lacks the body (%q)", d.URL, firstWords(r.Body))
		}
		idx := "search/index"
		if r.restricted {
			idx = "search-restricted/" + r.proj
		}
		if want[idx] == nil {
			want[idx] = map[string]string{}
		}
		want[idx][d.URL] = d.Title
		if _, err := os.Stat(filepath.Join(s.out, filepath.FromSlash(d.URL), "index.html")); err != nil {
			t.Errorf("doc %s has no page: %v", d.URL, err)
		}
	}
	if s.res.Search.Docs != len(want["search/index"]) || s.res.Restricted != len(docs)-len(want["search/index"]) {
		t.Errorf("Build reports %d public and %d restricted docs, want %d and %d", s.res.Search.Docs, s.res.Restricted, len(want["search/index"]), len(docs)-len(want["search/index"]))
	}
	if len(want) < 3 || s.res.RestrictedIndexes != len(want)-1 {
		t.Errorf("%d restricted indexes written, want %d (the sample has confidential documents in two projects)", s.res.RestrictedIndexes, len(want)-1)
	}
	for idx, byURL := range want {
		var meta struct {
			N int `json:"n"`
		}
		data, err := os.ReadFile(filepath.Join(s.out, filepath.FromSlash(idx), "meta.json"))
		if err != nil {
			t.Fatalf("no search index %s: %v", idx, err)
		}
		if err := json.Unmarshal(data, &meta); err != nil || meta.N != len(byURL) {
			t.Errorf("%s/meta.json: n=%d (%v), want %d", idx, meta.N, err, len(byURL))
		}
		groups, _ := filepath.Glob(filepath.Join(s.out, filepath.FromSlash(idx), "d", "*.json"))
		seen := map[string]bool{}
		for _, g := range groups {
			data, err := os.ReadFile(g)
			if err != nil {
				t.Fatal(err)
			}
			var rows [][]string
			if err := json.Unmarshal(data, &rows); err != nil {
				t.Fatalf("%s: %v", g, err)
			}
			for _, row := range rows {
				if len(row) < 2 {
					t.Fatalf("%s: row %q", g, row)
				}
				if title, ok := byURL[row[0]]; !ok || title != row[1] {
					t.Errorf("%s: row %q %q matches no page of this index", idx, row[0], row[1])
				}
				seen[row[0]] = true
			}
		}
		if len(seen) != len(byURL) {
			t.Errorf("%s: the docs tables list %d pages, want %d", idx, len(seen), len(byURL))
		}
	}
}

// firstWords is a stretch of a body that survives plainMarkdown.
func firstWords(body string) string {
	for _, line := range strings.Split(body, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.ContainsAny(line, "#*`>|-[]") {
			continue
		}
		r := []rune(line)
		return string(r[:min(len(r), 12)])
	}
	return ""
}

// ---- links ----

// siteFiles lists the files under out with one of the extensions.
func siteFiles(t testing.TB, out string, exts ...string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && slices.Contains(exts, filepath.Ext(p)) {
			rel, _ := filepath.Rel(out, p)
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no %v files under %s", exts, out)
	}
	return files
}

// resolveRef turns a reference found in page (site-relative path) into a
// site-relative file path, or "" when it is not a local file reference.
func resolveRef(page, ref string) string {
	ref = strings.TrimSpace(ref)
	if ref == "" || strings.HasPrefix(ref, "#") || strings.HasPrefix(ref, "//") || strings.Contains(strings.SplitN(ref, "/", 2)[0], ":") {
		return ""
	}
	if i := strings.IndexAny(ref, "?#"); i >= 0 {
		ref = ref[:i]
	}
	if ref == "" {
		return ""
	}
	if u, err := url.PathUnescape(ref); err == nil {
		ref = u
	}
	var p string
	if strings.HasPrefix(ref, "/") {
		p = path.Clean(ref[1:])
	} else {
		p = path.Join(path.Dir(page), ref)
	}
	if strings.HasSuffix(ref, "/") || p == "." {
		p = path.Join(p, "index.html")
	}
	return p
}

func testInternalLinksResolve(t *testing.T, s *builtSite) {
	broken := map[string][]string{}
	for _, page := range siteFiles(t, s.out, ".html") {
		for _, ref := range pageRefs(t, s.out, page) {
			if ref.tag == "a" && ref.fromBody {
				continue // links written by hand in a record body are the author's business
			}
			f := resolveRef(page, ref.url)
			if f == "" || strings.HasPrefix(f, "../") {
				continue
			}
			if st, err := os.Stat(filepath.Join(s.out, filepath.FromSlash(f))); err == nil {
				if st.IsDir() {
					if _, err := os.Stat(filepath.Join(s.out, filepath.FromSlash(f), "index.html")); err == nil {
						continue
					}
				} else {
					continue
				}
			}
			key := fmt.Sprintf("<%s %s=%q> → %s", ref.tag, ref.attr, ref.url, f)
			broken[key] = append(broken[key], page)
		}
	}
	for key, pages := range broken {
		t.Errorf("%s does not exist (on %d pages, e.g. %s)", key, len(pages), pages[0])
	}
}

// ---- HTML inspection ----

// urlRef is a URL-valued attribute found in a page.
type urlRef struct {
	tag, attr, url string
	fromBody       bool // inside a record's rendered Markdown body
}

// urlAttrs are the attributes whose value the browser treats as a URL.
var urlAttrs = map[string]bool{
	"href": true, "src": true, "action": true, "formaction": true, "data": true, "poster": true,
	"srcset": true, "background": true, "cite": true, "longdesc": true, "manifest": true,
	"ping": true, "lowsrc": true, "dynsrc": true, "codebase": true, "archive": true, "icon": true,
}

func parsePage(t testing.TB, out, page string) *html.Node {
	t.Helper()
	f, err := os.Open(filepath.Join(out, filepath.FromSlash(page)))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := html.Parse(f)
	if err != nil {
		t.Fatalf("%s: %v", page, err)
	}
	return doc
}

// walkElements calls fn for every element, telling it whether the element is inside
// a record body (<div class="body">).
func walkElements(n *html.Node, inBody bool, fn func(n *html.Node, inBody bool)) {
	if n.Type == html.ElementNode {
		fn(n, inBody)
		if n.Data == "div" && hasClass(n, "body") {
			inBody = true
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walkElements(c, inBody, fn)
	}
}

func hasClass(n *html.Node, class string) bool {
	for _, a := range n.Attr {
		if a.Key == "class" && slices.Contains(strings.Fields(a.Val), class) {
			return true
		}
	}
	return false
}

func attrOf(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key && a.Namespace == "" {
			return a.Val, true
		}
	}
	return "", false
}

func pageRefs(t testing.TB, out, page string) []urlRef {
	var refs []urlRef
	walkElements(parsePage(t, out, page), false, func(n *html.Node, inBody bool) {
		for _, a := range n.Attr {
			if !urlAttrs[a.Key] {
				continue
			}
			vals := []string{a.Val}
			if a.Key == "srcset" {
				vals = nil
				for _, c := range strings.Split(a.Val, ",") {
					if f := strings.Fields(c); len(f) > 0 {
						vals = append(vals, f[0])
					}
				}
			}
			for _, v := range vals {
				refs = append(refs, urlRef{tag: n.Data, attr: a.Key, url: v, fromBody: inBody})
			}
		}
		if n.Data == "meta" {
			if c, ok := attrOf(n, "content"); ok {
				if i := strings.Index(strings.ToLower(c), "url="); i >= 0 {
					refs = append(refs, urlRef{tag: "meta", attr: "content", url: c[i+4:], fromBody: inBody})
				}
			}
		}
		if st, ok := attrOf(n, "style"); ok {
			for _, u := range cssURLs(st) {
				refs = append(refs, urlRef{tag: n.Data, attr: "style", url: u, fromBody: inBody})
			}
		}
		if n.Data == "style" && n.FirstChild != nil {
			for _, u := range cssURLs(n.FirstChild.Data) {
				refs = append(refs, urlRef{tag: "style", attr: "url()", url: u, fromBody: inBody})
			}
		}
	})
	return refs
}

var (
	cssURL    = regexp.MustCompile(`(?i)url\(\s*(?:"([^"]*)"|'([^']*)'|([^)\s]*))\s*\)`)
	cssImport = regexp.MustCompile(`(?i)@import\s+(?:"([^"]*)"|'([^']*)')`)
	jsURL     = regexp.MustCompile("(?i)[\"'`]((?:https?:|ftp:)?//[a-z0-9][^\"'`\\s]*)")
)

func cssURLs(css string) []string {
	var out []string
	for _, re := range []*regexp.Regexp{cssURL, cssImport} {
		for _, m := range re.FindAllStringSubmatch(css, -1) {
			out = append(out, m[1]+m[2]+m[len(m)-1])
		}
	}
	return out
}

// isExternal reports whether a URL leaves the site: a scheme other than
// data:, or a protocol-relative //host.
func isExternal(u string) bool {
	u = strings.ToLower(strings.Map(func(r rune) rune {
		if r <= ' ' {
			return -1 // browsers drop tabs and newlines anywhere, spaces/controls at the ends
		}
		return r
	}, u))
	if strings.HasPrefix(u, "//") || strings.HasPrefix(u, `\\`) || strings.HasPrefix(u, `/\`) {
		return true
	}
	scheme, _, ok := strings.Cut(u, ":")
	return ok && !strings.ContainsAny(scheme, "/?#") && scheme != "data"
}

// offlineViolations lists every reference in the site that makes a browser
// fetch from, or send a form to, another host: scripts, styles, fonts,
// images, frames, objects, media — and links the theme itself writes.
func offlineViolations(t testing.TB, out string) []string {
	t.Helper()
	var bad []string
	for _, page := range siteFiles(t, out, ".html") {
		for _, r := range pageRefs(t, out, page) {
			if r.tag == "a" && r.fromBody {
				continue // a hand-written link in a record body is navigation, not a resource
			}
			if isExternal(r.url) {
				bad = append(bad, fmt.Sprintf("%s: <%s %s=%q>", page, r.tag, r.attr, r.url))
			}
		}
	}
	for _, f := range siteFiles(t, out, ".css", ".js") {
		text := readOut(t, out, f)
		var urls []string
		if strings.HasSuffix(f, ".css") {
			urls = cssURLs(text)
		} else {
			for _, m := range jsURL.FindAllStringSubmatch(text, -1) {
				urls = append(urls, m[1])
			}
		}
		for _, u := range urls {
			if isExternal(u) {
				bad = append(bad, fmt.Sprintf("%s: %q", f, u))
			}
		}
	}
	return bad
}

func TestExternalDetector(t *testing.T) {
	for u, want := range map[string]bool{
		"https://cdn.example/x.js": true, "HTTP://x": true, "//cdn.example/x.css": true, " //x": true,
		"\\\\x/y": true, "ftp://x": true, "java\tscript:alert(1)": true,
		"../../css/site.css": false, "search/": false, "#top": false, "/abs/path": false,
		"data:image/png;base64,AAAA": false, "a/b:c": false, "?q=1": false,
	} {
		if isExternal(u) != want {
			t.Errorf("isExternal(%q) = %v, want %v", u, !want, want)
		}
	}
	if got := cssURLs(`@font-face{src:url("https://f.example/a.woff2")} b{background:url( //x/y.png )} @import 'http://i/c.css';`); len(got) != 3 || !isExternal(got[0]) || !isExternal(got[1]) || !isExternal(got[2]) {
		t.Errorf("cssURLs: %q", got)
	}
}

// ---- safety: Markdown and field payloads never become live HTML ----

// themeScripts are the only scripts a page may load (site-relative paths).
var themeScripts = []string{"js/site.js", "search/search.js"}

// xssSite builds testdata/xss (with the real schemas) plus extra files
// (testdata/xss/extra/NAME → content/KIND/2026/NAME).
func xssSite(t testing.TB, extra ...string) (*builtSite, error) {
	t.Helper()
	root := filepath.Join(t.TempDir(), "repo")
	for _, part := range []string{"content", "opsbook.yaml"} {
		testrepo.CopyTree(t, filepath.Join("testdata", "xss", part), filepath.Join(root, part))
	}
	testrepo.AddSchemas(t, root)
	for _, e := range extra {
		data, err := os.ReadFile(filepath.Join("testdata", "xss", "extra", e))
		if err != nil {
			t.Fatal(err)
		}
		kind := strings.ToLower(strings.SplitN(e, "-", 2)[0])
		p := filepath.Join(root, "content", kind, "2026", e)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return buildSite(context.Background(), root, filepath.Join(filepath.Dir(root), "public"), "")
}

var dangerousScheme = regexp.MustCompile(`^(javascript|vbscript|livescript|mocha):|^data:(?:text/html|image/svg|application)`)

// liveHTMLViolations lists what could run script in the built pages.
func liveHTMLViolations(t testing.TB, out string) []string {
	t.Helper()
	var bad []string
	for _, page := range siteFiles(t, out, ".html") {
		walkElements(parsePage(t, out, page), false, func(n *html.Node, _ bool) {
			switch n.Data {
			case "script":
				src, ok := attrOf(n, "src")
				if !ok || !slices.Contains(themeScripts, resolveRef(page, src)) {
					bad = append(bad, fmt.Sprintf("%s: <script src=%q> is not one of the theme's scripts %v", page, src, themeScripts))
				}
				if n.FirstChild != nil && strings.TrimSpace(n.FirstChild.Data) != "" {
					bad = append(bad, fmt.Sprintf("%s: inline script %.60q", page, n.FirstChild.Data))
				}
			case "iframe", "frame", "frameset", "object", "embed", "applet", "base", "portal":
				bad = append(bad, fmt.Sprintf("%s: <%s> element", page, n.Data))
			case "meta":
				if v, ok := attrOf(n, "http-equiv"); ok {
					bad = append(bad, fmt.Sprintf("%s: <meta http-equiv=%q>", page, v))
				}
			}
			for _, a := range n.Attr {
				key := strings.ToLower(a.Key)
				if strings.HasPrefix(key, "on") {
					bad = append(bad, fmt.Sprintf("%s: <%s %s=%q> event handler attribute", page, n.Data, a.Key, a.Val))
				}
				if urlAttrs[key] || key == "xlink:href" || a.Namespace == "xlink" || key == "style" {
					v := strings.ToLower(strings.Map(func(r rune) rune {
						if r <= ' ' {
							return -1
						}
						return r
					}, a.Val))
					if dangerousScheme.MatchString(v) || (key == "style" && (strings.Contains(v, "expression(") || strings.Contains(v, "javascript:"))) {
						bad = append(bad, fmt.Sprintf("%s: <%s %s=%q>", page, n.Data, a.Key, a.Val))
					}
				}
			}
		})
	}
	return bad
}

// textOf is the text content of the first element named tag.
func textOf(n *html.Node, tag string) string {
	var found *html.Node
	walkElements(n, false, func(e *html.Node, _ bool) {
		if found == nil && e.Data == tag {
			found = e
		}
	})
	if found == nil {
		return ""
	}
	var b strings.Builder
	var text func(*html.Node)
	text = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			text(c)
		}
	}
	text(found)
	return b.String()
}

func TestPayloadsNeverBecomeLiveHTML(t *testing.T) {
	s, err := xssSite(t)
	if err != nil {
		t.Fatal(err)
	}
	if s.res.Records != 7 {
		t.Fatalf("built %d records of the fixture, want 7\n%s", s.res.Records, s.log)
	}
	for _, v := range liveHTMLViolations(t, s.out) {
		t.Error(v)
	}
	// The payloads are shown, as text: the pages did render them.
	for page, want := range map[string]string{
		"kb/KB-2026-901/index.html":       `知识</title><script>alert("kb-title")</script>`,
		"change/CHG-2026-901/index.html":  `变更</title><script>alert("change-title")</script>`,
		"asset/xss-asset/index.html":      `资产</title><script>alert("asset-title")</script>`,
		"anomaly/ANO-2026-901/index.html": `异常</title><script>alert("anomaly-title")</script>`,
	} {
		doc := parsePage(t, s.out, page)
		if got := textOf(doc, "title"); !strings.Contains(got, want) {
			t.Errorf("%s: <title> text %q does not show the title %q as text", page, got, want)
		}
		if got := textOf(doc, "h1"); !strings.Contains(got, want) {
			t.Errorf("%s: <h1> text %q does not show the title %q as text", page, got, want)
		}
	}
	// The dashboard and its charts show fields of several records.
	home := textOf(parsePage(t, s.out, "index.html"), "main")
	for what, want := range map[string]string{
		"the failing inspection item's message": `<img src=x onerror=alert("inspection-message")>`,
		"the open anomaly":                      `alert("anomaly-title")</script>`,
		"the change of the coming days":         `alert("change-title")</script>`,
		"the department in the ticket chart":    `<script>alert("dept-short")</script>`,
	} {
		if !strings.Contains(home, want) {
			t.Errorf("home page does not show %s (%s) as text", what, want)
		}
	}
	if body := textOf(parsePage(t, s.out, "kb/KB-2026-901/index.html"), "article"); !strings.Contains(body, `<script>alert("kb-code")</script>`) {
		t.Errorf("the code block's <script> is not shown as code text")
	}
	for _, v := range offlineViolations(t, s.out) {
		t.Errorf("external resource: %s", v)
	}
}

// Record bodies are Markdown, not Hugo templates: shortcodes in them are
// text, and an image on another host is not loaded (the site is offline).
func TestRecordBodiesCannotPullResources(t *testing.T) {
	s, err := xssSite(t, "KB-2026-902.md")
	if err != nil {
		t.Fatalf("a record body with Hugo shortcode syntax broke the build: %v", err)
	}
	page := "kb/KB-2026-902/index.html"
	doc := parsePage(t, s.out, page)
	text := textOf(doc, "article")
	for _, want := range []string{"{{< youtube dQw4w9WgXcQ >}}", "{{< no-such-shortcode >}}", "{{% no-such-shortcode %}}", "{{< param title >}}", `{{< ref "kb/KB-2026-001.md" >}}`} {
		if !strings.Contains(text, want) {
			t.Errorf("%s: shortcode %s is not shown as text", page, want)
		}
	}
	for _, v := range offlineViolations(t, s.out) {
		t.Errorf("external resource: %s", v)
	}
	for _, v := range liveHTMLViolations(t, s.out) {
		if strings.HasPrefix(v, page) {
			t.Error(v)
		}
	}
	var local, portal bool
	walkElements(doc, false, func(n *html.Node, inBody bool) {
		if src, _ := attrOf(n, "src"); n.Data == "img" && strings.HasSuffix(src, "img/ok.png") {
			local = true
		}
		if href, _ := attrOf(n, "href"); n.Data == "a" && inBody && href == "https://portal.example.gov.cn/" {
			portal = true
		}
	})
	if !local {
		t.Errorf("%s: the site-relative image is no longer an <img>", page)
	}
	if !portal {
		t.Errorf("%s: the link to the intranet portal is no longer a link", page)
	}
}

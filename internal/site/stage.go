package site

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/spf13/afero"

	"github.com/opsbook/opsbook/internal/export"
	"github.com/opsbook/opsbook/internal/gitrepo"
	"github.com/opsbook/opsbook/internal/inventory"
	"github.com/opsbook/opsbook/internal/kind"
	"github.com/opsbook/opsbook/internal/obligation"
	"github.com/opsbook/opsbook/internal/record"
	"github.com/opsbook/opsbook/internal/report"
	"github.com/opsbook/opsbook/internal/rules"
	"github.com/opsbook/opsbook/internal/search"
	"github.com/opsbook/opsbook/internal/workspace"
)

// stage is the site being assembled from one repository.
type stage struct {
	rp *workspace.Workspace
	fs afero.Fs // the Hugo project, in memory
	// parts are the parts of pages rendered in Go, which Hugo's output
	// gets as it is written (splice.go); it is Hugo's destination.
	parts  *splicer
	dir    string // its path: Hugo's working dir, with public/ on disk
	now    time.Time
	recs   []*rec
	byID   map[string]*rec
	byKind map[string][]*rec
	back   map[string][]backlink // target id → records referring to it
	audit  map[string]*gitrepo.Audit
	// article renders a record page's article (the theme's go/article.html),
	// list a kind's list of records (go/list.html).
	article, list *template.Template
	docs          []search.Doc // search documents of recs, filled while staging
	// reports is every record as internal/report sees it, for report pages.
	reportOnce   sync.Once
	reports      *report.Data
	periodCharts sync.Map // "week 2026-W47" → the charts of that period (template.HTML)
	bookOnce     sync.Once
	book         *obligation.Book // the compliance calendar, nil without obligations
	// inv is the project file inventory (internal/inventory), by project.
	invOnce sync.Once
	inv     map[string]*inventory.Project
	// omit leaves restricted records' pages, attachments and indexes out
	// of the build (Options.OmitRestricted).
	omit bool
	// warn reports a problem in the build log; safe for concurrent use.
	warn func(string)
}

// backlink is a record that refers to another.
type backlink struct {
	From  *rec
	Field string // the referring field's Chinese title
}

// load reads every record of the repository (files that do not load are
// skipped with a warning: opsbook validate is where they are reported).
// Files are read and parsed on every core; the order stays the index's.
func (s *stage) load(warn func(string)) {
	s.byID, s.byKind, s.back = map[string]*rec{}, map[string][]*rec{}, map[string][]backlink{}
	entries := s.rp.Index.Entries
	type loaded struct {
		r   *record.Record
		err error
	}
	out := make([]loaded, len(entries))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1) - 1); i < len(entries); i = int(next.Add(1) - 1) {
				e := entries[i]
				if _, ok := s.rp.Schemas.Kinds[e.Kind]; ok {
					out[i].r, out[i].err = record.ReadFields(s.rp.Index.Abs(e.Path), e.Path, s.rp.Config.MaxFileSize)
				}
			}
		}()
	}
	wg.Wait()
	for i, e := range entries {
		k, ok := s.rp.Schemas.Kinds[e.Kind]
		if !ok {
			continue
		}
		r, err := out[i].r, out[i].err
		if err != nil {
			warn(fmt.Sprintf("跳过 %s：%v", e.Path, err))
			continue
		}
		if r.ID() != e.Stem { // the id names files in the staging tree: only the file's own name is safe
			warn(fmt.Sprintf("跳过 %s：编号 %q 与文件名不一致（运行 opsbook validate）", e.Path, r.ID()))
			continue
		}
		if !safePartKey(r.ID()) { // it names the page's part in an HTML comment (splice.go)
			warn(fmt.Sprintf("跳过 %s：编号 %q 含有 < 或 >，不能用于页面（运行 opsbook validate）", e.Path, r.ID()))
			continue
		}
		x := &rec{Record: r, kind: k, id: r.ID(), date: export.DateOf(r.Fields)}
		s.recs = append(s.recs, x)
		s.byID[x.id] = x
		s.byKind[k.Name] = append(s.byKind[k.Name], x)
	}
	s.markRestricted()
	for _, list := range s.byKind {
		sort.Slice(list, func(i, j int) bool {
			if list[i].date != list[j].date {
				return list[i].date > list[j].date // newest first
			}
			return list[i].id > list[j].id
		})
	}
	for _, r := range s.recs {
		for _, ref := range r.kind.Refs {
			// The referring field's title: a list's own ("assets/*" → 相关资产).
			named := ref.Pattern
			for len(named) > 1 && named[len(named)-1] == "*" {
				named = named[:len(named)-1]
			}
			field := title(r.kind, "/"+strings.Join(named, "/"), named[len(named)-1])
			rules.Each(r.Fields, ref.Pattern, "", func(_ string, v any) {
				id, _ := v.(string)
				if t, ok := s.byID[id]; ok && t.kind.Name == ref.Target && t != r {
					if n := len(s.back[id]); n == 0 || s.back[id][n-1].From != r {
						s.back[id] = append(s.back[id], backlink{From: r, Field: field})
					}
				}
			})
		}
	}
}

// listView is the data of a kind's list (the theme's go/list.html).
type listView struct {
	Kind    string
	Columns []string // extra columns (listColumns), filled from each item's Note
	Items   []item
}

type backlinkView struct {
	Kind  string `json:"kind"`
	Label string `json:"label"`
	Field string `json:"field"`
	Items []item `json:"items"` // the newest maxBacklinks
	Total int    `json:"total"` // all of them
}

// item is a record in a list.
type item struct {
	Restricted bool   `json:"restricted,omitempty"` // a placeholder: title and details withheld
	ID         string `json:"id"`
	Title      string `json:"title"`
	URL        string `json:"url"`
	Date       string `json:"date,omitempty"`
	Status     string `json:"status,omitempty"`
	StatusKey  string `json:"statusKey,omitempty"`
	Kind       string `json:"kind,omitempty"`
	Note       string `json:"note,omitempty"`
}

type auditView struct {
	CreatedBy, CreatedAt, UpdatedBy, UpdatedAt string
	ApprovedBy, ApprovedAt                     string
	Independent                                bool
	Reason                                     string
	Approvals                                  []string
}

// itemOf is r as an entry of a list on a page that is not a record's own
// (a kind's list, the dashboard, the calendar): a placeholder when r is
// restricted.
func (s *stage) itemOf(r *rec) item { return s.itemOn(r, nil) }

// itemOn is r as an entry of a list on page's page.
func (s *stage) itemOn(r *rec, page *rec) item {
	if !visibleOn(r, page) {
		it := item{Restricted: true, ID: s.placeholderID(r), Title: placeholderOf(r), Kind: r.kind.Label}
		if s.hasPage(r) {
			it.URL = r.url()
		}
		return it
	}
	it := item{ID: r.id, Title: r.Title(), URL: r.url(), Date: short(r.date), Kind: r.kind.Label}
	it.StatusKey = r.str("status")
	it.Status = s.value(r, "/status", it.StatusKey)
	return it
}

func short(date string) string {
	if len(date) >= 16 {
		return date[:16]
	}
	return date
}

// writePages writes one Hugo page per record and an index page per kind.
func (s *stage) writePages() error {
	// Pages are independent: render them on every core, the kinds' lists
	// first (the longest jobs), then the records.
	kinds := s.rp.Schemas.KindNames()
	s.docs = make([]search.Doc, len(s.recs))
	jobs := make(chan int)
	errs := make(chan error, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var first error
			var buf bytes.Buffer
			for i := range jobs {
				switch {
				case first != nil:
				case i < len(kinds):
					first = s.writeListPage(kinds[i], &buf)
				default:
					first = s.writeRecordPage(i-len(kinds), &buf)
				}
			}
			errs <- first
		}()
	}
	for i := range len(kinds) + len(s.recs) {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// writeListPage writes the index page of a kind: its list of records,
// rendered in Go (the theme's go/list.html); buf is the caller's scratch.
func (s *stage) writeListPage(name string, buf *bytes.Buffer) error {
	k := s.rp.Schemas.Kinds[name]
	v := listView{Kind: name, Columns: listColumns(name)}
	for _, r := range s.byKind[name] {
		it := s.itemOf(r)
		if !it.Restricted {
			it.Note = listNote(r)
		}
		v.Items = append(v.Items, it)
	}
	buf.Reset()
	if err := s.list.Execute(buf, v); err != nil {
		return fmt.Errorf("%s 列表：%w", k.Label, err)
	}
	key := "list:" + name
	if err := s.parts.add(key, name+"/index.html", buf.Bytes()); err != nil {
		return err
	}
	front := map[string]any{"title": k.Label, "kind": name, "count": len(s.byKind[name]), "statuses": k.EnumLabels["/status"], "part": key}
	return writePageFS(s.fs, filepath.Join(s.dir, "content", name, "_index.md"), front, "")
}

func dateOnly(d string) string {
	if len(d) >= 10 {
		if _, err := time.Parse(time.DateOnly, d[:10]); err == nil {
			return d[:10]
		}
	}
	return ""
}

// listColumns are the extra columns of a kind's list page.
func listColumns(kind string) []string {
	switch kind {
	case "change":
		return []string{"实施窗口"}
	case "ticket":
		return []string{"部门 · 类别"}
	case "asset":
		return []string{"类型"}
	}
	return nil
}

func listNote(r *rec) string {
	switch r.kind.Name {
	case "change":
		c, _ := kind.ChangeFrom(r.Record, time.UTC) // only the window as written
		return c.Window.StartText + " – " + c.Window.EndText
	case "ticket":
		return r.str("department") + " · " + r.str("category")
	case "asset":
		return r.str("type")
	}
	return ""
}

// maxBacklinks is how many records a related-records group lists (the
// newest); the group says how many there are in all.
const maxBacklinks = 50

func (s *stage) backlinks(r *rec) []backlinkView {
	type group struct {
		view *backlinkView
		from []*rec
	}
	groups := map[string]*group{}
	var order []string
	for _, b := range s.back[r.id] {
		if r.kind.Name == "project" && b.From.kind.Name == "document" {
			continue // the project's inventory lists its documents
		}
		key := b.From.kind.Name + "|" + b.Field
		g, ok := groups[key]
		if !ok {
			g = &group{view: &backlinkView{Kind: b.From.kind.Name, Label: b.From.kind.Label, Field: b.Field}}
			groups[key] = g
			order = append(order, key)
		}
		g.from = append(g.from, b.From)
	}
	sort.Strings(order)
	// Newest first by the date a list shows (none for a placeholder), the
	// order of the references among equals; only the listed ones become items.
	listedDate := func(from *rec) string {
		if !visibleOn(from, r) {
			return ""
		}
		return short(from.date)
	}
	out := make([]backlinkView, 0, len(order))
	for _, k := range order {
		g := groups[k]
		sort.SliceStable(g.from, func(i, j int) bool { return listedDate(g.from[i]) > listedDate(g.from[j]) })
		g.view.Total = len(g.from)
		for _, from := range g.from[:min(len(g.from), maxBacklinks)] {
			it := s.itemOn(from, r)
			if r.kind.Name == "asset" && from.kind.Name == "inspection" && !it.Restricted {
				it.Note = itemStatusFor(from, r.id)
			}
			g.view.Items = append(g.view.Items, it)
		}
		out = append(out, *g.view)
	}
	return out
}

// itemStatusFor summarises an inspection's items about one asset.
func itemStatusFor(ins *rec, asset string) string {
	in, _ := kind.InspectionFrom(ins.Record)
	var parts []string
	for _, it := range in.Items {
		if it.Asset != asset {
			continue
		}
		mark := map[string]string{"ok": "✓", "warning": "⚠", "failed": "✗", "skipped": "–"}[it.Status]
		parts = append(parts, mark+" "+it.Name)
	}
	return strings.Join(parts, "；")
}

func auditOf(a *gitrepo.Audit, approvalMatters bool) *auditView {
	v := &auditView{CreatedBy: a.CreatedBy, UpdatedBy: a.UpdatedBy, Independent: a.Independent, Reason: a.Reason}
	if !a.CreatedAt.IsZero() {
		v.CreatedAt = a.CreatedAt.Format("2006-01-02 15:04")
	}
	if !a.UpdatedAt.IsZero() {
		v.UpdatedAt = a.UpdatedAt.Format("2006-01-02 15:04")
	}
	for _, ap := range a.Approvals {
		// The strength says what the approver's name rests on: a verified
		// signature, a platform's signature, or only the committer name.
		at, commit := ap.At.Format("2006-01-02 15:04"), ap.Commit[:min(len(ap.Commit), 10)]
		if ap.Strength == "" {
			v.Approvals = append(v.Approvals, fmt.Sprintf("%s 于 %s 合并（%s，签名未通过验证，不算批准）", ap.By, at, commit))
			continue
		}
		v.Approvals = append(v.Approvals, fmt.Sprintf("%s 于 %s 合并批准（%s，%s）", ap.By, at, commit, ap.Strength.Label()))
	}
	if n := len(a.Approvals); n > 0 {
		v.ApprovedBy, v.ApprovedAt = a.Approvals[n-1].By, a.Approvals[n-1].At.Format("2006-01-02 15:04")
	}
	if !approvalMatters {
		v.Reason = ""
		v.Independent = true
	}
	return v
}

// writePage writes a Hugo page with JSON front matter and a Markdown body
// to disk.
func writePage(path string, front any, body string) error {
	return writePageFS(afero.NewOsFs(), path, front, body)
}

// writePageFS writes a Hugo page with JSON front matter and a Markdown body.
func writePageFS(fsys afero.Fs, path string, front any, body string) error {
	data, err := json.Marshal(front)
	if err != nil {
		return err
	}
	if err := fsys.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	b := make([]byte, 0, len(data)+2+len(body))
	b = append(append(append(b, data...), "\n\n"...), body...)
	return afero.WriteFile(fsys, path, b, 0o644)
}

func writeJSON(fsys afero.Fs, path string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if err := fsys.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return afero.WriteFile(fsys, path, data, 0o644)
}

// release drops what only staging needed (records, indexes of them, the
// git audit, report data, search documents), so Hugo runs with a smaller
// heap; the stage keeps its repository, file system and options.
func (s *stage) release() {
	s.recs, s.byID, s.byKind, s.back, s.audit, s.docs, s.reports, s.book = nil, nil, nil, nil, nil, nil, nil, nil
	s.periodCharts.Clear()
}

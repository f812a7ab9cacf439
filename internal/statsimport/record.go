package statsimport

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/opsbook/opsbook/internal/diag"
	"github.com/opsbook/opsbook/internal/kind"
	"github.com/opsbook/opsbook/internal/layout"
	"github.com/opsbook/opsbook/internal/period"
	"github.com/opsbook/opsbook/internal/record"
	"github.com/opsbook/opsbook/internal/store"
	"github.com/opsbook/opsbook/internal/validate"
	"github.com/opsbook/opsbook/internal/workspace"
)

// Kind is the record kind imports write.
const Kind = "stats"

// Request is one import into a repository.
type Request struct {
	File   string // the export to read
	Name   string // how messages name File ("" for File itself)
	Period period.Period
	Sheet  string // XLSX worksheet; "" for the first
	ID     string // record id; "" for RecordID(Period)
	Source string // the record's source; "" for a sentence naming the file
	// Force replaces an existing record of the same id (keeping its tags and notes).
	Force bool
}

// Result is what an import wrote.
type Result struct {
	Path     string // repository-relative path of the record
	ID       string
	Title    string
	Table    *Table
	Replaced bool   // an existing record was replaced (Force)
	Content  []byte // the record as written
	// Names are the short names (else full names) of the departments imported, by id.
	Names map[string]string
	// Warnings are department records that could not be read (their
	// departments can't be matched).
	Warnings []string
	// Violations are what validating the written record found; empty when
	// it is valid (it was checked before writing, so only a repository that
	// changed meanwhile can make this non-empty).
	Violations []diag.Violation
}

// InvalidError is a record built from the file that does not validate; it
// was not written.
type InvalidError struct {
	File, Path string
	Violations []diag.Violation
}

func (e *InvalidError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "由 %s 生成的 %s 未通过校验，未写入：", e.File, e.Path)
	for _, v := range e.Violations {
		b.WriteString("\n  " + v.String())
	}
	return b.String()
}

// ExistsError is a record that exists already; nothing was written.
type ExistsError struct{ Path string }

func (e *ExistsError) Error() string {
	return fmt.Sprintf("%s 已存在，未写入；确认要用本次导入替换它时加 --force（保留原记录的 tags 和 notes），或用 --id 指定另一个编号", e.Path)
}

// Departments reads the department records of a repository. Records that
// can't be read are left out with a warning; opsbook validate reports them.
func Departments(rp *workspace.Workspace) ([]Department, []string) {
	var deps []Department
	var warnings []string
	for it := range kind.All(rp.Index, "department", rp.Config.MaxFileSize) {
		if it.Err != nil {
			warnings = append(warnings, fmt.Sprintf("部门记录 %s 无法读取，导入时不能匹配该部门：%v", it.Entry.Path, it.Err))
			continue
		}
		d, _ := kind.DepartmentFrom(it.Record)
		if d.ID == "" {
			d.ID = it.Entry.Stem
		}
		deps = append(deps, Department{ID: d.ID, Title: d.Title, ShortName: d.ShortName})
	}
	return deps, warnings
}

var statsID = regexp.MustCompile(`^STA-([0-9]{4})-[0-9A-Za-z][0-9A-Za-z-]*$`)

// Import reads req.File, builds the stats record for req.Period, checks it
// with the repository's rules and writes it atomically to
// content/stats/<year>/<id>.yaml, then validates the written file. On any
// error nothing is written.
func Import(ctx context.Context, rp *workspace.Workspace, req Request) (*Result, error) {
	id := req.ID
	if id == "" {
		id = RecordID(req.Period)
	}
	m := statsID.FindStringSubmatch(id)
	if m == nil {
		return nil, fmt.Errorf("编号 %q 不符合统计记录格式 STA-年份-后缀（例如 %s）", id, RecordID(req.Period))
	}
	rel := store.Path(Kind, m[1], id, ".yaml")
	st := store.New(rp.Root, rp.Rules)
	abs := st.Abs(rel)
	for _, e := range rp.Index.Lookup(id) {
		if e.Path != rel {
			return nil, fmt.Errorf("编号 %s 已被 %s 使用，未写入；请用 --id 指定另一个编号", id, e.Path)
		}
	}
	deps, warnings := Departments(rp)
	name := req.Name
	if name == "" {
		name = req.File
	}
	table, err := readFile(req.File, name, Options{Sheet: req.Sheet, Columns: rp.Config.StatsImport.Columns, Departments: deps})
	if err != nil {
		return nil, err
	}
	rec := recordFields{ID: id, Title: Title(req.Period), Period: req.Period, Source: req.Source, Rows: table.Rows,
		Tags: []string{"考核", tag(req.Period)}}
	if rec.Source == "" {
		rec.Source = fmt.Sprintf("%s部门统计导出文件 %s", platformName(rp), filepath.Base(req.File))
		if table.Sheet != "" {
			rec.Source += "（工作表“" + table.Sheet + "”）"
		}
		rec.Source += "，由 opsbook stats import 导入"
	}
	replaced := false
	switch _, err := os.Stat(abs); {
	case err == nil && !req.Force:
		return nil, &ExistsError{Path: rel}
	case err == nil:
		replaced = true
		if old, err := record.ReadFile(abs, rel, rp.Config.MaxFileSize); err == nil {
			rec.keep(old)
		}
	case !errors.Is(err, fs.ErrNotExist):
		return nil, err
	}
	content, err := rec.marshal()
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	mode := store.Create // never overwrite …
	if req.Force {
		mode = store.Replace // … unless asked to
	}
	if err := st.Put(store.File{Path: rel, Content: content}, mode); err != nil {
		var invalid *store.InvalidError
		switch {
		case errors.As(err, &invalid):
			return nil, &InvalidError{File: name, Path: rel, Violations: invalid.Violations}
		case errors.Is(err, fs.ErrExist):
			return nil, &ExistsError{Path: rel}
		}
		return nil, err
	}
	res := &Result{Path: rel, ID: id, Title: rec.Title, Table: table, Replaced: replaced, Content: content, Warnings: warnings,
		Names: map[string]string{}}
	for _, d := range deps {
		res.Names[d.ID] = cmp.Or(d.ShortName, d.Title, d.ID)
	}
	// Check the written file against the repository as it now is.
	after, err := workspace.Open(rp.Root)
	if err != nil {
		return res, err
	}
	v, err := validate.Check(ctx, after, []layout.Entry{layout.NewEntry(rel)}, 1)
	if err != nil {
		return res, err
	}
	res.Violations = v.Violations
	return res, nil
}

func platformName(rp *workspace.Workspace) string {
	if rp.Config != nil && rp.Config.Platform != "" {
		return rp.Config.Platform
	}
	return "平台"
}

// recordFields is the stats record an import writes.
type recordFields struct {
	ID, Title, Source string
	Period            period.Period
	Rows              []Row
	Tags              []string
	Notes             string
}

// keep takes the tags and notes of the record being replaced: people write those.
func (r *recordFields) keep(old *record.Record) {
	st, _ := kind.StatsFrom(old)
	if st.HasTags {
		r.Tags = st.Tags
	}
	if st.HasNotes {
		r.Notes = st.Notes
	}
}

// Marshal returns the record as YAML, in the field order of the sample records.
func (r *recordFields) marshal() ([]byte, error) {
	plain := func(v string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Value: v} }
	str := func(v string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v} }
	num := func(n int) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.Itoa(n)} }
	doc := &yaml.Node{Kind: yaml.MappingNode}
	add := func(k string, v *yaml.Node) { doc.Content = append(doc.Content, plain(k), v) }
	add("id", str(r.ID))
	add("kind", plain(Kind))
	add("title", str(r.Title))
	add("period_type", plain(string(r.Period.Type)))
	add("period", &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle, Content: []*yaml.Node{
		plain("start"), plain(r.Period.Start.Format("2006-01-02")), plain("end"), plain(r.Period.End.Format("2006-01-02"))}})
	add("source", str(r.Source))
	rows := &yaml.Node{Kind: yaml.SequenceNode}
	for _, row := range r.Rows {
		n := &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{plain("department"), str(row.Department)}}
		for _, f := range CountFields {
			n.Content = append(n.Content, plain(f), num(row.Count(f)))
		}
		rows.Content = append(rows.Content, n)
	}
	add("rows", rows)
	if len(r.Tags) > 0 {
		tags := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
		for _, t := range r.Tags {
			tags.Content = append(tags.Content, str(t))
		}
		add("tags", tags)
	}
	if r.Notes != "" {
		add("notes", str(r.Notes))
	}
	var b bytes.Buffer
	b.WriteString("# 由 opsbook stats import 从平台导出文件生成；重新导入同一周期请加 --force（保留 tags 和 notes）\n")
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

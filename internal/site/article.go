package site

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/gohugoio/hugo/parser/metadecoders"
	"github.com/spf13/afero"

	"github.com/opsbook/opsbook/themes"
)

// The theme's templates rendered in Go while staging, not by Hugo (whose
// template engine would spend most of a 100,000-record build walking every
// page's rows, tables and backlinks, and every list's items): a record
// page's article and a kind's list of records. Their output goes into the
// pages as Hugo writes them (splice.go).
const (
	articlePath = "opsbook/go/article.html"
	listPath    = "opsbook/go/list.html"
)

// articleView is the data of the article template.
type articleView struct {
	Title, Kind, KindLabel, ID, Source string
	Status, StatusKey                  string
	Rows                               []Row
	Tables                             []Table
	BodyHTML                           template.HTML // rendered in Go: no shortcodes, no external images
	Charts                             template.HTML // a report's charts of its period (inline SVG)
	Backlinks                          []backlinkView
	Audit                              *auditView
	Attachments                        []attachmentView // a document's files
	Inventory                          *inventoryView   // a project's documents
	Restricted                         bool             // readable only with the project's grant
}

// recordFront is the front matter of a record page: what the layouts
// outside the article need (title, kind) and the key of its article, which
// goes into the page as Hugo writes it (splice.go).
type recordFront struct {
	Title string `json:"title"`
	Date  string `json:"date,omitempty"`
	Kind  string `json:"kind"`
	Part  string `json:"part"`
	// Restricted pages carry <meta name="opsbook-restricted"
	// content="RestrictedTo"> (baseof.html), the mark opsbook publish
	// refuses; RestrictedTo is the project ("" for none).
	Restricted   bool   `json:"restricted,omitempty"`
	RestrictedTo string `json:"restrictedTo,omitempty"`
}

// newGoTemplate parses the theme's template at path (articlePath,
// listPath) with the theme's strings in lang (its i18n/<lang>.toml; a string
// it lacks renders empty, as Hugo's i18n does).
func newGoTemplate(path, lang string) (*template.Template, error) {
	strs, err := themeStrings(lang)
	if err != nil {
		return nil, err
	}
	text, err := fs.ReadFile(themes.FS, path)
	if err != nil {
		return nil, err
	}
	funcs := template.FuncMap{
		"i18n": func(key string) string { return strs[key] },
		// relURL as Hugo's with baseURL "/": Hugo's relativeURLs then makes
		// the link relative to the page, as it does for the layouts' links.
		"relURL": func(u string) string { return "/" + strings.TrimPrefix(u, "/") },
		"add":    func(a, b int) int { return a + b },
	}
	t, err := template.New(path).Funcs(funcs).Parse(strings.TrimSuffix(string(text), "\n"))
	if err != nil {
		return nil, fmt.Errorf("主题 %s：%w", path, err)
	}
	return t, nil
}

// themeStrings reads the theme's translation of lang: key = "text" or
// [key] other = "text".
func themeStrings(lang string) (map[string]string, error) {
	name := "opsbook/i18n/" + strings.ToLower(lang) + ".toml"
	data, err := fs.ReadFile(themes.FS, name)
	if err != nil {
		return map[string]string{}, nil // Hugo has no strings for it either
	}
	m, err := metadecoders.Default.UnmarshalToMap(data, metadecoders.TOML)
	if err != nil {
		return nil, fmt.Errorf("主题 %s：%w", name, err)
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		switch x := v.(type) {
		case string:
			out[k] = x
		case map[string]any:
			out[k], _ = x["other"].(string)
		}
	}
	return out, nil
}

// writeRecordPage writes the Hugo page of record i, its article rendered,
// and keeps its search document; buf is the caller's scratch buffer.
func (s *stage) writeRecordPage(i int, buf *bytes.Buffer) error {
	r := s.recs[i]
	if !s.hasPage(r) {
		return nil
	}
	rows, tables := s.display(r)
	s.docs[i] = searchDoc(r, rows, tables)
	v := articleView{Title: r.Title(), Kind: r.kind.Name, KindLabel: r.kind.Label, ID: r.id, Source: r.Path, Rows: rows, Tables: tables, Restricted: r.restricted}
	v.StatusKey = r.str("status")
	v.Status = s.value(r, "/status", v.StatusKey)
	v.Backlinks = s.backlinks(r)
	switch r.kind.Name {
	case "report":
		v.Charts = s.reportCharts(r)
	case "change":
		if state := s.changeState(r); state != "" {
			v.Rows = append([]Row{{Label: "流程状态", Value: state}}, v.Rows...)
		}
	case "document":
		v.Attachments = s.attachments(r)
		if len(v.Attachments) > 0 {
			names := make([]string, len(v.Attachments))
			for i, a := range v.Attachments {
				names[i] = a.Name
			}
			s.docs[i].Text += "\n附件：" + strings.Join(names, " ")
		}
	case "project":
		if t, ok := s.attributeTable(r); ok {
			v.Tables = append([]Table{t}, v.Tables...)
		}
		v.Inventory = s.inventory(r)
	}
	if a := s.audit[r.Path]; a != nil {
		v.Audit = auditOf(a, r.kind.Name == "change")
	}
	html, err := renderBody(r.Body)
	if err != nil {
		return fmt.Errorf("%s：渲染正文：%w", r.Path, err)
	}
	v.BodyHTML = template.HTML(html)
	buf.Reset()
	if err := s.article.Execute(buf, v); err != nil {
		return fmt.Errorf("%s：%w", r.Path, err)
	}
	key := "page:" + r.kind.Name + "/" + r.id
	if err := s.parts.add(key, r.url()+"index.html", buf.Bytes()); err != nil {
		return err
	}
	front := recordFront{Title: v.Title, Date: dateOnly(r.date), Kind: v.Kind, Part: key, Restricted: r.restricted, RestrictedTo: r.proj}
	buf.Reset()
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(front); err != nil {
		return err
	}
	buf.WriteString("\n") // Encode ended the front matter with a newline; an empty line, then no body
	path := filepath.Join(s.dir, "content", r.kind.Name, r.id+".md")
	return afero.WriteFile(s.fs, path, buf.Bytes(), 0o644)
}

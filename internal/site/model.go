package site

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/opsbook/opsbook/internal/record"
	"github.com/opsbook/opsbook/internal/schema"
)

// rec is a loaded record with what pages need.
type rec struct {
	*record.Record
	kind *schema.Kind
	id   string
	date string // the record's own date (YYYY-MM-DD…), for sorting
	// restricted records are readable only with their project's grant
	// (restricted.go); proj is that project ("" when unknown: nobody's).
	restricted bool
	proj       string
}

func (r *rec) url() string         { return pageURL(r.kind.Name, r.id) }
func (r *rec) str(k string) string { return r.Str(k) }

func pageURL(kind, id string) string { return kind + "/" + id + "/" }

// Row is one field of a record page: a label, a value and an optional link.
type Row struct {
	Label string `json:"label"`
	Value string `json:"value"`
	Links []Link `json:"links,omitempty"`
}

// Link is a reference to another page.
type Link struct {
	Text string `json:"text"`
	URL  string `json:"url"`
}

// Table is a list-of-objects field rendered as a table.
type Table struct {
	Label   string     `json:"label"`
	Columns []string   `json:"columns"`
	Rows    [][]string `json:"rows"`
}

// display turns a record's fields into rows and tables with Chinese labels,
// enum labels and links for references, in schema order.
func (s *stage) display(r *rec) ([]Row, []Table) {
	var rows []Row
	var tables []Table
	keys := propertyOrder(r.kind)
	for k := range r.Fields {
		if !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	for _, k := range keys {
		v, ok := r.Fields[k]
		if !ok || k == "id" || k == "kind" || k == "title" || hiddenFields[r.kind.Name][k] {
			continue
		}
		ptr := "/" + k
		label := title(r.kind, ptr, k)
		switch x := v.(type) {
		case []any:
			if len(x) > 0 {
				if _, isObj := x[0].(map[string]any); isObj {
					tables = append(tables, s.table(r, ptr, label, x))
					continue
				}
			}
			row := Row{Label: label}
			var vals []string
			for _, item := range x {
				text := s.value(r, ptr+"/*", item)
				if l, ok := s.link(r, ptr+"/*", item); ok {
					row.Links = append(row.Links, l)
				} else {
					vals = append(vals, text)
				}
			}
			row.Value = strings.Join(vals, "、")
			rows = append(rows, row)
		case map[string]any:
			sub := sortedKeys(x, r.kind, ptr)
			for _, sk := range sub {
				row := Row{Label: label + "·" + title(r.kind, ptr+"/"+sk, sk), Value: s.value(r, ptr+"/"+sk, x[sk])}
				if l, ok := s.link(r, ptr+"/"+sk, x[sk]); ok {
					row.Links, row.Value = []Link{l}, ""
				}
				rows = append(rows, row)
			}
		default:
			row := Row{Label: label, Value: s.value(r, ptr, v)}
			if l, ok := s.link(r, ptr, v); ok {
				row.Links, row.Value = []Link{l}, ""
			}
			rows = append(rows, row)
		}
	}
	return rows, tables
}

func (s *stage) table(r *rec, ptr, label string, items []any) Table {
	var cols []string
	for _, it := range items {
		m, _ := it.(map[string]any)
		for _, k := range sortedKeys(m, r.kind, ptr+"/*") {
			if !slices.Contains(cols, k) {
				cols = append(cols, k)
			}
		}
	}
	t := Table{Label: label}
	for _, c := range cols {
		t.Columns = append(t.Columns, title(r.kind, ptr+"/*/"+c, c))
	}
	for _, it := range items {
		m, _ := it.(map[string]any)
		row := make([]string, len(cols))
		for i, c := range cols {
			if v, ok := m[c]; ok {
				row[i] = s.value(r, ptr+"/*/"+c, v)
				if l, ok := s.link(r, ptr+"/*/"+c, v); ok {
					row[i] = l.Text
				}
			}
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// value renders a scalar (or a small structure) for people.
func (s *stage) value(r *rec, pattern string, v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case bool:
		if x {
			return "是"
		}
		return "否"
	case string:
		if labels, ok := r.kind.EnumLabels[pattern]; ok {
			if l, ok := labels[x]; ok {
				return l
			}
		}
		return x
	case json.Number:
		return x.String()
	case []any:
		parts := make([]string, len(x))
		for i, item := range x {
			parts[i] = s.value(r, pattern+"/*", item)
		}
		return strings.Join(parts, "、")
	case map[string]any:
		var parts []string
		for _, k := range sortedKeys(x, r.kind, pattern) {
			parts = append(parts, fmt.Sprintf("%s：%s", title(r.kind, pattern+"/"+k, k), s.value(r, pattern+"/"+k, x[k])))
		}
		return strings.Join(parts, "；")
	}
	return fmt.Sprint(v)
}

// link returns the page a reference value points at.
func (s *stage) link(r *rec, pattern string, v any) (Link, bool) {
	id, ok := v.(string)
	if !ok {
		return Link{}, false
	}
	target := s.refTarget(r.kind, pattern)
	if target == "" || target == "runbook" {
		return Link{}, false
	}
	if t, ok := s.byID[id]; ok && t.kind.Name == target {
		l := Link{Text: t.Title() + "（" + id + "）", URL: t.url()}
		if !visibleOn(t, r) {
			l.Text = placeholderOf(t)
			if id := s.placeholderID(t); id != "" {
				l.Text += "（" + id + "）"
			}
		}
		if !s.hasPage(t) {
			l.URL = ""
		}
		return l, true
	}
	return Link{}, false
}

// refTarget is the kind a value at pattern refers to, or "".
func (s *stage) refTarget(k *schema.Kind, pattern string) string {
	toks := strings.Split(strings.TrimPrefix(pattern, "/"), "/")
	for _, ref := range k.Refs {
		if slices.Equal(ref.Pattern, toks) {
			return ref.Target
		}
	}
	return ""
}

func title(k *schema.Kind, pattern, fallback string) string {
	if t, ok := k.Titles[pattern]; ok {
		return t
	}
	return fallback
}

// propertyOrder lists a kind's top-level properties in schema order: the
// required ones first, as written, then the rest alphabetically.
func propertyOrder(k *schema.Kind) []string {
	var out []string
	if req, ok := k.Root["required"].([]any); ok {
		for _, r := range req {
			if s, ok := r.(string); ok {
				out = append(out, s)
			}
		}
	}
	var rest []string
	for p := range k.Titles {
		if name := strings.TrimPrefix(p, "/"); !strings.Contains(name, "/") && !slices.Contains(out, name) {
			rest = append(rest, name)
		}
	}
	sort.Strings(rest)
	return append(out, rest...)
}

// keyRank orders well-known keys the way people read them (a window's
// start before its end); the rest follow alphabetically.
var keyRank = map[string]int{"start": 1, "end": 2, "name": 3, "title": 4}

func sortedKeys(m map[string]any, k *schema.Kind, pattern string) []string {
	keys := make([]string, 0, len(m))
	for key := range m {
		keys = append(keys, key)
	}
	sort.Slice(keys, func(i, j int) bool {
		_, ti := k.Titles[pattern+"/"+keys[i]]
		_, tj := k.Titles[pattern+"/"+keys[j]]
		if ti != tj {
			return ti
		}
		ri, rj := keyRank[keys[i]], keyRank[keys[j]]
		if ri == 0 {
			ri = 100
		}
		if rj == 0 {
			rj = 100
		}
		if ri != rj {
			return ri < rj
		}
		return keys[i] < keys[j]
	})
	return keys
}

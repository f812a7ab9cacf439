package rules

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/opsbook/opsbook/internal/diag"
	"github.com/opsbook/opsbook/internal/record"
)

// AttrDef is one custom document attribute a project defines.
type AttrDef struct {
	Name, Title, Type string
	Required          bool
	Values            []string
}

func attrDefs(r *record.Record) []AttrDef {
	list, _ := r.Fields["document_attributes"].([]any)
	var out []AttrDef
	for _, item := range list {
		m, _ := item.(map[string]any)
		var d AttrDef
		d.Name, _ = m["name"].(string)
		d.Title, _ = m["title"].(string)
		d.Type, _ = m["type"].(string)
		d.Required, _ = m["required"].(bool)
		vals, _ := m["values"].([]any)
		for _, v := range vals {
			if s, ok := v.(string); ok {
				d.Values = append(d.Values, s)
			}
		}
		if d.Name != "" {
			out = append(out, d)
		}
	}
	return out
}

// checkDocumentAttributes validates a document's attributes against the
// definitions of its project: required ones present, no unknown names,
// values of the declared type.
func checkDocumentAttributes(c *Context, r *record.Record) []diag.Violation {
	project, ok := r.Fields["project"].(string)
	if !ok {
		return nil
	}
	defs, known := c.Projects[project]
	if !known {
		return nil // ref/unresolved reports a missing project
	}
	attrs, _ := r.Fields["attributes"].(map[string]any)
	var vs []diag.Violation
	add := func(p record.Pos, format string, args ...any) {
		vs = append(vs, diag.At(r.Path, p.Line, p.Col, "document/attributes", format, args...))
	}
	names := make([]string, len(defs))
	for i, d := range defs {
		names[i] = d.Name
		v, present := attrs[d.Name]
		ptr := record.Pointer("attributes", d.Name)
		if !present {
			if d.Required {
				where := "/attributes"
				if attrs == nil {
					where = "/project"
				}
				add(r.KeyAt(where), "缺少项目 %s 要求的文档属性 %s（%s）", project, d.Name, d.Title)
			}
			continue
		}
		if msg := checkAttrValue(d, v); msg != "" {
			add(r.At(ptr), "文档属性 %s（%s）%s", d.Name, d.Title, msg)
		}
	}
	for name := range attrs {
		if !slices.Contains(names, name) {
			add(r.KeyAt(record.Pointer("attributes", name)), "项目 %s 没有定义文档属性 %q；可用属性：%s（在项目记录的 document_attributes 中定义）", project, name, strings.Join(names, ", "))
		}
	}
	diag.Sort(vs)
	return vs
}

func checkAttrValue(d AttrDef, v any) string {
	switch d.Type {
	case "string":
		if _, ok := v.(string); !ok {
			return "应为文本"
		}
	case "number", "integer":
		n, ok := v.(json.Number)
		if !ok {
			return "应为数字"
		}
		if d.Type == "integer" {
			if _, err := n.Int64(); err != nil {
				return "应为整数"
			}
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			return "应为 true 或 false"
		}
	case "date":
		s, ok := v.(string)
		if _, err := time.Parse(time.DateOnly, s); !ok || err != nil {
			return "应为日期（YYYY-MM-DD）"
		}
	case "enum":
		s, ok := v.(string)
		if !ok || !slices.Contains(d.Values, s) {
			return fmt.Sprintf("的取值 %v 不在允许范围内，可选：%s", v, strings.Join(d.Values, ", "))
		}
	}
	return ""
}

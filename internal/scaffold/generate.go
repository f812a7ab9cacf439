package scaffold

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/opsbook/opsbook/internal/rules"
)

// generator writes the required fields of a schema as commented YAML with
// placeholder values that validate.
type generator struct {
	ctx   *rules.Context
	now   time.Time
	times map[string]time.Time // pointer → preset time (change windows)
}

// deref follows $ref, keeping the referencing node's own keywords on top.
func (g *generator) deref(file string, node map[string]any) (string, map[string]any) {
	ref, ok := node["$ref"].(string)
	if !ok {
		return file, node
	}
	f, target := g.ctx.Schemas.Resolve(file, ref)
	if target == nil {
		return file, node
	}
	f, target = g.deref(f, target)
	merged := map[string]any{}
	for k, v := range target {
		merged[k] = v
	}
	for k, v := range node {
		if k != "$ref" {
			merged[k] = v
		}
	}
	return f, merged
}

func (g *generator) object(b *strings.Builder, file string, node map[string]any, indent int, fixed map[string]string) {
	g.fields(b, file, node, indent, "", fixed)
}

func (g *generator) fields(b *strings.Builder, file string, node map[string]any, indent int, ptr string, fixed map[string]string) {
	file, node = g.deref(file, node)
	props, _ := node["properties"].(map[string]any)
	required, _ := node["required"].([]any)
	pad := strings.Repeat(" ", indent)
	values := map[string]time.Time{}
	for _, r := range required {
		name, _ := r.(string)
		p, _ := props[name].(map[string]any)
		if p == nil {
			continue
		}
		pf, ps := g.deref(file, p)
		if t, _ := ps["title"].(string); t != "" {
			d, _ := ps["description"].(string)
			fmt.Fprintf(b, "%s# %s：%s\n", pad, t, strings.Join(strings.Fields(d), " "))
		}
		if v, ok := fixed[name]; ok {
			fmt.Fprintf(b, "%s%s: %s\n", pad, name, quote(v))
			continue
		}
		g.field(b, pf, ps, indent, ptr+"/"+name, name, values)
	}
}

func (g *generator) field(b *strings.Builder, file string, s map[string]any, indent int, ptr, name string, siblings map[string]time.Time) {
	pad := strings.Repeat(" ", indent)
	switch typ, _ := s["type"].(string); typ {
	case "object":
		fmt.Fprintf(b, "%s%s:\n", pad, name)
		g.fields(b, file, s, indent+2, ptr, nil)
	case "array":
		items, _ := s["items"].(map[string]any)
		itemFile, item := g.deref(file, items)
		if t, _ := item["type"].(string); t == "object" {
			fmt.Fprintf(b, "%s%s:\n", pad, name)
			var sub strings.Builder
			g.fields(&sub, itemFile, item, indent+4, ptr+"/0", nil)
			lines := strings.SplitAfter(sub.String(), "\n")
			for i, l := range lines {
				if i == firstField(lines) {
					l = pad + "  - " + strings.TrimLeft(l, " ")
				}
				b.WriteString(l)
			}
			return
		}
		fmt.Fprintf(b, "%s%s: [%s]\n", pad, name, g.scalar(item, ptr+"/0", siblings))
	default:
		fmt.Fprintf(b, "%s%s: %s\n", pad, name, g.scalar(s, ptr, siblings))
		if t, ok := g.parsedTime(s, ptr, siblings); ok {
			siblings[name] = t
		}
	}
}

// firstField is the index of the first non-comment line.
func firstField(lines []string) int {
	return slices.IndexFunc(lines, func(l string) bool { return !strings.HasPrefix(strings.TrimLeft(l, " "), "#") })
}

func (g *generator) scalar(s map[string]any, ptr string, siblings map[string]time.Time) string {
	if c, ok := s["const"]; ok {
		return quote(fmt.Sprint(c))
	}
	if e, ok := s["enum"].([]any); ok && len(e) > 0 {
		return quote(fmt.Sprint(e[0]))
	}
	switch typ, _ := s["type"].(string); typ {
	case "integer", "number":
		n := json.Number("0")
		if m, ok := s["minimum"].(json.Number); ok {
			n = m
		} else if m, ok := s["exclusiveMinimum"].(json.Number); ok {
			f, _ := m.Float64()
			n = json.Number(strconv.FormatFloat(f+1, 'g', -1, 64))
		}
		return string(n)
	case "boolean":
		return "false"
	}
	if target, ok := s["x-ref"].(string); ok {
		return quote(g.firstID(target))
	}
	if t, ok := g.parsedTime(s, ptr, siblings); ok {
		if s["format"] == "date" {
			return quote(t.Format(time.DateOnly))
		}
		return quote(t.Format("2006-01-02 15:04"))
	}
	return quote("待填写")
}

// parsedTime is the placeholder time for a date or date-time field: a preset,
// an hour after its x-after sibling, or now.
func (g *generator) parsedTime(s map[string]any, ptr string, siblings map[string]time.Time) (time.Time, bool) {
	format, _ := s["format"].(string)
	if format != "date" && format != "local-datetime" {
		return time.Time{}, false
	}
	if t, ok := g.times[ptr]; ok {
		return t, true
	}
	if sib, ok := s["x-after"].(string); ok {
		if t, ok := siblings[sib]; ok {
			if format == "date" {
				return t, true
			}
			return t.Add(time.Hour), true
		}
	}
	return g.now.Truncate(time.Minute), true
}

// firstID returns the first id of a kind in the repository, so a required
// reference in a template resolves; "待填写" when there is none.
func (g *generator) firstID(kind string) string {
	if kind == "runbook" {
		return "待填写"
	}
	var ids []string
	for _, e := range g.ctx.Index.OfKind(kind) {
		ids = append(ids, e.Stem)
	}
	if len(ids) == 0 {
		return "待填写"
	}
	slices.Sort(ids)
	return ids[0]
}

// quote renders a YAML string that stays a string: always double-quoted
// unless it is plainly safe.
func quote(s string) string {
	if s != "" && !strings.ContainsAny(s, ":#{}[],&*!|>'\"%@`\n") && strings.TrimSpace(s) == s {
		if _, err := strconv.ParseFloat(s, 64); err != nil && s != "true" && s != "false" && s != "null" && !looksLikeDate(s) {
			return s
		}
	}
	return strconv.Quote(s)
}

func looksLikeDate(s string) bool { return len(s) >= 10 && s[4] == '-' && s[7] == '-' }

// documentAttributes writes the attributes a project requires of its documents.
func (g *generator) documentAttributes(b *strings.Builder, project string) {
	var required []rules.AttrDef
	for _, d := range g.ctx.Projects[project] {
		if d.Required {
			required = append(required, d)
		}
	}
	if len(required) == 0 {
		return
	}
	fmt.Fprintf(b, "# 文档属性：项目 %s 定义的自定义属性（必填项）\nattributes:\n", project)
	for _, d := range required {
		v := quote("待填写")
		switch d.Type {
		case "number", "integer":
			v = "0"
		case "boolean":
			v = "false"
		case "date":
			v = quote(g.now.Format(time.DateOnly))
		case "enum":
			if len(d.Values) > 0 {
				v = quote(d.Values[0])
			}
		}
		if d.Example != nil {
			v = fmt.Sprint(d.Example)
			if _, isString := d.Example.(string); isString {
				v = quote(v)
			}
		}
		fmt.Fprintf(b, "  # %s\n  %s: %s\n", d.Title, d.Name, v)
	}
}

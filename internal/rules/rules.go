// Package rules checks what a schema cannot: where a record lives, that ids
// are unique and references resolve, that times are ordered, that change
// windows avoid business hours (by the Chinese holiday calendar) and event
// freezes, that change plans have their required sections, that project
// documents carry the attributes their project's schema defines, and that
// every attachment a record lists is a safe, regular file of the recorded
// size and SHA-256 in the record's attachment directory (internal/attachment),
// with no unlisted files beside it.
//
// Per-kind rules are registered in kindRules; generic rules read the
// x-ref / x-after / x-opsbook annotations of the kind's schema.
package rules

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/opsbook/opsbook/internal/calendar"
	"github.com/opsbook/opsbook/internal/config"
	"github.com/opsbook/opsbook/internal/diag"
	"github.com/opsbook/opsbook/internal/layout"
	"github.com/opsbook/opsbook/internal/record"
	"github.com/opsbook/opsbook/internal/schema"
)

// Context is what the rules know about the whole repository.
type Context struct {
	Schemas  *schema.Set
	Index    *layout.Index
	Calendar *calendar.Calendar
	Config   *config.Config
	Freezes  []Freeze
	Projects map[string][]AttrDef // project id → document attribute definitions
	// ProjectSchemas maps a project id to the compiled schema of its
	// documents' attributes (nil when the project's definition is broken).
	ProjectSchemas map[string]*schema.AttributeSchema
}

// kindRule checks one record of a kind against the context.
type kindRule func(c *Context, r *record.Record) []diag.Violation

// kindRules are the rules specific to a kind, beyond the generic ones.
var kindRules = map[string][]kindRule{
	"change":     {checkChangeWindow},
	"document":   {checkDocumentAttributes},
	"project":    {checkProjectDocumentSchema},
	"inspection": {checkInspectionSummary},
}

// RegisterKindRule adds a rule for records of kind. Packages that know more
// about a kind than rules can (changerun: what a change's steps may say)
// register from their init; rules cannot import them. Not safe once
// validation has started.
func RegisterKindRule(kind string, rule func(c *Context, r *record.Record) []diag.Violation) {
	kindRules[kind] = append(kindRules[kind], rule)
}

var yearDir = regexp.MustCompile(`^[0-9]{4}$`)

// CheckPath checks where a file lies under content/ before it is read. It
// returns the kind the directory names, or nil when the file can't be a record.
func (c *Context) CheckPath(e layout.Entry) (*schema.Kind, []diag.Violation) {
	layout := func(format string, args ...any) []diag.Violation {
		return []diag.Violation{diag.At(e.Path, 1, 1, "record/path-layout", format+"：记录应放在 content/<类型>/<年份>/<编号>.yaml|.md", args...)}
	}
	if e.Depth != 3 {
		return nil, layout("位置不对")
	}
	k, ok := c.Schemas.Kinds[e.Kind]
	if !ok {
		return nil, []diag.Violation{diag.At(e.Path, 1, 1, "record/kind-unknown", "目录 content/%s 不是已知的记录类型；已知类型：%s", e.Kind, strings.Join(c.Schemas.KindNames(), ", "))}
	}
	if !yearDir.MatchString(e.Year) {
		return nil, layout("年份目录 %q 应为四位年份", e.Year)
	}
	if e.Ext != k.Ext() {
		return nil, []diag.Violation{diag.At(e.Path, 1, 1, "record/extension", "%s（%s）记录应使用 %s 文件，而不是 %s", k.Label, k.Name, k.Ext(), e.Ext)}
	}
	return k, nil
}

// CheckRecord checks a loaded record: schema, placement, uniqueness,
// references, time order and the kind's own rules.
func (c *Context) CheckRecord(r *record.Record, e layout.Entry, dirKind *schema.Kind) []diag.Violation {
	k := dirKind
	if name, ok := r.Fields["kind"].(string); ok && name != dirKind.Name {
		p := r.At("/kind")
		other, known := c.Schemas.Kinds[name]
		if !known {
			return []diag.Violation{diag.At(r.Path, p.Line, p.Col, "record/kind-unknown", "未知的记录类型 %q；已知类型：%s", name, strings.Join(c.Schemas.KindNames(), ", "))}
		}
		return []diag.Violation{diag.At(r.Path, p.Line, p.Col, "record/path-kind", "记录类型为 %s（%s），却放在 content/%s/ 下；请移到 content/%s/%s/", other.Name, other.Label, dirKind.Name, other.Name, e.Year)}
	}
	vs := k.Validate(r)
	vs = append(vs, c.checkID(r, e, k)...)
	vs = append(vs, c.CheckRefs(r, k)...)
	vs = append(vs, c.checkTimeOrder(r, k)...)
	if len(k.Sections) > 0 {
		vs = append(vs, checkSections(r, k.Sections)...)
	}
	for _, rule := range kindRules[k.Name] {
		vs = append(vs, rule(c, r)...)
	}
	if k.Attachments {
		vs = append(vs, c.checkAttachments(r)...)
	}
	return vs
}

func (c *Context) checkID(r *record.Record, e layout.Entry, k *schema.Kind) []diag.Violation {
	id, ok := r.Fields["id"].(string)
	if !ok {
		return nil // the schema reports a missing or non-string id
	}
	p := r.At("/id")
	var vs []diag.Violation
	if id != e.Stem {
		vs = append(vs, diag.At(r.Path, p.Line, p.Col, "record/id-filename", "编号 %s 与文件名 %s%s 不一致；文件名必须是编号", id, e.Stem, e.Ext))
	}
	if k.Prefix != "" && len(id) >= len(k.Prefix)+5 && strings.HasPrefix(id, k.Prefix+"-") && id[len(k.Prefix)+1:len(k.Prefix)+5] != e.Year {
		vs = append(vs, diag.At(r.Path, p.Line, p.Col, "record/path-year", "编号 %s 属于 %s 年，却放在 %s 年目录下；请移到 content/%s/%s/", id, id[len(k.Prefix)+1:len(k.Prefix)+5], e.Year, k.Name, id[len(k.Prefix)+1:len(k.Prefix)+5]))
	}
	if dups := c.Index.Lookup(e.Stem); len(dups) > 1 {
		var others []string
		for _, d := range dups {
			if d.Path != e.Path {
				others = append(others, d.Path)
			}
		}
		vs = append(vs, diag.At(r.Path, p.Line, p.Col, "record/duplicate-id", "编号 %s 重复，另见 %s；每个编号只能用一次（opsbook new 会分配下一个空闲编号）", e.Stem, strings.Join(others, ", ")))
	}
	return vs
}

// CheckRefs checks that every x-ref value of r resolves.
func (c *Context) CheckRefs(r *record.Record, k *schema.Kind) []diag.Violation {
	return c.checkRefs(r, k)
}

func (c *Context) checkRefs(r *record.Record, k *schema.Kind) []diag.Violation {
	var vs []diag.Violation
	for _, ref := range k.Refs {
		Each(r.Fields, ref.Pattern, "", func(ptr string, v any) {
			id, ok := v.(string)
			if !ok || id == "" {
				return
			}
			if msg := c.resolve(ref.Target, id); msg != "" {
				p := r.At(ptr)
				vs = append(vs, diag.At(r.Path, p.Line, p.Col, "ref/unresolved", "%s", msg))
			}
		})
	}
	return vs
}

// resolve returns "" when id names a record of kind target, else why not.
func (c *Context) resolve(target, id string) string {
	if target == "runbook" {
		if _, ok := c.Index.Runbook(id); ok {
			return ""
		}
		return fmt.Sprintf("引用的运行手册 %s 不存在（应有 runbooks/%s.yaml）", id, id)
	}
	label := target
	if k, ok := c.Schemas.Kinds[target]; ok {
		label = k.Label
	}
	found := c.Index.Lookup(id)
	for _, e := range found {
		if e.Kind == target {
			return ""
		}
	}
	if len(found) > 0 {
		return fmt.Sprintf("%s 是 %s 记录（%s），这里需要%s编号", id, found[0].Kind, found[0].Path, label)
	}
	return fmt.Sprintf("引用的%s %s 不存在；请检查编号，或先创建 content/%s/ 下的记录", label, id, target)
}

// Each calls fn for every value in v at pattern ("*" matches any array
// index), with the value's JSON pointer under ptr.
func Each(v any, pattern []string, ptr string, fn func(ptr string, v any)) {
	if len(pattern) == 0 {
		fn(ptr, v)
		return
	}
	switch x := v.(type) {
	case map[string]any:
		if pattern[0] == "*" {
			return
		}
		if child, ok := x[pattern[0]]; ok {
			Each(child, pattern[1:], ptr+"/"+record.EscapeToken(pattern[0]), fn)
		}
	case []any:
		if pattern[0] != "*" {
			return
		}
		for i, item := range x {
			Each(item, pattern[1:], fmt.Sprintf("%s/%d", ptr, i), fn)
		}
	}
}

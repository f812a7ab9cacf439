package rules

import (
	"slices"
	"sort"
	"strings"

	"github.com/opsbook/opsbook/internal/diag"
	"github.com/opsbook/opsbook/internal/obligation"
	"github.com/opsbook/opsbook/internal/record"
	"github.com/opsbook/opsbook/internal/schema"
)

func init() {
	kindRules[obligation.Kind] = append(kindRules[obligation.Kind], checkObligation)
}

// checkObligation checks what an obligation's schema cannot: that its rule
// uses the fields its type needs (and no others), and that its proof names
// a record kind that exists, fields that kind has, values those fields
// allow, an asset field that references assets, and a holiday field only for
// holiday rules. Whether occurrences are overdue is `opsbook due`'s business,
// never a validation problem.
func checkObligation(c *Context, r *record.Record) []diag.Violation {
	var vs []diag.Violation
	at := func(ptr, format string, args ...any) {
		p := r.At(ptr)
		vs = append(vs, diag.At(r.Path, p.Line, p.Col, "obligation/rule", format, args...))
	}
	o, errs := obligation.Parse(r, c.Config.Location)
	for _, e := range errs {
		if !e.Schema {
			at(e.Pointer, "%s", e.Message)
		}
	}
	if o.Proof.Kind == "" {
		return vs
	}
	proofAt := func(ptr, format string, args ...any) {
		p := r.At(ptr)
		vs = append(vs, diag.At(r.Path, p.Line, p.Col, "obligation/proof", format, args...))
	}
	k, ok := c.Schemas.Kinds[o.Proof.Kind]
	if !ok {
		if inSchemaEnum(c.Schemas, o.Proof.Kind) { // otherwise the schema's enum reports it
			proofAt("/proof/kind", "证明记录类型 %s 没有 schema（schemas/%s.yaml）；已知类型：%s", o.Proof.Kind, o.Proof.Kind, strings.Join(c.Schemas.KindNames(), ", "))
		}
		return vs
	}
	fieldOK := func(ptr, field, what string) bool {
		if _, ok := k.Titles[obligation.Pointer(field)]; ok {
			return true
		}
		proofAt(ptr, "%s记录没有字段 %s（%s）；可用字段：%s（见 schemas/%s）", k.Label, field, what, strings.Join(topFields(k), ", "), k.File)
		return false
	}
	for _, cond := range o.Proof.Match {
		ptr := "/proof/match/" + record.EscapeToken(cond.Field)
		if !fieldOK(ptr, cond.Field, "字段条件") {
			continue
		}
		if labels, ok := k.EnumLabels[obligation.Pointer(cond.Field)]; ok {
			for _, v := range cond.Values {
				if _, ok := labels[v]; !ok {
					proofAt(ptr, "%s记录的字段 %s 没有取值 %s；可选：%s", k.Label, cond.Field, v, strings.Join(sortedKeys(labels), ", "))
				}
			}
		}
	}
	fieldOK("/proof/date_field", o.Proof.DateField, "日期字段")
	if f := o.Proof.AssetField; f != "" && fieldOK("/proof/asset_field", f, "资产字段") {
		if !slices.ContainsFunc(k.Refs, func(ref schema.Ref) bool {
			return ref.Target == "asset" && strings.Join(slices.DeleteFunc(slices.Clone(ref.Pattern), func(s string) bool { return s == "*" }), ".") == strings.ReplaceAll(f, ".*", "")
		}) {
			proofAt("/proof/asset_field", "%s记录的字段 %s 不是资产引用；asset_field 应指向引用资产编号的字段", k.Label, f)
		}
	}
	if f := o.Proof.HolidayField; f != "" {
		fieldOK("/proof/holiday_field", f, "节假日字段")
	}
	if o.Proof.AssetField != "" && len(o.Assets) == 0 {
		proofAt("/proof/asset_field", "填写了 asset_field 却没有列出适用资产（assets）；请补充 assets，或删去 asset_field")
	}
	return vs
}

// inSchemaEnum reports whether the obligation schema's proof.kind enum
// lists name (so the schema accepts it and only this rule can object).
func inSchemaEnum(set *schema.Set, name string) bool {
	k, ok := set.Kinds[obligation.Kind]
	if !ok {
		return false
	}
	props, _ := k.Root["properties"].(map[string]any)
	proof, _ := props["proof"].(map[string]any)
	pprops, _ := proof["properties"].(map[string]any)
	kind, _ := pprops["kind"].(map[string]any)
	enum, ok := kind["enum"].([]any)
	return !ok || slices.Contains(enum, any(name))
}

func topFields(k *schema.Kind) []string {
	var out []string
	for p := range k.Titles {
		if strings.Count(p, "/") == 1 {
			out = append(out, p[1:])
		}
	}
	sort.Strings(out)
	return out
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

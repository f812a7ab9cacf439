package schema

import (
	"errors"
	"fmt"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/opsbook/opsbook/internal/diag"
	"github.com/opsbook/opsbook/internal/record"
)

var english = message.NewPrinter(language.English)

// Validate checks r against the kind's schema.
func (k *Kind) Validate(r *record.Record) []diag.Violation {
	return validate(k.schema, r, k.File)
}

// ValidateConfig checks the repository config file against config.yaml.
func (s *Set) ValidateConfig(r *record.Record) []diag.Violation {
	if s.config == nil {
		return nil
	}
	return validate(s.config, r, "config.yaml")
}

func validate(sch *jsonschema.Schema, r *record.Record, schemaFile string) []diag.Violation {
	err := sch.Validate(any(r.Fields))
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return []diag.Violation{diag.At(r.Path, 1, 1, "schema/error", "无法校验：%v", err)}
	}
	var out []diag.Violation
	seen := map[string]bool{}
	for _, leaf := range leaves(ve) {
		for _, v := range describe(leaf, r, schemaFile) {
			if key := v.String(); !seen[key] {
				seen[key] = true
				out = append(out, v)
			}
		}
	}
	return out
}

// leaves flattens the error tree into the errors that have no causes, the
// ones that say what is actually wrong.
func leaves(e *jsonschema.ValidationError) []*jsonschema.ValidationError {
	if len(e.Causes) == 0 {
		return []*jsonschema.ValidationError{e}
	}
	var out []*jsonschema.ValidationError
	for _, c := range e.Causes {
		out = append(out, leaves(c)...)
	}
	return out
}

func describe(e *jsonschema.ValidationError, r *record.Record, schemaFile string) []diag.Violation {
	ptr := record.Pointer(e.InstanceLocation...)
	rule := "schema/" + strings.Join(e.ErrorKind.KeywordPath(), "/")
	at := func(p record.Pos, format string, args ...any) diag.Violation {
		return diag.At(r.Path, p.Line, p.Col, rule, format, args...)
	}
	field := fieldName(e.InstanceLocation)
	switch k := e.ErrorKind.(type) {
	case *kind.Required:
		var out []diag.Violation
		for _, m := range k.Missing {
			out = append(out, at(objectPos(r, ptr), "缺少必填字段 %q%s；请补充（字段说明见 schemas/%s）", m, where(ptr), schemaFile))
		}
		return out
	case *kind.AdditionalProperties:
		var out []diag.Violation
		for _, p := range k.Properties {
			out = append(out, at(r.KeyAt(ptr+"/"+record.EscapeToken(p)), "未知字段 %q%s；请检查拼写，允许的字段见 schemas/%s", p, where(ptr), schemaFile))
		}
		return out
	case *kind.Type:
		hint := ""
		if slicesContain(k.Want, "string") && (k.Got == "number" || k.Got == "integer" || k.Got == "boolean") {
			hint = "；编号、版本号、电话等文本请加引号"
		}
		return []diag.Violation{at(r.At(ptr), "字段 %s 类型错误：应为 %s，实际为 %s%s", field, typeNames(k.Want), typeName(k.Got), hint)}
	case *kind.Enum:
		want := make([]string, len(k.Want))
		for i, w := range k.Want {
			want[i] = fmt.Sprint(w)
		}
		return []diag.Violation{at(r.At(ptr), "字段 %s 的取值 %v 不在允许范围内，可选：%s", field, k.Got, strings.Join(want, ", "))}
	case *kind.Const:
		return []diag.Violation{at(r.At(ptr), "字段 %s 应为 %v，实际为 %v", field, k.Want, k.Got)}
	case *kind.Pattern:
		return []diag.Violation{at(r.At(ptr), "字段 %s 的值 %q 格式不符（应匹配 %s）", field, k.Got, k.Want)}
	case *kind.Format:
		return []diag.Violation{at(r.At(ptr), "字段 %s 的值 %v 不是合法的 %s%s", field, k.Got, formatName(k.Want), formatHint(k.Want))}
	case *kind.MinItems:
		return []diag.Violation{at(r.At(ptr), "字段 %s 至少需要 %d 项，实际 %d 项", field, k.Want, k.Got)}
	case *kind.MinLength:
		if k.Want <= 1 {
			return []diag.Violation{at(r.At(ptr), "字段 %s 不能为空", field)}
		}
		return []diag.Violation{at(r.At(ptr), "字段 %s 太短：至少 %d 个字符，实际 %d 个", field, k.Want, k.Got)}
	case *kind.Minimum:
		return []diag.Violation{at(r.At(ptr), "字段 %s 的值 %v 小于最小值 %v", field, k.Got, k.Want)}
	case *kind.UniqueItems:
		return []diag.Violation{at(r.At(ptr), "字段 %s 第 %d 项与第 %d 项重复", field, k.Duplicates[1]+1, k.Duplicates[0]+1)}
	}
	return []diag.Violation{at(r.At(ptr), "字段 %s：%s", field, e.ErrorKind.LocalizedString(english))}
}

// objectPos points a "missing field" error at the object's first key rather
// than at its value position, which for the root is simply line 1.
func objectPos(r *record.Record, ptr string) record.Pos {
	p := r.At(ptr)
	if ptr == "" {
		return record.Pos{Line: p.Line, Col: 1}
	}
	if kp := r.KeyAt(ptr); kp.Line > 0 {
		return kp
	}
	return p
}

func where(ptr string) string {
	if ptr == "" {
		return ""
	}
	return "（位于 " + strings.TrimPrefix(ptr, "/") + "）"
}

func fieldName(loc []string) string {
	if len(loc) == 0 {
		return "（记录）"
	}
	return strings.Join(loc, ".")
}

func slicesContain(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

var typeZh = map[string]string{
	"string": "文本", "number": "数字", "integer": "整数", "boolean": "布尔值（true/false）",
	"object": "键值映射", "array": "列表", "null": "空值",
}

func typeName(t string) string {
	if z, ok := typeZh[t]; ok {
		return z
	}
	return t
}

func typeNames(ts []string) string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = typeName(t)
	}
	return strings.Join(out, "或")
}

func formatName(f string) string {
	switch f {
	case "date":
		return "日期"
	case "local-datetime":
		return "日期时间"
	case "ipv4":
		return "IPv4 地址"
	}
	return f
}

func formatHint(f string) string {
	switch f {
	case "date":
		return "（格式 YYYY-MM-DD，例如 2026-10-01）"
	case "local-datetime":
		return "（格式 YYYY-MM-DD HH:MM，例如 2026-10-01 22:00）"
	}
	return ""
}

package schema

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

func TestAttributeSchemaFromFragment(t *testing.T) {
	frag := map[string]any{
		"properties": map[string]any{
			"合同编号": map[string]any{"type": "string", "pattern": "^HT-[0-9]{3}$", "description": "格式 HT-三位序号", "examples": []any{"HT-001"}},
			"密级":   map[string]any{"type": "string", "enum": []any{"公开", "内部"}},
			"验收日期": map[string]any{"type": "string", "format": "date"},
			"页数":   map[string]any{"type": "integer", "minimum": json.Number("1")},
			"标签":   map[string]any{"type": "array", "items": map[string]any{"type": "string", "enum": []any{"甲", "乙"}}},
			// A $ref must never be followed: it is dropped before compiling.
			"外部": map[string]any{"$ref": "file:///etc/passwd", "type": "string"},
		},
		"required": []any{"合同编号", "密级"},
	}
	a, err := CompileAttributes(frag, []string{"密级", "合同编号", "验收日期", "页数", "标签", "外部"}, "/document_schema")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, at := range a.Attributes {
		names = append(names, at.Name)
	}
	if !slices.Equal(names, []string{"密级", "合同编号", "验收日期", "页数", "标签", "外部"}) || a.Source != "document_schema" {
		t.Fatalf("attributes %v", names)
	}
	if at, _ := a.Attribute("合同编号"); !at.Required || at.Example != "HT-001" || at.Pattern == "" {
		t.Errorf("合同编号 %+v", at)
	}
	if p := a.Check(map[string]any{"合同编号": "HT-001", "密级": "公开", "外部": "x"}, "prj"); len(p) != 0 {
		t.Errorf("valid attributes: %+v", p)
	}
	got := a.Check(map[string]any{"合同编号": "HT-1", "密级": "绝密", "验收日期": "2026-02-30", "页数": json.Number("0"), "标签": []any{"丙"}, "多余": true}, "prj")
	want := []string{
		`文档属性 合同编号 的值 "HT-1" 格式不符（应匹配 ^HT-[0-9]{3}$）：格式 HT-三位序号`,
		"文档属性 密级 的取值 绝密 不在允许范围内，可选：公开, 内部",
		"项目 prj 没有定义文档属性 \"多余\"",
		"文档属性 标签 的第 1 项的取值 丙 不在允许范围内",
		"文档属性 页数 的值 0 小于最小值 1",
		"文档属性 验收日期 的值 2026-02-30 不是合法的日期",
	}
	for _, w := range want {
		if !slices.ContainsFunc(got, func(p AttributeProblem) bool { return strings.Contains(p.Message, w) }) {
			t.Errorf("no problem %q in %+v", w, got)
		}
	}
	for _, p := range got {
		if strings.Contains(p.Message, "多余") && (!p.Unknown || p.Pointer != "/多余") {
			t.Errorf("unknown attribute %+v", p)
		}
	}
	missing := a.Check(nil, "prj")
	if len(missing) != 2 || !missing[0].Missing || !strings.Contains(missing[0].Message+missing[1].Message, "缺少项目 prj 要求的文档属性 合同编号：格式 HT-三位序号") {
		t.Errorf("missing: %+v", missing)
	}
	if p := a.Check("not an object", "prj"); p != nil {
		t.Errorf("non-object: %+v", p)
	}
}

func TestAttributeSchemaErrors(t *testing.T) {
	_, err := CompileAttributes(map[string]any{"properties": map[string]any{"a": map[string]any{"type": "string", "pattern": "[("}}}, nil, "/document_schema")
	if ae, ok := err.(*AttributeError); !ok || ae.Pointer != "/document_schema/properties/a/pattern" {
		t.Errorf("bad pattern: %v", err)
	}
	_, err = CompileAttributes(map[string]any{"properties": map[string]any{"a": map[string]any{"type": "string"}}, "required": []any{"b"}}, nil, "/document_schema")
	if ae, ok := err.(*AttributeError); !ok || ae.Pointer != "/document_schema/required/0" {
		t.Errorf("undefined required: %v", err)
	}
	_, err = CompileAttributes(map[string]any{"properties": map[string]any{"a": map[string]any{"type": "date"}}}, nil, "/document_schema")
	if err == nil {
		t.Error("type date compiled")
	}
}

func TestAttributesFromList(t *testing.T) {
	a, err := AttributesFromList([]any{
		map[string]any{"name": "phase", "title": "阶段", "type": "enum", "values": []any{"设计", "验收"}, "required": true},
		map[string]any{"name": "reviewed", "title": "评审日期", "type": "date"},
		map[string]any{"name": "pages", "title": "页数", "type": "integer"},
	})
	if err != nil || a.Source != "document_attributes" || len(a.Attributes) != 3 {
		t.Fatalf("%+v %v", a, err)
	}
	got := a.Check(map[string]any{"reviewed": "明天", "pages": "十二", "owner": "张伟"}, "prj-a")
	var msgs []string
	for _, p := range got {
		msgs = append(msgs, p.Message)
	}
	all := strings.Join(msgs, "\n")
	for _, w := range []string{"缺少项目 prj-a 要求的文档属性 phase（阶段）", "文档属性 reviewed（评审日期）的值 明天 不是合法的日期", "文档属性 pages（页数）应为整数，实际为文本",
		`项目 prj-a 没有定义文档属性 "owner"；可用属性：phase, reviewed, pages（在项目记录的 document_attributes 中定义）`} {
		if !strings.Contains(all, w) {
			t.Errorf("no %q in\n%s", w, all)
		}
	}
}

func TestAttributeNames(t *testing.T) {
	for _, ok := range []string{"合同编号", "contract_no", "阶段2", "A"} {
		if _, err := CompileAttributes(map[string]any{"properties": map[string]any{ok: map[string]any{"type": "string"}}}, nil, "/document_schema"); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"合同 编号", "2阶段", "a.b", "_x", "a/b"} {
		_, err := CompileAttributes(map[string]any{"properties": map[string]any{bad: map[string]any{"type": "string"}}}, nil, "/document_schema")
		if ae, ok := err.(*AttributeError); !ok || !ae.Key {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

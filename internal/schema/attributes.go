package schema

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"

	"github.com/opsbook/opsbook/internal/record"
)

// AttributeSchema is the JSON Schema a project gives the `attributes` of its
// documents: the project's `document_schema` (an object schema fragment), or
// the older `document_attributes` list translated into one. It is compiled
// with the same library and settings as the schemas in schemas/, and its
// errors are worded in Chinese for the document's author.
type AttributeSchema struct {
	// Attributes are the defined attributes in the order the project lists them.
	Attributes []Attribute
	// Open is true when attributes the project does not define are allowed
	// (additionalProperties: true); by default they are reported.
	Open bool
	// Source is the project field the schema comes from: "document_schema"
	// or "document_attributes".
	Source string

	sch *jsonschema.Schema
}

// Attribute is one attribute a project defines for its documents.
type Attribute struct {
	Name, Title, Description string
	Type                     string // string, number, integer, boolean, array; "" = any
	Format                   string // date, local-datetime, email, ipv4, uri; "" = none
	Pattern                  string
	Enum                     []string // allowed values, as written
	Required                 bool
	// Example is the first of `examples` (else `default`), nil when neither
	// is given; templates use it as the placeholder value.
	Example any
}

// Label is "name（title）", or the name alone when the title repeats it.
func (a Attribute) Label() string {
	if a.Title == "" || a.Title == a.Name {
		return a.Name
	}
	return a.Name + "（" + a.Title + "）"
}

// AttributeError is a defect in a project's attribute definitions that the
// project schema cannot see (a pattern that is not a valid expression, a
// required name that is not defined), at a JSON pointer of the project record.
type AttributeError struct {
	Pointer string
	Key     bool // the problem is the name at Pointer, not its value
	Message string
}

// attributeName is what an attribute may be called: a letter or Han
// character, then letters, digits, underscores or Han characters.
var attributeName = regexp.MustCompile(`^[A-Za-z\p{Han}][A-Za-z0-9_\p{Han}]*$`)

func (e *AttributeError) Error() string { return e.Message }

// attributeKeywords are the keywords kept from an attribute definition; any
// other keyword (notably $ref, $id, $dynamicRef) is dropped before the
// fragment is compiled, so a project can never make the compiler load
// anything. The project schema reports the unknown keywords.
var attributeKeywords = []string{"title", "description", "type", "enum", "const", "format", "pattern",
	"minLength", "maxLength", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
	"minItems", "maxItems", "uniqueItems", "examples", "default"}

// CompileAttributes compiles a `document_schema` fragment found at pointer
// base of a project record. order lists the property names in the order the
// project writes them (JSON objects have none); names missing from it follow
// in sorted order.
func CompileAttributes(fragment map[string]any, order []string, base string) (*AttributeSchema, error) {
	props, _ := fragment["properties"].(map[string]any)
	a := &AttributeSchema{Source: "document_schema"}
	a.Open, _ = fragment["additionalProperties"].(bool)
	names := slices.Clone(order)
	names = slices.DeleteFunc(names, func(n string) bool { _, ok := props[n]; return !ok })
	var rest []string
	for n := range props {
		if !slices.Contains(names, n) {
			rest = append(rest, n)
		}
	}
	slices.Sort(rest)
	names = append(names, rest...)
	clean := map[string]any{}
	for _, n := range names {
		if !attributeName.MatchString(n) {
			return nil, &AttributeError{Pointer: base + record.Pointer("properties", n), Key: true,
				Message: fmt.Sprintf("属性名 %q 不合适：应以字母或汉字开头，只含字母、数字、下划线或汉字（不能有空格、点或其他符号）", n)}
		}
		def, _ := props[n].(map[string]any)
		c, err := cleanAttribute(def, record.Pointer("properties", n), base, 0)
		if err != nil {
			return nil, err
		}
		clean[n] = c
		a.Attributes = append(a.Attributes, attributeOf(n, def))
	}
	var required []any
	reqList, _ := fragment["required"].([]any)
	for i, r := range reqList {
		n, _ := r.(string)
		if _, ok := props[n]; !ok {
			return nil, &AttributeError{Pointer: base + record.Pointer("required", fmt.Sprint(i)),
				Message: fmt.Sprintf("必填属性 %q 没有在 properties 中定义；请在 document_schema.properties 下定义它，或从 required 中删除", n)}
		}
		required = append(required, n)
		for i := range a.Attributes {
			if a.Attributes[i].Name == n {
				a.Attributes[i].Required = true
			}
		}
	}
	return a, a.compile(clean, required)
}

// AttributesFromList translates the older `document_attributes` list (name,
// title, type string|number|integer|boolean|date|enum, required, values)
// into an attribute schema.
func AttributesFromList(list []any) (*AttributeSchema, error) {
	a := &AttributeSchema{Source: "document_attributes"}
	clean := map[string]any{}
	var required []any
	for _, item := range list {
		m, _ := item.(map[string]any)
		name, _ := m["name"].(string)
		if name == "" {
			continue
		}
		at := Attribute{Name: name}
		at.Title, _ = m["title"].(string)
		at.Description, _ = m["description"].(string)
		at.Required, _ = m["required"].(bool)
		def := map[string]any{}
		switch typ, _ := m["type"].(string); typ {
		case "string", "number", "integer", "boolean":
			at.Type = typ
			def["type"] = typ
		case "date":
			at.Type, at.Format = "string", "date"
			def["type"], def["format"] = "string", "date"
		case "enum":
			at.Type = "string"
			vals, _ := m["values"].([]any)
			var enum []any
			for _, v := range vals {
				if s, ok := v.(string); ok {
					at.Enum = append(at.Enum, s)
					enum = append(enum, s)
				}
			}
			def["enum"] = enum
		}
		if at.Required {
			required = append(required, name)
		}
		clean[name] = def
		a.Attributes = append(a.Attributes, at)
	}
	return a, a.compile(clean, required)
}

func attributeOf(name string, def map[string]any) Attribute {
	at := Attribute{Name: name}
	at.Title, _ = def["title"].(string)
	at.Description, _ = def["description"].(string)
	at.Type, _ = def["type"].(string)
	at.Format, _ = def["format"].(string)
	at.Pattern, _ = def["pattern"].(string)
	if vals, ok := def["enum"].([]any); ok {
		for _, v := range vals {
			at.Enum = append(at.Enum, fmt.Sprint(v))
		}
	}
	if ex, ok := def["examples"].([]any); ok && len(ex) > 0 {
		at.Example = ex[0]
	} else if d, ok := def["default"]; ok {
		at.Example = d
	}
	return at
}

// cleanAttribute copies the allowed keywords of one attribute definition and
// checks its pattern compiles.
func cleanAttribute(def map[string]any, ptr, base string, depth int) (map[string]any, error) {
	out := map[string]any{}
	for _, kw := range attributeKeywords {
		if v, ok := def[kw]; ok {
			out[kw] = v
		}
	}
	if p, ok := def["pattern"].(string); ok {
		if _, err := regexp.Compile(p); err != nil {
			return nil, &AttributeError{Pointer: base + ptr + "/pattern",
				Message: fmt.Sprintf("pattern %q 不是合法的正则表达式（RE2 语法）：%v", p, err)}
		}
	}
	if items, ok := def["items"].(map[string]any); ok && depth == 0 {
		c, err := cleanAttribute(items, ptr+"/items", base, depth+1)
		if err != nil {
			return nil, err
		}
		out["items"] = c
	}
	return out, nil
}

// refuseLoader makes sure compiling a project's fragment never reads a file
// or the network, whatever it names.
type refuseLoader struct{}

func (refuseLoader) Load(url string) (any, error) {
	return nil, fmt.Errorf("项目属性定义不能引用外部 schema（%s）", url)
}

func (a *AttributeSchema) compile(props map[string]any, required []any) error {
	doc := map[string]any{
		"$schema":              "https://json-schema.org/draft/2020-12/schema",
		"type":                 "object",
		"properties":           props,
		"additionalProperties": a.Open,
	}
	if len(required) > 0 {
		doc["required"] = required
	}
	c := newCompiler()
	c.UseLoader(refuseLoader{})
	const url = "https://opsbook.local/project/document_schema.json"
	if err := c.AddResource(url, doc); err != nil {
		return &AttributeError{Message: fmt.Sprintf("文档属性定义无效：%v", err)}
	}
	sch, err := c.Compile(url)
	if err != nil {
		return &AttributeError{Message: fmt.Sprintf("文档属性定义无效：%v", err)}
	}
	a.sch = sch
	return nil
}

// Attribute returns the definition of name.
func (a *AttributeSchema) Attribute(name string) (Attribute, bool) {
	i := slices.IndexFunc(a.Attributes, func(at Attribute) bool { return at.Name == name })
	if i < 0 {
		return Attribute{}, false
	}
	return a.Attributes[i], true
}

// AttributeProblem is one way a document's attributes fail their project's
// schema.
type AttributeProblem struct {
	// Pointer is relative to the attributes object: "" for the object
	// itself (a missing attribute), "/合同编号" for a value.
	Pointer string
	// Missing marks a required attribute that is absent; Unknown one the
	// project does not define (point at its key).
	Missing, Unknown bool
	Message          string
}

// Check validates a document's attributes value (nil when the document has
// none) for project.
func (a *AttributeSchema) Check(value any, project string) []AttributeProblem {
	if value == nil {
		value = map[string]any{}
	}
	if _, ok := value.(map[string]any); !ok || a.sch == nil {
		return nil // the document schema reports a non-object
	}
	err := a.sch.Validate(value)
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return []AttributeProblem{{Message: fmt.Sprintf("无法校验文档属性：%v", err)}}
	}
	var out []AttributeProblem
	seen := map[string]bool{}
	for _, leaf := range leaves(ve) {
		for _, p := range a.describe(leaf, project) {
			if key := p.Pointer + "\x00" + p.Message; !seen[key] {
				seen[key] = true
				out = append(out, p)
			}
		}
	}
	slices.SortFunc(out, func(x, y AttributeProblem) int {
		return strings.Compare(x.Pointer+"\x00"+x.Message, y.Pointer+"\x00"+y.Message)
	})
	return out
}

func (a *AttributeSchema) names() string {
	names := make([]string, len(a.Attributes))
	for i, at := range a.Attributes {
		names[i] = at.Name
	}
	if len(names) == 0 {
		return "（无）"
	}
	return strings.Join(names, ", ")
}

func (a *AttributeSchema) describe(e *jsonschema.ValidationError, project string) []AttributeProblem {
	loc := e.InstanceLocation
	ptr := record.Pointer(loc...)
	switch k := e.ErrorKind.(type) {
	case *kind.Required:
		if len(loc) == 0 {
			var out []AttributeProblem
			for _, m := range k.Missing {
				at, _ := a.Attribute(m)
				hint := ""
				if at.Description != "" {
					hint = "：" + at.Description
				}
				out = append(out, AttributeProblem{Missing: true, Message: fmt.Sprintf("缺少项目 %s 要求的文档属性 %s%s", project, labelOf(at, m), hint)})
			}
			return out
		}
	case *kind.AdditionalProperties:
		if len(loc) == 0 {
			var out []AttributeProblem
			for _, p := range k.Properties {
				out = append(out, AttributeProblem{Pointer: record.Pointer(p), Unknown: true,
					Message: fmt.Sprintf("项目 %s 没有定义文档属性 %q；可用属性：%s（在项目记录的 %s 中定义）", project, p, a.names(), a.Source)})
			}
			return out
		}
	}
	if len(loc) == 0 {
		return []AttributeProblem{{Message: fmt.Sprintf("文档属性：%s", e.ErrorKind.LocalizedString(english))}}
	}
	at, _ := a.Attribute(loc[0])
	label := "文档属性 " + labelOf(at, loc[0])
	if len(loc) > 1 {
		label += fmt.Sprintf(" 的第 %s 项", itemNumber(loc[1]))
	}
	if len(loc) == 1 && !strings.HasSuffix(label, "）") {
		label += " "
	}
	var msg string
	switch k := e.ErrorKind.(type) {
	case *kind.Type:
		msg = "应为" + wantName(k.Want) + "，实际为" + typeName(k.Got)
		if slicesContain(k.Want, "string") && (k.Got == "number" || k.Got == "integer" || k.Got == "boolean") {
			msg += "；编号、版本号等文本请加引号"
		}
	case *kind.Enum:
		want := make([]string, len(k.Want))
		for i, w := range k.Want {
			want[i] = fmt.Sprint(w)
		}
		msg = fmt.Sprintf("的取值 %v 不在允许范围内，可选：%s", k.Got, strings.Join(want, ", "))
	case *kind.Const:
		msg = fmt.Sprintf("应为 %v，实际为 %v", k.Want, k.Got)
	case *kind.Format:
		msg = fmt.Sprintf("的值 %v 不是合法的%s%s", k.Got, formatName(k.Want), formatHint(k.Want))
	case *kind.Pattern:
		msg = fmt.Sprintf("的值 %q 格式不符（应匹配 %s）", k.Got, k.Want)
		if at.Description != "" {
			msg += "：" + at.Description
		}
	case *kind.MinLength:
		if k.Want <= 1 {
			msg = "不能为空"
		} else {
			msg = fmt.Sprintf("太短：至少 %d 个字符，实际 %d 个", k.Want, k.Got)
		}
	case *kind.MaxLength:
		msg = fmt.Sprintf("太长：最多 %d 个字符，实际 %d 个", k.Want, k.Got)
	case *kind.Minimum:
		msg = fmt.Sprintf("的值 %v 小于最小值 %v", ratString(k.Got), ratString(k.Want))
	case *kind.Maximum:
		msg = fmt.Sprintf("的值 %v 大于最大值 %v", ratString(k.Got), ratString(k.Want))
	case *kind.ExclusiveMinimum:
		msg = fmt.Sprintf("的值 %v 应大于 %v", ratString(k.Got), ratString(k.Want))
	case *kind.ExclusiveMaximum:
		msg = fmt.Sprintf("的值 %v 应小于 %v", ratString(k.Got), ratString(k.Want))
	case *kind.MinItems:
		msg = fmt.Sprintf("至少需要 %d 项，实际 %d 项", k.Want, k.Got)
	case *kind.MaxItems:
		msg = fmt.Sprintf("最多 %d 项，实际 %d 项", k.Want, k.Got)
	case *kind.UniqueItems:
		msg = fmt.Sprintf("第 %d 项与第 %d 项重复", k.Duplicates[1]+1, k.Duplicates[0]+1)
	default:
		msg = "：" + e.ErrorKind.LocalizedString(english)
	}
	return []AttributeProblem{{Pointer: ptr, Message: label + msg}}
}

func labelOf(at Attribute, name string) string {
	if at.Name == "" {
		return name
	}
	return at.Label()
}

func itemNumber(tok string) string {
	var n int
	if _, err := fmt.Sscan(tok, &n); err == nil {
		return fmt.Sprint(n + 1)
	}
	return tok
}

func wantName(ts []string) string {
	if len(ts) == 1 && ts[0] == "boolean" {
		return " true 或 false"
	}
	return typeNames(ts)
}

func ratString(r interface{ FloatString(int) string }) string {
	s := r.FloatString(6)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

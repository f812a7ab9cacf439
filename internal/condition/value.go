package condition

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// vkind is the kind of a value, after norm.
type vkind uint8

const (
	vNull vkind = iota
	vBool
	vNum // int64 or float64
	vStr
	vDur
	vSize
	vList // []any or []map[string]any
	vMap
	vOther
)

// kindName is the Chinese name of a kind, for messages.
var kindName = [...]string{"null", "真假值", "数字", "文本", "时长", "大小", "列表", "对象", "不支持的值"}

// norm maps the types drivers and decoders produce onto the types
// conditions know: int → int64, json.Number → int64/float64, []byte →
// string and so on. Values of other types are returned unchanged.
func norm(v any) any {
	switch x := v.(type) {
	case int:
		return int64(x)
	case int8:
		return int64(x)
	case int16:
		return int64(x)
	case int32:
		return int64(x)
	case uint8:
		return int64(x)
	case uint16:
		return int64(x)
	case uint32:
		return int64(x)
	case uint:
		if uint64(x) > math.MaxInt64 {
			return float64(x)
		}
		return int64(x)
	case uint64:
		if x > math.MaxInt64 {
			return float64(x)
		}
		return int64(x)
	case float32:
		return float64(x)
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		if f, err := x.Float64(); err == nil {
			return f
		}
		return string(x)
	case []byte:
		return string(x)
	case []string:
		l := make([]any, len(x))
		for i, s := range x {
			l[i] = s
		}
		return l
	case time.Time:
		return x.Format(time.RFC3339Nano)
	}
	return v
}

func kindOf(v any) vkind {
	switch v.(type) {
	case nil:
		return vNull
	case bool:
		return vBool
	case int64, float64:
		return vNum
	case string:
		return vStr
	case time.Duration:
		return vDur
	case Size:
		return vSize
	case []any, []map[string]any:
		return vList
	case map[string]any:
		return vMap
	}
	return vOther
}

// describe names v's kind for a message: 数字 503, 列表（3 个元素）…
func describe(v any) string {
	switch k := kindOf(v); k {
	case vList, vMap:
		return fmt.Sprintf("%s（%d 个元素）", kindName[k], length(v))
	case vNull:
		return "null"
	case vOther:
		return fmt.Sprintf("不支持的值（%T）", v)
	case vStr:
		return fmt.Sprintf("%s %q", kindName[k], truncate(v.(string), 40))
	default:
		return kindName[k] + " " + render(v)
	}
}

// length is the number of runes, elements or keys of v, or -1.
func length(v any) int {
	switch x := v.(type) {
	case string:
		return utf8.RuneCountInString(x)
	case []any:
		return len(x)
	case []map[string]any:
		return len(x)
	case map[string]any:
		return len(x)
	case nil:
		return 0
	}
	return -1
}

// env is the state of one evaluation: the values and the JSON decoded
// from them, so a body is decoded once however many paths use it.
type env struct {
	values map[string]any
	json   map[string]decoded
}

type decoded struct {
	v   any
	err error
}

// decodeJSON reads exactly one JSON document.
func decodeJSON(s string) (any, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("内容为空")
		}
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("JSON 之后还有多余的内容")
	}
	return v, nil
}

// decode returns the JSON in string s, the value of placeholder name when
// top is set (and then cached).
func (e *env) decode(name string, s string, top bool) (any, error) {
	if !top {
		return decodeJSON(s)
	}
	if d, ok := e.json[name]; ok {
		return d.v, d.err
	}
	v, err := decodeJSON(s)
	if e.json == nil {
		e.json = map[string]decoded{}
	}
	e.json[name] = decoded{v, err}
	return v, err
}

// resolve follows p through the values. The reason says, in Chinese,
// where and why it could not.
func (e *env) resolve(p *path) (any, string) {
	v, ok := e.values[p.name]
	if !ok {
		return nil, missingPlaceholder(p.name, e.values)
	}
	for i, a := range p.acc {
		v = norm(v)
		if s, isStr := v.(string); isStr {
			dv, err := e.decode(p.name, s, i == 0)
			if err != nil {
				return nil, fmt.Sprintf("%s 不是合法的 JSON，无法取 %s：%s", p.prefix(i), accText(a), jsonError(err))
			}
			v = norm(dv)
		}
		switch x := v.(type) {
		case map[string]any:
			if a.isIndex {
				return nil, fmt.Sprintf("%s 是对象，不能用下标 [%d]；请用 .字段名，现有字段：%s", p.prefix(i), a.index, keyList(x))
			}
			val, ok := x[a.key]
			if !ok {
				return nil, fmt.Sprintf("%s 中没有字段 %q；现有字段：%s", p.prefix(i), a.key, keyList(x))
			}
			v = val
		case []any, []map[string]any:
			n := length(x)
			if !a.isIndex {
				return nil, fmt.Sprintf("%s 是列表（%d 个元素），不能取字段 %s；请先写下标，例如 %s[0]%s", p.prefix(i), n, accText(a), p.prefix(i), accText(a))
			}
			idx := a.index
			if idx < 0 {
				idx += n
			}
			if idx < 0 || idx >= n {
				return nil, fmt.Sprintf("%s 只有 %d 个元素，没有下标 [%d]", p.prefix(i), n, a.index)
			}
			if l, ok := x.([]any); ok {
				v = l[idx]
			} else {
				v = x.([]map[string]any)[idx]
			}
		case nil:
			return nil, fmt.Sprintf("%s 为 null，无法取 %s", p.prefix(i), accText(a))
		default:
			return nil, fmt.Sprintf("%s 是%s，无法取 %s", p.prefix(i), describe(x), accText(a))
		}
	}
	return norm(v), ""
}

func accText(a accessor) string {
	var b strings.Builder
	a.write(&b)
	return b.String()
}

// jsonError shortens a decoder error for a person.
func jsonError(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("第 %d 个字节处：%v", se.Offset, se)
	}
	return err.Error()
}

// keyList lists up to 10 keys of m, sorted.
func keyList(m map[string]any) string {
	if len(m) == 0 {
		return "（无）"
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, truncate(k, 40))
	}
	slices.Sort(keys)
	if len(keys) > 10 {
		return strings.Join(keys[:10], "、") + fmt.Sprintf(" 等 %d 个", len(keys))
	}
	return strings.Join(keys, "、")
}

func missingPlaceholder(name string, values map[string]any) string {
	if len(values) == 0 {
		return fmt.Sprintf("没有占位符 [%s]：这次检查没有得到任何值", name)
	}
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if len(keys) > 20 {
		keys = append(keys[:20], "…")
	}
	return fmt.Sprintf("没有占位符 [%s]；这次检查提供的有：%s", name, strings.Join(keys, "、"))
}

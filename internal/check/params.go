package check

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// Params reads typed parameters from Spec.Params, remembering the first
// problem so a factory can read everything and then check Err once.
type Params struct {
	m     map[string]any
	err   error
	known map[string]bool
}

// P wraps spec's parameters.
func (s Spec) P() *Params { return &Params{m: s.Params, known: map[string]bool{}} }

// ParamError is a problem with one parameter; linting uses Key to tell a
// bad parameter from one whose value is a secret reference not expanded yet.
type ParamError struct {
	Key, Msg string
}

func (e *ParamError) Error() string { return fmt.Sprintf("参数 %s：%s", e.Key, e.Msg) }

// Fail records a problem with parameter key (the first one wins).
func (p *Params) Fail(key, format string, args ...any) { p.fail(key, format, args...) }

func (p *Params) fail(key, format string, args ...any) {
	if p.err == nil {
		p.err = &ParamError{Key: key, Msg: fmt.Sprintf(format, args...)}
	}
}

// Err returns the first problem met, including unknown parameters.
func (p *Params) Err() error {
	if p.err != nil {
		return p.err
	}
	for k := range p.m {
		if !p.known[k] {
			return &ParamError{Key: k, Msg: "未知参数；请检查拼写"}
		}
	}
	return nil
}

// Has reports whether key is set.
func (p *Params) Has(key string) bool { p.known[key] = true; _, ok := p.m[key]; return ok }

// String returns a string parameter; required ones fail when missing.
func (p *Params) String(key string, required bool) string {
	p.known[key] = true
	v, ok := p.m[key]
	if !ok || v == nil {
		if required {
			p.fail(key, "必填")
		}
		return ""
	}
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	}
	p.fail(key, "应为文本")
	return ""
}

// Int returns an integer parameter or def.
func (p *Params) Int(key string, def int) int {
	p.known[key] = true
	v, ok := p.m[key]
	if !ok || v == nil {
		return def
	}
	switch x := v.(type) {
	case json.Number:
		n, err := x.Int64()
		if err == nil {
			return int(n)
		}
	case int:
		return x
	case int64:
		return int(x)
	case float64:
		return int(x)
	}
	p.fail(key, "应为整数")
	return def
}

// Bool returns a boolean parameter or def.
func (p *Params) Bool(key string, def bool) bool {
	p.known[key] = true
	v, ok := p.m[key]
	if !ok || v == nil {
		return def
	}
	if b, ok := v.(bool); ok {
		return b
	}
	p.fail(key, "应为 true 或 false")
	return def
}

// Duration returns a duration parameter ("5s", "2m") or def.
func (p *Params) Duration(key string, def time.Duration) time.Duration {
	s := p.String(key, false)
	if s == "" {
		return def
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		p.fail(key, "%q 不是合法的时长，例如 5s、2m、1h", s)
		return def
	}
	return d
}

// Strings returns a list of strings.
func (p *Params) Strings(key string) []string {
	p.known[key] = true
	v, ok := p.m[key]
	if !ok || v == nil {
		return nil
	}
	list, ok := v.([]any)
	if !ok {
		if s, ok := v.(string); ok {
			return []string{s}
		}
		p.fail(key, "应为文本列表")
		return nil
	}
	out := make([]string, 0, len(list))
	for _, item := range list {
		s, ok := item.(string)
		if !ok {
			p.fail(key, "列表中的每一项应为文本")
			return nil
		}
		out = append(out, s)
	}
	return out
}

// StringMap returns a map of strings (headers and the like).
func (p *Params) StringMap(key string) map[string]string {
	p.known[key] = true
	v, ok := p.m[key]
	if !ok || v == nil {
		return nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		p.fail(key, "应为键值映射")
		return nil
	}
	out := make(map[string]string, len(m))
	for k, item := range m {
		s, ok := item.(string)
		if !ok {
			p.fail(key+"."+k, "应为文本")
			return nil
		}
		out[k] = s
	}
	return out
}

// Map returns a nested mapping parameter (e.g. sql compare's source/target).
func (p *Params) Map(key string) map[string]any {
	p.known[key] = true
	v, ok := p.m[key]
	if !ok || v == nil {
		return nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		p.fail(key, "应为键值映射")
	}
	return m
}

package alert

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// ConfigError is a problem with one field of an alert entry. It names the
// field and never repeats its value, which may be a secret.
type ConfigError struct {
	Type  string // notifier type, when known
	Field string
	Msg   string
	// Ref marks a value that still holds a ${…} secret reference: a linter
	// checking a runbook without its secrets can accept such an entry.
	Ref bool
}

func (e *ConfigError) Error() string {
	if e.Type == "" {
		return fmt.Sprintf("告警配置字段 %s：%s", e.Field, e.Msg)
	}
	return fmt.Sprintf("告警配置（%s）字段 %s：%s", e.Type, e.Field, e.Msg)
}

// Config reads typed fields of one alert entry, remembering the first
// problem so a factory can read everything and then check Err once.
type Config struct {
	typ   string
	m     map[string]any
	known map[string]bool
	err   error
}

func newConfig(typ string, m map[string]any) *Config {
	return &Config{typ: typ, m: m, known: map[string]bool{"type": true, "name": true}}
}

// Type is the entry's notifier type.
func (c *Config) Type() string { return c.typ }

// Name is the entry's display name: its name field, else its type.
func (c *Config) Name() string {
	if n := c.String("name", false); n != "" {
		return n
	}
	return c.typ
}

// Fail records a problem with field key (the first one wins).
func (c *Config) Fail(key, format string, args ...any) {
	if c.err == nil {
		c.err = &ConfigError{Type: c.typ, Field: key, Msg: fmt.Sprintf(format, args...)}
	}
}

// Err returns the first problem met, including fields no reader asked for.
func (c *Config) Err() error {
	if c.err != nil {
		return c.err
	}
	var unknown []string
	for k := range c.m {
		if !c.known[k] {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return &ConfigError{Type: c.typ, Field: unknown[0], Msg: "未知字段；请检查拼写"}
	}
	return nil
}

// Has reports whether field key is present.
func (c *Config) Has(key string) bool {
	c.known[key] = true
	_, ok := c.m[key]
	return ok
}

// String returns a text field; a required one fails when missing or empty.
func (c *Config) String(key string, required bool) string {
	c.known[key] = true
	v, ok := c.m[key]
	if !ok || v == nil {
		if required {
			c.Fail(key, "必填")
		}
		return ""
	}
	var s string
	switch x := v.(type) {
	case string:
		s = x
	case json.Number:
		s = x.String()
	case int, int64, float64:
		s = fmt.Sprint(x)
	default:
		c.Fail(key, "应为文本")
		return ""
	}
	if required && strings.TrimSpace(s) == "" {
		c.Fail(key, "不能为空")
	}
	if strings.Contains(s, "${") && c.err == nil {
		c.err = &ConfigError{Type: c.typ, Field: key, Msg: "含有未展开的密钥引用 ${…}；请设置对应的环境变量或密钥文件", Ref: true}
	}
	return s
}

// Strings returns a list of text (a single text is a one-item list).
func (c *Config) Strings(key string, required bool) []string {
	c.known[key] = true
	v, ok := c.m[key]
	if !ok || v == nil {
		if required {
			c.Fail(key, "必填，至少一项")
		}
		return nil
	}
	var out []string
	switch x := v.(type) {
	case string:
		out = []string{x}
	case []string:
		out = x
	case []any:
		for _, item := range x {
			s, ok := item.(string)
			if !ok {
				c.Fail(key, "列表中的每一项应为文本")
				return nil
			}
			out = append(out, s)
		}
	default:
		c.Fail(key, "应为文本列表")
		return nil
	}
	if required && len(out) == 0 {
		c.Fail(key, "必填，至少一项")
	}
	return out
}

// Bool returns a boolean field or def.
func (c *Config) Bool(key string, def bool) bool {
	c.known[key] = true
	v, ok := c.m[key]
	if !ok || v == nil {
		return def
	}
	if b, ok := v.(bool); ok {
		return b
	}
	c.Fail(key, "应为 true 或 false")
	return def
}

// StringMap returns a mapping of text to text (headers and the like).
func (c *Config) StringMap(key string) map[string]string {
	c.known[key] = true
	v, ok := c.m[key]
	if !ok || v == nil {
		return nil
	}
	switch x := v.(type) {
	case map[string]string:
		return x
	case map[string]any:
		out := make(map[string]string, len(x))
		for k, item := range x {
			s, ok := item.(string)
			if !ok {
				c.Fail(key+"."+k, "应为文本")
				return nil
			}
			out[k] = s
		}
		return out
	}
	c.Fail(key, "应为键值映射")
	return nil
}

// URL returns an http or https URL field. Errors never quote the value: a
// robot's webhook address is itself a credential.
func (c *Config) URL(key string, required bool) *url.URL {
	s := strings.TrimSpace(c.String(key, required))
	if s == "" {
		return nil
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		c.Fail(key, "不是合法的 http(s) 地址；应形如 https://主机/路径")
		return nil
	}
	return u
}

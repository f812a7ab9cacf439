package http

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/opsbook/opsbook/internal/check"
)

// DefaultMaxBody is how much of a body is read when max_body is not set.
const DefaultMaxBody = 1 << 20

var methods = []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}

// sensitiveHeader names request headers whose values are kept out of
// messages and values.
var sensitiveHeader = regexp.MustCompile(`(?i)auth|token|key|secret|cookie|session|pass|sign|ticket`)

// token is an HTTP header field name (RFC 9110 token).
var token = regexp.MustCompile("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")

// parse reads and validates spec's parameters.
func parse(spec check.Spec) (*checker, error) {
	p := spec.P()
	c := &checker{
		method:   strings.ToUpper(p.String("method", false)),
		body:     p.String("body", false),
		caFile:   p.String("ca_file", false),
		insecure: p.Bool("insecure_skip_verify", false),
		follow:   p.Bool("follow_redirects", true),
		timeout:  spec.Timeout,
		header:   http.Header{},
	}
	if c.method == "" {
		c.method = http.MethodGet
	} else if !slices.Contains(methods, c.method) {
		p.Fail("method", "不支持的请求方法 %q；可选：%s", c.method, strings.Join(methods, "、"))
	}
	if raw := p.String("url", true); raw != "" {
		c.parseURL(p, raw)
	}
	for name, value := range p.StringMap("headers") {
		if !token.MatchString(name) {
			p.Fail("headers", "请求头名称 %q 不合法", name)
			continue
		}
		if strings.ContainsAny(value, "\r\n") {
			p.Fail("headers."+name, "不能包含换行")
			continue
		}
		if http.CanonicalHeaderKey(name) == "Host" {
			c.host = value
			continue
		}
		c.header.Set(name, value)
		if sensitiveHeader.MatchString(name) {
			c.secrets = append(c.secrets, value)
		}
	}
	if auth := p.Map("basic_auth"); auth != nil {
		c.parseBasicAuth(p, auth)
	}
	c.maxBody = maxBody(p, spec.Params["max_body"])
	if err := p.Err(); err != nil {
		return nil, err
	}
	if c.header.Get("User-Agent") == "" {
		c.header.Set("User-Agent", "opsbook-check/1")
	}
	c.authSecrets()
	c.scrub = newScrubber(c.secrets)
	return c, nil
}

func (c *checker) parseURL(p *check.Params, raw string) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		// Do not echo the URL: it may carry a token.
		p.Fail("url", "不是合法的 http:// 或 https:// 地址，例如 https://share.example.gov.cn/portal/")
		return
	}
	if u.User != nil {
		c.user = u.User.Username()
		c.hasAuth = true
		if pass, ok := u.User.Password(); ok {
			c.pass = pass
			c.secrets = append(c.secrets, pass, u.User.String())
		}
		u.User = nil
	}
	if u.RawQuery != "" {
		c.secrets = append(c.secrets, u.RawQuery)
		for _, vs := range u.Query() {
			c.secrets = append(c.secrets, vs...)
		}
	}
	if u.Fragment != "" {
		c.secrets = append(c.secrets, u.Fragment)
	}
	c.url = u
	c.safeURL = SafeURL(u)
}

func (c *checker) parseBasicAuth(p *check.Params, auth map[string]any) {
	if c.hasAuth {
		p.Fail("basic_auth", "与 url 中的 用户名:密码@ 重复；二者只能用一个")
		return
	}
	for k, v := range auth {
		s, ok := v.(string)
		switch {
		case k != "username" && k != "password":
			p.Fail("basic_auth."+k, "未知字段；可用 username、password")
		case !ok:
			p.Fail("basic_auth."+k, "应为文本")
		case k == "username":
			c.user = s
		default:
			c.pass = s
		}
	}
	c.hasAuth = true
	c.secrets = append(c.secrets, c.pass)
}

// authSecrets adds the encoded basic-auth credential, in case a server
// echoes the Authorization header.
func (c *checker) authSecrets() {
	if c.hasAuth {
		c.secrets = append(c.secrets, base64.StdEncoding.EncodeToString([]byte(c.user+":"+c.pass)))
	}
}

// maxBody reads max_body: a byte count or a size such as "64KB".
func maxBody(p *check.Params, v any) int64 {
	if !p.Has("max_body") || v == nil {
		return DefaultMaxBody
	}
	var n int64
	var err error
	switch x := v.(type) {
	case string:
		n, err = ParseSize(x)
	case json.Number:
		n, err = ParseSize(x.String())
	default:
		n = int64(p.Int("max_body", DefaultMaxBody))
	}
	if err != nil || n <= 0 {
		p.Fail("max_body", "应为正的字节数或大小，例如 65536、64KB、1MB")
		return DefaultMaxBody
	}
	return n
}

var sizeRe = regexp.MustCompile(`(?i)^\s*([0-9]+)\s*(?:([kmg])i?)?b?\s*$`)

// ParseSize parses "65536", "64KB", "64KiB", "1MB", "1G" (K/M/G = 1024^n).
func ParseSize(s string) (int64, error) {
	m := sizeRe.FindStringSubmatch(s)
	if m == nil {
		return 0, fmt.Errorf("invalid size %q", s)
	}
	n, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil {
		return 0, err
	}
	if m[2] != "" {
		shift := map[string]uint{"k": 10, "m": 20, "g": 30}[strings.ToLower(m[2])]
		if n > (1<<62)>>shift {
			return 0, fmt.Errorf("size %q too large", s)
		}
		n <<= shift
	}
	return n, nil
}

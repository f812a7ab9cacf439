package signers

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"
)

// Paths of the key lists, relative to the repository root.
const (
	AllowedSignersPath  = ".opsbook/allowed_signers"
	PlatformSignersPath = ".opsbook/platform_signers"
	PlatformKeysPath    = ".opsbook/platform_keys.asc"
)

// Paths lists every file whose content decides whom signatures identify:
// changing any of them is itself a change that needs a signed approval.
var Paths = []string{AllowedSignersPath, PlatformSignersPath, PlatformKeysPath}

// Namespace is the signature namespace git signs commits with.
const Namespace = "git"

// Entry is one line of an allowed_signers file.
type Entry struct {
	Line       int
	Principals []string
	// Namespaces is the namespaces="…" pattern list ("" = any namespace).
	Namespaces string
	// ValidAfter and ValidBefore bound the signing time (zero = unbounded).
	ValidAfter, ValidBefore time.Time
	Key                     ssh.PublicKey
}

// List is a parsed allowed_signers file.
type List struct {
	File    string
	Entries []Entry
}

// ParseError is a line of an allowed_signers file that cannot be used.
type ParseError struct {
	File string
	Line int
	Msg  string // Chinese: what is wrong and what to do
}

func (e *ParseError) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg) }

// Parse reads an allowed_signers file (git's gpg.ssh.allowedSignersFile
// format): each line is "principals [options] keytype base64-key
// [comment]"; blank lines and lines starting with # are ignored. Options
// are namespaces="…", valid-after="…" and valid-before="…" (timestamps
// YYYYMMDD[HHMM[SS]], UTC with a trailing Z, else local time, as
// ssh-keygen reads them). The first bad line is returned as a *ParseError.
func Parse(file string, data []byte) (*List, error) {
	l := &List{File: file}
	for n, line := range bytes.Split(data, []byte{'\n'}) {
		e, err := parseLine(line)
		if err != nil {
			return nil, &ParseError{File: file, Line: n + 1, Msg: err.Error()}
		}
		if e != nil {
			e.Line = n + 1
			l.Entries = append(l.Entries, *e)
		}
	}
	return l, nil
}

// parseLine parses one line; nil for a blank line or a comment.
func parseLine(line []byte) (*Entry, error) {
	s := strings.TrimRight(string(line), "\r")
	s = strings.TrimLeft(s, " \t")
	if s == "" || s[0] == '#' {
		return nil, nil
	}
	if strings.ContainsRune(s, 0) {
		return nil, fmt.Errorf("含有 NUL 字符；每行应为“主体 [选项] 密钥类型 密钥”")
	}
	principals, rest, err := cutPrincipals(s)
	if err != nil {
		return nil, err
	}
	e := &Entry{}
	for _, p := range strings.Split(principals, ",") {
		switch {
		case p == "":
			return nil, fmt.Errorf("主体（principals）中有空项；多个主体用逗号分隔，不加空格")
		case strings.ContainsAny(p, "*?!"):
			return nil, fmt.Errorf("主体 %q 含通配符：审批须能确定是哪一个人，请逐个写出审核人的邮箱", p)
		}
		e.Principals = append(e.Principals, p)
	}
	rest = strings.TrimLeft(rest, " \t")
	if rest == "" {
		return nil, fmt.Errorf("主体 %s 之后缺少公钥；每行应为“主体 [选项] 密钥类型 密钥”，如 lina@example.com ssh-ed25519 AAAA…", principals)
	}
	key, _, options, _, err := ssh.ParseAuthorizedKey([]byte(rest))
	if err != nil {
		return nil, fmt.Errorf("无法解析公钥（%v）；请粘贴审核人公钥文件（如 ~/.ssh/id_ed25519.pub）中的一整行", err)
	}
	if _, ok := key.(*ssh.Certificate); ok {
		return nil, fmt.Errorf("不支持证书，请列出审核人的公钥本身")
	}
	e.Key = key
	for _, o := range options {
		name, value, hasValue := strings.Cut(o, "=")
		name = strings.ToLower(name)
		if hasValue {
			if len(value) < 2 || value[0] != '"' || value[len(value)-1] != '"' {
				return nil, fmt.Errorf("选项 %s 的值须用双引号括起", name)
			}
			value = value[1 : len(value)-1]
		}
		switch {
		case name == "cert-authority":
			return nil, fmt.Errorf("不支持 cert-authority：证书颁发机构不能确定是哪一位审核人，请逐个列出审核人的公钥")
		case !hasValue:
			return nil, fmt.Errorf("选项 %s 未知或缺少值；可用 namespaces=\"git\"、valid-after=\"YYYYMMDD\"、valid-before=\"YYYYMMDD\"", name)
		case name == "namespaces":
			e.Namespaces = value
		case name == "valid-after" || name == "valid-before":
			t, err := parseTimestamp(value)
			if err != nil {
				return nil, fmt.Errorf("选项 %s=%q：%v", name, value, err)
			}
			if name == "valid-after" {
				e.ValidAfter = t
			} else {
				e.ValidBefore = t
			}
		default:
			return nil, fmt.Errorf("选项 %s 未知；可用 namespaces、valid-after、valid-before", name)
		}
	}
	return e, nil
}

// cutPrincipals splits off the principals field, which may be quoted.
func cutPrincipals(s string) (principals, rest string, err error) {
	if s[0] == '"' {
		end := strings.IndexByte(s[1:], '"')
		if end < 0 {
			return "", "", fmt.Errorf("主体的引号没有闭合")
		}
		return s[1 : end+1], s[end+2:], nil
	}
	end := strings.IndexAny(s, " \t")
	if end < 0 {
		return "", "", fmt.Errorf("只有主体 %s，缺少公钥；每行应为“主体 [选项] 密钥类型 密钥”", s)
	}
	return s[:end], s[end:], nil
}

// parseTimestamp reads ssh-keygen's YYYYMMDD[HHMM[SS]][Z].
func parseTimestamp(v string) (time.Time, error) {
	loc := time.Local
	if strings.HasSuffix(v, "Z") || strings.HasSuffix(v, "z") {
		v, loc = v[:len(v)-1], time.UTC
	}
	layout := map[int]string{8: "20060102", 12: "200601021504", 14: "20060102150405"}[len(v)]
	if layout == "" {
		return time.Time{}, fmt.Errorf("时间格式应为 YYYYMMDD、YYYYMMDDHHMM 或 YYYYMMDDHHMMSS（末尾加 Z 表示 UTC）")
	}
	t, err := time.ParseInLocation(layout, v, loc)
	if err != nil {
		return time.Time{}, fmt.Errorf("不是有效的时间：%v", err)
	}
	return t, nil
}

// matchNamespace reports whether ns matches a comma-separated pattern list
// (ssh's match_pattern_list: * and ? wildcards, ! negates and vetoes).
func matchNamespace(ns, patterns string) bool {
	if patterns == "" {
		return true
	}
	ok := false
	for _, p := range strings.Split(patterns, ",") {
		neg := strings.HasPrefix(p, "!")
		if neg {
			p = p[1:]
		}
		if wildcard(p, ns) {
			if neg {
				return false
			}
			ok = true
		}
	}
	return ok
}

// wildcard matches s against a pattern of literal bytes, * and ? (the
// usual linear-time matcher that backtracks to the last star).
func wildcard(p, s string) bool {
	pi, si, star, mark := 0, 0, -1, 0
	for si < len(s) {
		switch {
		case pi < len(p) && (p[pi] == '?' || p[pi] == s[si]):
			pi, si = pi+1, si+1
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, si
			pi++
		case star >= 0:
			mark++
			pi, si = star+1, mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

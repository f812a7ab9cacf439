package signers

import (
	"errors"
	"strings"
	"testing"
	"time"
)

const edKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAj0RJ6KzhNzemqXyOgM7Zt+PKmESIk19ZzFFVHVkMCF"

func TestParse(t *testing.T) {
	data := "# 审核人\n\n" +
		"lina@example.com " + edKey + " 李娜\n" +
		`"liuyang@example.com,刘洋" namespaces="git,file",valid-after="20260101",valid-before="20271231235959Z" ` + edKey + "\r\n" +
		"   \t# indented comment\n"
	l, err := Parse(AllowedSignersPath, []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Entries) != 2 {
		t.Fatalf("entries: %+v", l.Entries)
	}
	e := l.Entries[1]
	if e.Line != 4 || strings.Join(e.Principals, "|") != "liuyang@example.com|刘洋" || e.Namespaces != "git,file" ||
		e.ValidBefore != time.Date(2027, 12, 31, 23, 59, 59, 0, time.UTC) || e.ValidAfter.Year() != 2026 {
		t.Errorf("entry: %+v", e)
	}
	if !matchNamespace("git", e.Namespaces) || matchNamespace("git", "file") || !matchNamespace("git", "g*") || matchNamespace("git", "*,!git") || !matchNamespace("git", "") {
		t.Error("namespace patterns")
	}
}

func TestParseErrors(t *testing.T) {
	for _, c := range []struct{ line, want string }{
		{"lina@example.com", "缺少公钥"},
		{"lina@example.com   ", "缺少公钥"},
		{"*@example.com " + edKey, "通配符"},
		{"a@x,,b@x " + edKey, "空项"},
		{`"lina@example.com ` + edKey, "引号没有闭合"},
		{"lina@example.com ssh-ed25519 AAAA", "无法解析公钥"},
		{"lina@example.com cert-authority " + edKey, "cert-authority"},
		{"lina@example.com no-touch-required " + edKey, "未知"},
		{`lina@example.com valid-after="2026" ` + edKey, "时间格式"},
		{`lina@example.com valid-after="20261345" ` + edKey, "不是有效的时间"},
		{`lina@example.com permitopen="x" ` + edKey, "未知"},
	} {
		_, err := Parse("f", []byte("# ok\n"+c.line+"\n"))
		var pe *ParseError
		if !errors.As(err, &pe) || pe.Line != 2 || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "f:2: ") {
			t.Errorf("%q: %v, want line 2 and %q", c.line, err, c.want)
		}
	}
}

// FuzzParse: any input either parses into entries that each name a
// principal and hold a key, or yields a *ParseError with a line number;
// it never panics.
func FuzzParse(f *testing.F) {
	f.Add([]byte("lina@example.com " + edKey + "\n"))
	f.Add([]byte(`"a@x,b@x" namespaces="git",valid-after="20260101Z" ` + edKey + " c\n# x\n"))
	f.Add([]byte("a namespaces=\"*,!file\" " + edKey))
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := Parse("f", data)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Line < 1 {
				t.Fatalf("error without a line: %v", err)
			}
			return
		}
		for _, e := range l.Entries {
			if len(e.Principals) == 0 || e.Key == nil || e.Line < 1 {
				t.Fatalf("bad entry %+v", e)
			}
			_ = matchNamespace(Namespace, e.Namespaces)
		}
	})
}

func TestWildcard(t *testing.T) {
	for _, c := range []struct {
		p, s string
		want bool
	}{{"git", "git", true}, {"g?t", "git", true}, {"*", "", true}, {"*t", "git", true}, {"g*x", "git", false}, {"", "git", false},
		{strings.Repeat("*a", 30) + "b", strings.Repeat("a", 200), false}} {
		if got := wildcard(c.p, c.s); got != c.want {
			t.Errorf("wildcard(%q, %q) = %v", c.p, c.s, got)
		}
	}
}

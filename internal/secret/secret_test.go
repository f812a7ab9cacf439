package secret

import (
	"errors"
	"io/fs"
	"strings"
	"testing"
)

func source(env map[string]string, files map[string]string) Source {
	return Source{
		Env: func(k string) (string, bool) { v, ok := env[k]; return v, ok },
		ReadFile: func(p string) ([]byte, error) {
			if v, ok := files[p]; ok {
				return []byte(v), nil
			}
			return nil, fs.ErrNotExist
		},
	}
}

func TestExpandAndRedact(t *testing.T) {
	x := NewExpander(source(map[string]string{"DB_PASS": "p@ss w0rd/x", "TOKEN": "tok-123456"}, map[string]string{"/k": "keydata\n"}))
	v, err := x.ExpandAll(map[string]any{
		"dsn":     "postgres://ops:${DB_PASS}@db/test",
		"headers": map[string]any{"Authorization": "Bearer ${TOKEN}"},
		"key":     "${file:/k}",
		"list":    []any{"${TOKEN}", 3},
	})
	if err != nil {
		t.Fatal(err)
	}
	m := v.(map[string]any)
	if m["dsn"] != "postgres://ops:p@ss w0rd/x@db/test" || m["key"] != "keydata" || m["headers"].(map[string]any)["Authorization"] != "Bearer tok-123456" {
		t.Fatalf("expanded: %v", m)
	}
	r := x.Redactor
	for in, want := range map[string]string{
		"failed: password p@ss w0rd/x rejected":   "failed: password ${DB_PASS} rejected",
		"GET /api?token=tok-123456":               "GET /api?token=${TOKEN}",
		"url postgres://ops:p%40ss%20w0rd%2Fx@db": "url postgres://ops:${DB_PASS}@db",
		"query p%40ss+w0rd%2Fx":                   "query ${DB_PASS}",
		"key keydata here":                        "key ${file:/k} here",
	} {
		if got := r.String(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
	red := r.Value(map[string]any{"BODY": []any{"tok-123456"}}).(map[string]any)
	if red["BODY"].([]any)[0] != "${TOKEN}" {
		t.Errorf("Value: %v", red)
	}
}

func TestExpandErrorsNameTheReference(t *testing.T) {
	x := NewExpander(source(nil, nil))
	_, err := x.Expand("${MISSING} ${file:/nope}")
	if err == nil || !strings.Contains(err.Error(), "MISSING") || !strings.Contains(err.Error(), "/nope") {
		t.Fatalf("err = %v", err)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("file error not wrapped: %v", err)
	}
	if !HasRef("a ${X} b") || HasRef("a $X b") || !HasRef("${file:/etc/k}") {
		t.Error("HasRef")
	}
}

func TestShortSecretsAreNotRedacted(t *testing.T) {
	x := NewExpander(source(map[string]string{"A": "ab"}, nil))
	x.Expand("${A}")
	if got := x.Redactor.String("abc"); got != "abc" {
		t.Errorf("a 2-char secret blanked ordinary text: %q", got)
	}
}

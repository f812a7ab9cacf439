package record

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestParseKeepsScalarsAsWritten(t *testing.T) {
	r, err := Parse("content/x/2026/a.yaml", []byte("id: a\ndate: 2026-01-05\nat: 2026-01-05T08:30:00+08:00\nn: 010\nv: 1.10\nok: true\nnone: null\nbig: 123456789012345678901234567890\nhex: 0x1F\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"id": "a", "date": "2026-01-05", "at": "2026-01-05T08:30:00+08:00",
		"n": json.Number("10"), "v": json.Number("1.1"), "ok": true, "none": nil,
		"big": json.Number("123456789012345678901234567890"), "hex": json.Number("31"),
	}
	for k, v := range want {
		if got := r.Fields[k]; got != v {
			t.Errorf("%s = %#v, want %#v", k, got, v)
		}
	}
}

// TestParsePlainTags: what the loader gives untagged scalars is unchanged by
// the refusal of explicit tags, and the tags that only restate a node's plain
// kind (!!str, !!map, !!seq) stay allowed.
func TestParsePlainTags(t *testing.T) {
	r, err := Parse("a.yaml", []byte("id: a\ns: !!str 010\nq: !<tag:yaml.org,2002:str> true\nm: !!map {x: 1}\nl: !!seq [a]\n!!str 2026: k\n"+
		"d: 2026-01-05\nt: 2026-01-05 08:30\nn: 12\nf: 1.5\nb: false\nz: ~\ne:\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"id": "a", "s": "010", "q": "true", "m": map[string]any{"x": json.Number("1")}, "l": []any{"a"}, "2026": "k",
		"d": "2026-01-05", "t": "2026-01-05 08:30", "n": json.Number("12"), "f": json.Number("1.5"), "b": false, "z": nil, "e": nil,
	}
	if !reflect.DeepEqual(r.Fields, want) {
		t.Errorf("got  %#v\nwant %#v", r.Fields, want)
	}
}

func TestIndexPositions(t *testing.T) {
	src := "---\nid: CHG-2026-001\nwindow:\n  start: \"2026-10-02 09:00\"\n  end: x\nassets:\n  - a\n  - b\n---\n## 实施方案\n"
	r, err := Parse("content/change/2026/CHG-2026-001.md", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]Pos{
		"/id":           {Line: 2, Col: 5, KeyLine: 2, KeyCol: 1},
		"/window/start": {Line: 4, Col: 10, KeyLine: 4, KeyCol: 3},
		"/assets/1":     {Line: 8, Col: 5},
	}
	for ptr, want := range cases {
		if got := r.Index[ptr]; got != want {
			t.Errorf("%s at %+v, want %+v", ptr, got, want)
		}
	}
	if r.BodyLine != 10 || !strings.HasPrefix(r.Body, "## 实施方案") {
		t.Errorf("body at line %d: %q", r.BodyLine, r.Body)
	}
	if got := r.At("/window/start/deeper"); got.Line != 4 {
		t.Errorf("At falls back to parent: %+v", got)
	}
}

func TestParseRejects(t *testing.T) {
	cases := []struct {
		name, path, src string
		line, col       int
		rule            string
	}{
		{"duplicate key", "a.yaml", "id: a\nkind: x\nid: b\n", 3, 1, "yaml/duplicate-key"},
		{"nested duplicate", "a.yaml", "id: a\nw:\n  s: 1\n  s: 2\n", 4, 3, "yaml/duplicate-key"},
		{"alias", "a.yaml", "a: &x 1\nb: *x\n", 1, 4, "yaml/anchor-alias"},
		{"alias bomb", "a.yaml", "a: &a [\"lol\",\"lol\"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n", 1, 4, "yaml/anchor-alias"},
		{"merge key", "a.yaml", "base: {x: 1}\nc:\n  <<: {x: 2}\n", 3, 3, "yaml/merge-key"},
		{"int key", "a.yaml", "id: a\n1: b\n", 2, 1, "yaml/non-string-key"},
		{"bool key", "a.yaml", "true: b\n", 1, 1, "yaml/non-string-key"},
		{"complex key", "a.yaml", "? [a, b]\n: c\n", 1, 3, "yaml/non-string-key"},
		{"multi doc", "a.yaml", "id: a\n---\nid: b\n", 2, 1, "yaml/multi-document"},
		// Lines as yaml.v3 breaks them: a lone CR and U+0085/U+2028/U+2029.
		{"multi doc, CR lines", "a.yaml", "id: a\rkind: x\r---\rid: b\r", 3, 1, "yaml/multi-document"},
		{"multi doc, U+2028 lines", "a.yaml", "id: a\u2028---\u2028id: b", 2, 1, "yaml/multi-document"},
		{"multi doc, U+0085 lines", "a.yaml", "id: a\u0085---\u0085id: b", 2, 1, "yaml/multi-document"},
		{"syntax", "a.yaml", "id: a\nkind: [x\n", 2, 1, "yaml/syntax"},
		{"mapping in value", "a.yaml", "id: a\nb: c: d\n", 2, 1, "yaml/syntax"},
		{"unclosed quote", "a.yaml", "id: a\nb: 'c\n", 2, 1, "yaml/syntax"},
		{"tab indent", "a.yaml", "id: a\nw:\n\tb: 1\n", 3, 1, "yaml/syntax"},
		{"not mapping", "a.yaml", "- a\n- b\n", 1, 1, "record/not-mapping"},
		{"empty", "a.yaml", "", 1, 1, "record/empty"},
		{"invalid utf8", "a.yaml", "id: a\ntitle: \xff\xfe\n", 2, 8, "file/encoding"},
		{"nul", "a.yaml", "id: a\x00\n", 1, 6, "file/encoding"},
		{"toml front matter", "a.md", "+++\nid = 1\n+++\n", 1, 1, "frontmatter/delimiter"},
		{"no front matter", "a.md", "# 标题\n", 1, 1, "frontmatter/delimiter"},
		{"unclosed front matter", "a.md", "---\nid: a\n", 1, 1, "frontmatter/delimiter"},
		{"front matter syntax line offset", "a.md", "---\nid: a\nid: b\n---\nbody\n", 3, 1, "yaml/duplicate-key"},
		{"custom tag", "a.yaml", "id: !secret a\n", 1, 5, "yaml/tag"},
		{"binary tag", "a.yaml", "id: a\nkey: !!binary aGVsbG8=\n", 2, 6, "yaml/tag"},
		{"timestamp tag", "a.yaml", "id: a\nat: !!timestamp 2026-01-01\n", 2, 5, "yaml/tag"},
		{"int tag", "a.yaml", "id: a\nn: !!int 0x10\n", 2, 4, "yaml/tag"},
		{"bool tag", "a.yaml", "id: a\nok: !!bool yes\n", 2, 5, "yaml/tag"},
		{"null tag", "a.yaml", "id: a\nx: !!null\n", 2, 4, "yaml/tag"},
		{"verbatim tag", "a.yaml", "id: a\nx: !<tag:yaml.org,2002:binary> aGk=\n", 2, 4, "yaml/tag"},
		{"custom tag on mapping", "a.yaml", "id: a\nw: !secret {x: 1}\n", 2, 4, "yaml/tag"},
		{"set tag", "a.yaml", "id: a\ns: !!set {x}\n", 2, 4, "yaml/tag"},
		{"omap tag", "a.yaml", "id: a\ns: !!omap [a: 1]\n", 2, 4, "yaml/tag"},
		{"str tag on mapping", "a.yaml", "id: a\nw: !!str {x: 1}\n", 2, 4, "yaml/tag"},
		{"tag on key", "a.yaml", "id: a\n!!binary aGk=: b\n", 2, 1, "yaml/tag"},
		{"tag on root", "a.yaml", "!foo\nid: a\n", 1, 1, "yaml/tag"},
		{"tag in sequence", "a.yaml", "id: a\nl:\n  - x\n  - !foo y\n", 4, 5, "yaml/tag"},
		{"TAG directive", "a.yaml", "%TAG !e! tag:example.com,2000:\n---\nid: a\nx: !e!foo y\n", 4, 4, "yaml/tag"},
		{"tag in front matter", "a.md", "---\nid: a\nx: !!binary aGk=\n---\nbody\n", 3, 4, "yaml/tag"},
		{"deep nesting", "a.yaml", strings.Repeat("[", 100) + strings.Repeat("]", 100), 1, 1, "record/not-mapping"},
		{"deep mapping", "a.yaml", "a:" + strings.Repeat(" {a:", 40) + " 1" + strings.Repeat("}", 40) + "\n", 1, 0, "yaml/too-deep"},
		{"very deep nesting", "a.yaml", strings.Repeat("[", 10001) + strings.Repeat("]", 10001), 1, 1, "yaml/syntax"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse(c.path, []byte(c.src))
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("got %v, want a *record.Error", err)
			}
			if e.Rule != c.rule || e.Line != c.line || (c.col != 0 && e.Col != c.col) {
				t.Errorf("got %d:%d [%s] %s, want %d:%d [%s]", e.Line, e.Col, e.Rule, e.Message, c.line, c.col, c.rule)
			}
		})
	}
}

func TestReadFileSizeCap(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.yaml")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	// A sparse 100 MB file: reading it whole would show in the test's memory.
	if err := f.Truncate(100 << 20); err != nil {
		t.Fatal(err)
	}
	f.Close()
	_, err = ReadFile(big, "big.yaml", 0)
	var e *Error
	if !errors.As(err, &e) || e.Rule != "file/too-large" {
		t.Fatalf("got %v, want file/too-large", err)
	}
	small := filepath.Join(dir, "small.yaml")
	os.WriteFile(small, []byte("id: a\ntitle: "+strings.Repeat("x", 200)+"\n"), 0o644)
	if _, err := ReadFile(small, "small.yaml", 100); !errors.As(err, &e) || e.Rule != "file/too-large" {
		t.Fatalf("cap of 100 bytes: got %v", err)
	}
	if _, err := ReadFile(small, "small.yaml", 1000); err != nil {
		t.Fatalf("cap of 1000 bytes: %v", err)
	}
}

func TestReadFieldsMatchesReadFile(t *testing.T) {
	dir := t.TempDir()
	file := dir + "/CHG-2026-001.md"
	data := "---\nid: CHG-2026-001\nkind: change\ntitle: 测试\nwindow: {start: 2026-11-28 20:00, end: 2026-11-28 22:00}\nassets: [a, b]\nn: 0012\n---\n\n## 实施方案\n\n步骤。\n"
	if err := os.WriteFile(file, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	full, err := ReadFile(file, "content/change/2026/CHG-2026-001.md", 0)
	if err != nil {
		t.Fatal(err)
	}
	light, err := ReadFields(file, "content/change/2026/CHG-2026-001.md", 0)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(full.Fields, light.Fields) || full.Body != light.Body || full.BodyLine != light.BodyLine {
		t.Errorf("ReadFields differs:\n%#v\n%#v", full.Fields, light.Fields)
	}
	if light.Index != nil || len(full.Index) == 0 {
		t.Errorf("index: full %d entries, light %v", len(full.Index), light.Index)
	}
	// The strict rules still apply without positions.
	if err := os.WriteFile(file, []byte("---\nid: a\nid: b\n---\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadFields(file, "content/change/2026/CHG-2026-001.md", 0); err == nil || !strings.Contains(err.Error(), "重复的键") {
		t.Errorf("duplicate key accepted without positions: %v", err)
	}
}

// TestReadFileRefusesNotRegular: a record that is a symlink (out of the
// repository or within it), sits below a symlinked directory, or is a FIFO
// is refused at 1:1 without its target being read — and without blocking.
func TestReadFileRefusesNotRegular(t *testing.T) {
	outside := t.TempDir()
	os.WriteFile(filepath.Join(outside, "secret.yaml"), []byte("id: OUTSIDE-SECRET\n"), 0o644)
	root := t.TempDir()
	dir := filepath.Join(root, "content/ticket/2026")
	os.MkdirAll(dir, 0o755)
	os.WriteFile(filepath.Join(dir, "ok.yaml"), []byte("id: ok\n"), 0o644)
	for _, err := range []error{
		os.Symlink(filepath.Join(outside, "secret.yaml"), filepath.Join(dir, "out.yaml")),
		os.Symlink("ok.yaml", filepath.Join(dir, "in.yaml")),
		os.Symlink(outside, filepath.Join(root, "content/linked")),
		syscall.Mkfifo(filepath.Join(dir, "fifo.yaml"), 0o644),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := ReadFile(filepath.Join(dir, "ok.yaml"), "content/ticket/2026/ok.yaml", 0); err != nil {
		t.Fatal(err)
	}
	for _, rel := range []string{"content/ticket/2026/out.yaml", "content/ticket/2026/in.yaml", "content/linked/secret.yaml", "content/ticket/2026/fifo.yaml"} {
		for _, read := range []func(string, string, int64) (*Record, error){ReadFile, ReadFields} {
			done := make(chan error, 1)
			go func() { _, err := read(filepath.Join(root, filepath.FromSlash(rel)), rel, 0); done <- err }()
			var err error
			select {
			case err = <-done:
			case <-time.After(5 * time.Second):
				t.Fatalf("%s: reading blocked", rel)
			}
			var e *Error
			if !errors.As(err, &e) || e.Rule != "record/not-regular-file" || e.Line != 1 || e.Col != 1 || strings.Contains(e.Message, "SECRET") {
				t.Errorf("%s: %v", rel, err)
			}
		}
	}
}

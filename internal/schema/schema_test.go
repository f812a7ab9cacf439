package schema

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/opsbook/opsbook/internal/record"
	"github.com/opsbook/opsbook/internal/testrepo"
)

// The record kinds; every one must have a schema.
var wantKinds = []string{"anomaly", "asset", "backup", "change", "department", "document", "duty", "event", "execution",
	"inspection", "kb", "obligation", "project", "report", "security", "stats", "ticket", "training"}

func TestKinds(t *testing.T) {
	set, err := Load(testrepo.SchemaDir(t))
	if err != nil {
		t.Fatal(err)
	}
	if got := set.KindNames(); !slices.Equal(got, wantKinds) {
		t.Fatalf("kinds %v, want %v", got, wantKinds)
	}
	md := []string{"anomaly", "change", "document", "kb", "report", "training"}
	for name, k := range set.Kinds {
		if (k.Format == FormatMarkdown) != slices.Contains(md, name) {
			t.Errorf("%s: format %s", name, k.Format)
		}
		if k.Label == "" {
			t.Errorf("%s: no Chinese label", name)
		}
		for _, r := range k.Refs {
			if _, ok := set.Kinds[r.Target]; !ok && r.Target != "runbook" {
				t.Errorf("%s: x-ref at %v names unknown kind %q", name, r.Pattern, r.Target)
			}
		}
	}
	change := set.Kinds["change"]
	if !slices.Equal(change.Sections, []string{"实施方案", "应急预案", "回退方案"}) {
		t.Errorf("change sections %v", change.Sections)
	}
	if !slices.ContainsFunc(change.Refs, func(r Ref) bool { return r.Target == "asset" && slices.Equal(r.Pattern, []string{"assets", "*"}) }) {
		t.Errorf("change refs %v lack assets/*", change.Refs)
	}
	if !slices.ContainsFunc(change.Afters, func(a After) bool { return slices.Equal(a.Object, []string{"window"}) && a.Prop == "end" }) {
		t.Errorf("change afters %v lack window end", change.Afters)
	}
}

// TestEveryPropertyHasChineseHints walks every schema file and requires a
// title and a description containing Chinese on every property, so editors
// show hints in Chinese wherever the cursor is.
func TestEveryPropertyHasChineseHints(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(testrepo.SchemaDir(t), "*.yaml"))
	checked := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		doc, _, err := record.ParseYAML(data)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		var walk func(node map[string]any, where string)
		walk = func(node map[string]any, where string) {
			if props, ok := node["properties"].(map[string]any); ok {
				for name, p := range props {
					p, _ := p.(map[string]any)
					at := where + "/properties/" + name
					for _, kw := range []string{"title", "description"} {
						if s, _ := p[kw].(string); !hasHan(s) {
							t.Errorf("%s %s: %s missing or not Chinese", filepath.Base(f), at, kw)
						}
					}
					checked++
					walk(p, at)
				}
			}
			if items, ok := node["items"].(map[string]any); ok {
				walk(items, where+"/items")
			}
			if defs, ok := node["$defs"].(map[string]any); ok {
				for name, d := range defs {
					if d, ok := d.(map[string]any); ok {
						walk(d, where+"/$defs/"+name)
					}
				}
			}
		}
		walk(doc, "")
	}
	if checked < 200 {
		t.Errorf("only %d properties checked; is the walk broken?", checked)
	}
}

func hasHan(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r >= 0x4e00 && r <= 0x9fff })
}

func TestValidateMessagesPointAtValues(t *testing.T) {
	set, err := Load(testrepo.SchemaDir(t))
	if err != nil {
		t.Fatal(err)
	}
	src := "id: TKT-2026-001\nkind: ticket\ntitle: 工单\nchannel: hotline\ncategory: catalog\nhandler: 张伟\npriority: normal\nstatus: open\nreported_at: \"2026-10-09 09:00\"\nrequester:\n  name: 张三\n  phone: 13800000000\n"
	r, err := record.Parse("content/ticket/2026/TKT-2026-001.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	vs := set.Kinds["ticket"].Validate(r)
	if len(vs) != 1 || vs[0].Line != 12 || vs[0].Col != 10 || vs[0].Rule != "schema/type" || !strings.Contains(vs[0].Message, "请加引号") {
		t.Fatalf("got %v", vs)
	}
}

// A kind's references come out in the same order on every load: pages that
// group related records by the referring field depend on it.
func TestRefsOrderIsStable(t *testing.T) {
	first, err := Load(testrepo.SchemaDir(t))
	if err != nil {
		t.Fatal(err)
	}
	for range 10 {
		again, err := Load(testrepo.SchemaDir(t))
		if err != nil {
			t.Fatal(err)
		}
		for name, k := range first.Kinds {
			got := again.Kinds[name]
			if !slices.EqualFunc(k.Refs, got.Refs, func(a, b Ref) bool { return a.Target == b.Target && slices.Equal(a.Pattern, b.Pattern) }) {
				t.Fatalf("%s: refs %v, then %v", name, k.Refs, got.Refs)
			}
		}
	}
}

// TestLoadRefusesSymlinks: a schema file or the schemas directory that is a
// symlink is refused, its target not read.
func TestLoadRefusesSymlinks(t *testing.T) {
	outside := t.TempDir()
	os.WriteFile(filepath.Join(outside, "x.yaml"), []byte("OUTSIDE-SECRET: 1\n"), 0o644)
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "schemas"), 0o755)
	data, err := os.ReadFile(filepath.Join(testrepo.SchemaDir(t), "common.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(root, "schemas/common.yaml"), data, 0o644)
	os.Symlink(filepath.Join(outside, "x.yaml"), filepath.Join(root, "schemas/x.yaml"))
	if _, err := Load(filepath.Join(root, "schemas")); err == nil || !strings.Contains(err.Error(), "schemas/x.yaml:1:1: ") || !strings.Contains(err.Error(), "[record/not-regular-file]") || strings.Contains(err.Error(), "SECRET") {
		t.Errorf("symlinked schema: %v", err)
	}
	linked := t.TempDir()
	os.Symlink(filepath.Join(root, "schemas"), filepath.Join(linked, "schemas"))
	if _, err := Load(filepath.Join(linked, "schemas")); err == nil || !strings.Contains(err.Error(), "[record/not-regular-file]") {
		t.Errorf("symlinked schemas/: %v", err)
	}
}

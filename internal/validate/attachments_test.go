package validate

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/opsbook/opsbook/internal/testrepo"
)

// A path inside an attachment directory selects the record owning it; a
// file in a directory without a record is reported on its own.
func TestAttachmentTargets(t *testing.T) {
	root := t.TempDir()
	files := map[string]string{
		"content/project/2026/prj-a.yaml":          "id: prj-a\nkind: project\ntitle: 项目\nstatus: active\n",
		"content/document/2026/DOC-2026-001.md":    "---\nid: DOC-2026-001\nkind: document\ntitle: 文档\nproject: prj-a\ncategory: design\ndate: \"2026-10-15\"\nfiles:\n  - path: a.txt\n---\n正文\n",
		"content/document/2026/DOC-2026-001/a.txt": "a",
		"content/document/2026/DOC-2026-001/b.txt": "b",
		"content/document/2026/DOC-2026-002/z.txt": "z",
	}
	for p, s := range files {
		abs := filepath.Join(root, p)
		os.MkdirAll(filepath.Dir(abs), 0o755)
		if err := os.WriteFile(abs, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	testrepo.AddSchemas(t, root)
	rules := func(paths ...string) []string {
		res, err := Run(context.Background(), Options{Root: root, Dir: root, Paths: paths})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, v := range res.Violations {
			out = append(out, v.Path+" "+v.Rule)
		}
		return out
	}
	doc := []string{"content/document/2026/DOC-2026-001.md attachment/unreferenced", "content/document/2026/DOC-2026-001.md attachment/sha256"}
	orphan := "content/document/2026/DOC-2026-002/z.txt attachment/orphan-dir"
	if got := rules(); !slices.Equal(got, append(slices.Clone(doc), orphan)) {
		t.Errorf("everything: %q", got)
	}
	if got := rules("content/document/2026/DOC-2026-001/b.txt"); !slices.Equal(got, doc) {
		t.Errorf("an attachment: %q", got)
	}
	if got := rules("content/document/2026/DOC-2026-001"); !slices.Equal(got, doc) {
		t.Errorf("an attachment directory: %q", got)
	}
	if got := rules("content/document/2026/DOC-2026-002/z.txt"); !slices.Equal(got, []string{orphan}) {
		t.Errorf("an orphan: %q", got)
	}
	if got := rules("content/project"); len(got) != 0 || strings.Contains(strings.Join(got, ""), "DOC") {
		t.Errorf("unrelated path: %q", got)
	}
}

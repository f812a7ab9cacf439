package attachment

import (
	"strings"
	"testing"
)

func TestRewriteFiles(t *testing.T) {
	sum := strings.Repeat("ab", 32)
	files := []Ref{{Path: "设计说明书-v1.1.docx", SHA256: sum, Size: 1234}, {Path: "图纸/true", Size: -1}, {Path: "a: b #c.pdf", SHA256: sum, Size: 0}}
	cases := map[string]struct{ rel, in, want string }{
		"replace block, keep the comment of the next key": {
			"content/document/2026/DOC-2026-001.md",
			"---\nid: DOC-2026-001\nfiles:\n  # old comment\n  - path: old.pdf\n    sha256: 00\n\n# 访问级别\nconfidentiality: internal\n---\n正文\n",
			"---\nid: DOC-2026-001\nfiles:\n  - path: 设计说明书-v1.1.docx\n    sha256: " + sum + "\n    size: 1234\n  - path: 图纸/true\n  - path: \"a: b #c.pdf\"\n    sha256: " + sum + "\n    size: 0\n\n# 访问级别\nconfidentiality: internal\n---\n正文\n",
		},
		"flow list, last key": {
			"content/document/2026/DOC-2026-001.md",
			"---\nid: DOC-2026-001\nfiles: [{path: old.pdf}]\n---\n\n## 正文\n",
			"---\nid: DOC-2026-001\n" + FilesBlock(files) + "---\n\n## 正文\n",
		},
		"insert before confidentiality": {
			"content/document/2026/DOC-2026-001.md",
			"---\nid: DOC-2026-001\nfile: a/b.pdf\nconfidentiality: internal\ntags: [a]\n---\nbody",
			"---\nid: DOC-2026-001\nfile: a/b.pdf\n" + FilesBlock(files) + "confidentiality: internal\ntags: [a]\n---\nbody",
		},
		"insert at the end of a YAML record without a final newline": {
			"content/x/2026/X-2026-001.yaml",
			"id: X-2026-001\ntitle: t",
			"id: X-2026-001\ntitle: t\n" + FilesBlock(files),
		},
	}
	for name, c := range cases {
		got, err := RewriteFiles([]byte(c.in), c.rel, files)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if string(got) != c.want {
			t.Errorf("%s:\n--- got\n%s\n--- want\n%s", name, got, c.want)
		}
	}
	if _, err := RewriteFiles([]byte("---\nid: [\n---\n"), "content/document/2026/DOC-2026-001.md", files); err == nil {
		t.Error("broken YAML rewritten")
	}
}

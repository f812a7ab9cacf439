package attachment

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestHash(t *testing.T) {
	root := t.TempDir()
	rel := "content/document/2026/DOC-2026-001.md"
	dir := filepath.Join(root, "content/document/2026/DOC-2026-001")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string]string{"设计.docx": "design", "新增.pdf": "added", "大.bin": strings.Repeat("x", 100)} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sum := func(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]) }
	src := "---\nid: DOC-2026-001\nkind: document\ntitle: 设计\nfiles:\n  - path: 设计.docx\n  - path: 缺失.docx\ntags: [设计]\n---\n\n正文\n"

	h, err := Hash(root, rel, "DOC-2026-001", []byte(src), 50, []string{"设计.docx", "新增.pdf", "大.bin", ""})
	if err != nil {
		t.Fatal(err)
	}
	if h.ID != "DOC-2026-001" || h.Updated != 1 || h.Added != 1 || h.Listed != 3 {
		t.Errorf("Hash = %+v", h)
	}
	want := fmt.Sprintf("---\nid: DOC-2026-001\nkind: document\ntitle: 设计\nfiles:\n  - path: 设计.docx\n    sha256: %s\n    size: 6\n  - path: 缺失.docx\n  - path: 新增.pdf\n    sha256: %s\n    size: 5\ntags: [设计]\n---\n\n正文\n", sum("design"), sum("added"))
	if string(h.Content) != want {
		t.Errorf("content:\n%s\nwant:\n%s", h.Content, want)
	}
	var got []string
	for _, p := range h.Problems {
		got = append(got, p.String())
	}
	if len(got) != 2 || !strings.HasPrefix(got[0], rel+":7:11: 附件 content/document/2026/DOC-2026-001/缺失.docx 不存在") ||
		!strings.HasPrefix(got[1], "content/document/2026/DOC-2026-001/大.bin: 未登记：") || !strings.Contains(got[1], "超过上限") {
		t.Errorf("problems:\n%s", strings.Join(got, "\n"))
	}

	// Up to date: nothing to write.
	h, err = Hash(root, rel, "DOC-2026-001", h.Content, 50, nil)
	if err != nil || h.Content != nil || h.Updated != 0 || len(h.Problems) != 1 {
		t.Errorf("second Hash = %+v, %v", h, err)
	}

	// A record that cannot be read, or a files entry without a path, is an error.
	for _, bad := range []string{"---\nid: [\n---\n", "---\nid: DOC-2026-001\nfiles:\n  - sha256: x\n---\n"} {
		if h, err := Hash(root, rel, "DOC-2026-001", []byte(bad), 0, nil); err == nil || h != nil {
			t.Errorf("Hash(%q) = %v, %v; want an error", bad, h, err)
		}
	}
}

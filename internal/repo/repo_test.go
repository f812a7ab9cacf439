package repo

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

func TestScanListsAttachmentsApart(t *testing.T) {
	root := t.TempDir()
	for _, p := range []string{
		"content/document/2026/DOC-2026-001.md",
		"content/document/2026/DOC-2026-001/设计说明书.docx",
		"content/document/2026/DOC-2026-001/图纸/拓扑图.png",
		"content/document/2026/DOC-2026-001/.DS_Store",
		"content/document/2026/DOC-2026-002/孤立.pdf",
		"content/ticket/2026/TKT-2026-001.yaml",
		"content/ticket/2026/old/TKT-2026-001.yaml",
	} {
		abs := filepath.Join(root, p)
		os.MkdirAll(filepath.Dir(abs), 0o755)
		if err := os.WriteFile(abs, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// A symlink named like a record's attachment directory.
	if err := os.Symlink("/etc", filepath.Join(root, "content/document/2026/DOC-2026-003")); err != nil {
		t.Fatal(err)
	}
	ix, err := Scan(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(ix.Entries) != 2 || len(ix.Lookup("TKT-2026-001")) != 1 || len(ix.Lookup("DOC-2026-003")) != 0 {
		t.Fatalf("entries %+v", ix.Entries)
	}
	var got []string
	for _, a := range ix.Attachments {
		got = append(got, a.Dir+" | "+a.Name)
	}
	want := []string{
		"content/document/2026/DOC-2026-001 | 图纸/拓扑图.png",
		"content/document/2026/DOC-2026-001 | 设计说明书.docx",
		"content/document/2026/DOC-2026-002 | 孤立.pdf",
		"content/document/2026/DOC-2026-003 | ",
		"content/ticket/2026/old | TKT-2026-001.yaml",
	}
	if len(got) != len(want) {
		t.Fatalf("attachments %q", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("attachment %d: %q, want %q", i, got[i], want[i])
		}
	}
	in := ix.AttachmentsIn(AttachmentDir("content/document/2026/DOC-2026-001.md"))
	if len(in) != 2 || in[0].Owner != "DOC-2026-001" || in[0].Kind != "document" || in[0].Year != "2026" || in[0].Mode != 0 {
		t.Errorf("AttachmentsIn %+v", in)
	}
	if l := ix.AttachmentsIn("content/document/2026/DOC-2026-003"); len(l) != 1 || l[0].Mode&fs.ModeSymlink == 0 {
		t.Errorf("symlink %+v", l)
	}
	if len(ix.AttachmentsIn("content/document/2026/DOC-2026-009")) != 0 {
		t.Error("attachments of a record without a directory")
	}
}

package layout

import (
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
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

// TestScanKeepsFileTypes: the walk follows no link and records each entry's
// type, so symlinks and FIFOs can be refused without being opened; a
// symlinked runbooks/ is listed as an entry of its own, not followed.
func TestScanKeepsFileTypes(t *testing.T) {
	root := t.TempDir()
	outside := t.TempDir()
	os.WriteFile(filepath.Join(outside, "x.yaml"), []byte("id: x\n"), 0o644)
	dir := filepath.Join(root, "content/ticket/2026")
	os.MkdirAll(dir, 0o755)
	os.WriteFile(filepath.Join(dir, "TKT-2026-001.yaml"), []byte("id: TKT-2026-001\n"), 0o644)
	for _, err := range []error{
		os.Symlink(filepath.Join(outside, "x.yaml"), filepath.Join(dir, "TKT-2026-002.yaml")),
		syscall.Mkfifo(filepath.Join(dir, "TKT-2026-003.yaml"), 0o644),
		os.Symlink(outside, filepath.Join(root, "content/ticket/2027")),
		os.Symlink(outside, filepath.Join(root, "runbooks")),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	ix, err := Scan(root)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]fs.FileMode{}
	for _, e := range ix.Entries {
		got[e.Path] = e.Mode
	}
	want := map[string]fs.FileMode{
		"content/ticket/2026/TKT-2026-001.yaml": 0,
		"content/ticket/2026/TKT-2026-002.yaml": fs.ModeSymlink,
		"content/ticket/2026/TKT-2026-003.yaml": fs.ModeNamedPipe,
		"content/ticket/2027":                   fs.ModeSymlink,
		"runbooks":                              fs.ModeSymlink,
	}
	if len(got) != len(want) {
		t.Errorf("entries %v, want %v", got, want)
	}
	for p, m := range want {
		if g, ok := got[p]; !ok || g != m {
			t.Errorf("%s: mode %v (listed %v), want %v", p, g, ok, m)
		}
	}
	if rbs := ix.Runbooks(); len(rbs) != 0 {
		t.Errorf("runbooks listed through a symlink: %v", rbs)
	}
}

package attachment

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

const docRecord = "content/document/2026/DOC-2026-001.md"

// docRepo makes a repository with one document, its attachment directory and
// a secret file outside the repository; it returns the repository root and
// the secret's path.
func docRepo(t *testing.T) (string, string) {
	t.Helper()
	base := t.TempDir()
	root := filepath.Join(base, "repo")
	secret := filepath.Join(base, "outside", "secret.txt")
	write := func(p, s string) {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(secret, "outside secret")
	write(filepath.Join(root, "opsbook.yaml"), "platform: 测试\n")
	write(filepath.Join(root, docRecord), "---\nid: DOC-2026-001\n---\n")
	dir := filepath.Join(root, "content/document/2026/DOC-2026-001")
	write(filepath.Join(dir, "设计说明书.docx"), "docx bytes")
	write(filepath.Join(dir, "图纸/拓扑图.png"), "png bytes")
	write(filepath.Join(root, "content/document/2026/DOC-2026-002/other.pdf"), "other record's file")
	must(t, os.Symlink(secret, filepath.Join(dir, "out.txt")))
	must(t, os.Symlink("../../../../opsbook.yaml", filepath.Join(dir, "in.txt")))
	must(t, os.Symlink("设计说明书.docx", filepath.Join(dir, "alias.docx")))
	must(t, os.Symlink("../DOC-2026-002", filepath.Join(dir, "linkdir")))
	must(t, os.Symlink(filepath.Dir(secret), filepath.Join(dir, "outdir")))
	must(t, syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o644))
	must(t, os.Mkdir(filepath.Join(dir, "空目录"), 0o755))
	return root, secret
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestInspectRegularFiles(t *testing.T) {
	root, _ := docRepo(t)
	info, err := Inspect(root, docRecord, "设计说明书.docx", 0, true)
	sum := sha256.Sum256([]byte("docx bytes"))
	if err != nil || info.Size != 10 || info.SHA256 != hex.EncodeToString(sum[:]) || info.Path != "content/document/2026/DOC-2026-001/设计说明书.docx" {
		t.Fatalf("%+v %v", info, err)
	}
	if info, err := Inspect(root, docRecord, "图纸/拓扑图.png", 0, false); err != nil || info.Size != 9 || info.SHA256 != "" {
		t.Errorf("subdirectory: %+v %v", info, err)
	}
	_, err = Inspect(root, docRecord, "设计说明书.docx", 5, true)
	if e := asError(err); e == nil || e.Rule != RuleTooLarge || !strings.Contains(e.Message, "max_attachment_size") {
		t.Errorf("size cap: %v", err)
	}
	_, err = Inspect(root, docRecord, "nope.pdf", 0, true)
	if e := asError(err); e == nil || e.Rule != RuleMissing {
		t.Errorf("missing: %v", err)
	}
	_, err = Inspect(root, "content/document/2026/DOC-2026-009.md", "a.pdf", 0, true)
	if e := asError(err); e == nil || e.Rule != RuleMissing || !strings.Contains(e.Message, "附件目录") {
		t.Errorf("no directory: %v", err)
	}
}

func asError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// The eight kinds of path traversal attempts in an attachment reference; all
// are refused, and the file outside the repository is never read.
func TestPathTraversalAttemptsAreRefused(t *testing.T) {
	root, secret := docRepo(t)
	dir := filepath.Join(root, "content/document/2026/DOC-2026-001")
	dev := ""
	if err := syscall.Mknod(filepath.Join(dir, "null"), syscall.S_IFCHR|0o666, 1<<8|3); err == nil {
		dev = "null"
	} else {
		t.Logf("mknod not permitted here (%v): the device case uses a FIFO only", err)
	}
	// Reads leave a trace in the access time: make both files' atime old so
	// any read updates it, and check that the filesystem records reads.
	old := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	control := filepath.Join(filepath.Dir(secret), "control.txt")
	must(t, os.WriteFile(control, []byte("control"), 0o644))
	for _, p := range []string{secret, control} {
		must(t, os.Chtimes(p, old, old.Add(time.Hour)))
	}

	cases := []struct{ kind, ref, rule string }{
		{"../", "../DOC-2026-002/other.pdf", RulePath},
		{"../ deep", "../../../../../outside/secret.txt", RulePath},
		{`..\`, `..\..\..\..\opsbook.yaml`, RulePath},
		{"absolute", secret, RulePath},
		{"absolute drive", `C:/Windows/win.ini`, RulePath},
		{"URL-encoded", "%2e%2e/%2e%2e/%2e%2e/%2e%2e/opsbook.yaml", RulePath},
		{"URL-encoded slash", "..%2F..%2Foutside%2Fsecret.txt", RulePath},
		{"symlink out", "out.txt", RuleNotFile},
		{"symlinked dir out", "outdir/secret.txt", RuleNotFile},
		{"symlink in", "in.txt", RuleNotFile},
		{"symlink in to a sibling", "alias.docx", RuleNotFile},
		{"symlinked dir in", "linkdir/other.pdf", RuleNotFile},
		{"NUL", "设计说明书.docx\x00.png", RulePath},
		{"directory", "空目录", RuleNotFile},
		{"directory with slash", "图纸/", RulePath},
		{"FIFO", "fifo", RuleNotFile},
		{"dot segment", "./设计说明书.docx", RulePath},
		{"URL", "file:///etc/passwd", RulePath},
	}
	if dev != "" {
		cases = append(cases, struct{ kind, ref, rule string }{"device", dev, RuleNotFile})
	}
	for _, c := range cases {
		info, err := Inspect(root, docRecord, c.ref, 0, true)
		e := asError(err)
		if e == nil || e.Rule != c.rule {
			t.Errorf("%s (%q): got %+v, %v; want rule %s", c.kind, c.ref, info, err, c.rule)
			continue
		}
		if info.SHA256 != "" || info.Size != 0 {
			t.Errorf("%s: something was read: %+v", c.kind, info)
		}
		if strings.Contains(e.Message, "outside secret") {
			t.Errorf("%s: message leaks content: %s", c.kind, e.Message)
		}
		if f, err := Open(root, docRecord, c.ref); err == nil {
			f.Close()
			t.Errorf("%s: Open succeeded", c.kind)
		}
	}
	// The control file is read once to show reads are recorded here.
	if data, err := os.ReadFile(control); err != nil || string(data) != "control" {
		t.Fatal(err)
	}
	atime := func(p string) time.Time {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		s := st.Sys().(*syscall.Stat_t)
		return time.Unix(s.Atim.Sec, s.Atim.Nsec)
	}
	if !atime(control).After(old) {
		t.Log("this filesystem does not record access times (noatime): the no-read check relies on the refusals above")
		return
	}
	if got := atime(secret); got.After(old) {
		t.Errorf("the file outside the repository was read (atime %v)", got)
	}
}

func TestCheckPath(t *testing.T) {
	for _, ok := range []string{"a.pdf", "图纸/拓扑图 v2.png", "运维服务合同（签章版）.pdf", "100%.txt", "a..b.pdf"} {
		if e := CheckPath(ok); e != nil {
			t.Errorf("%q refused: %v", ok, e)
		}
	}
	for _, bad := range []string{"", "a//b", "a/", ".hidden", "a/./b", "a/../b", " lead.pdf", "tab\tname", "a%2fb", "\xff.pdf", "D:a.pdf"} {
		if e := CheckPath(bad); e == nil || e.Rule != RulePath {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestRefs(t *testing.T) {
	refs := Refs(map[string]any{"files": []any{
		map[string]any{"path": "a.pdf", "sha256": "ab", "size": "12"},
		map[string]any{"sha256": "no path"},
		map[string]any{"path": "b.pdf"},
	}})
	if len(refs) != 2 || refs[0].Size != 12 || refs[0].SHA256 != "ab" || refs[1].Index != 2 || refs[1].Size != -1 {
		t.Errorf("%+v", refs)
	}
}

func TestFormatSize(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 1023: "1023 B", 1024: "1 KB", 1536: "1.5 KB", 50 << 20: "50 MB", 3 << 30: "3 GB"} {
		if got := FormatSize(n); got != want {
			t.Errorf("%d: %s, want %s", n, got, want)
		}
	}
}

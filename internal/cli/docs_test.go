package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/opsbook/opsbook/internal/testrepo"
)

// brokenAttachments adds to the broken fixture what git and testrepo.CopyTree cannot
// carry: symlinks out of and inside the repository, a FIFO and a sparse
// file over the attachment size cap.
func brokenAttachments(t *testing.T, dir string) {
	t.Helper()
	att := filepath.Join(dir, "content/document/2026/DOC-2026-105")
	secret := filepath.Join(t.TempDir(), "secret.txt")
	if err := os.WriteFile(secret, []byte("outside the repository"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, err := range []error{
		os.Symlink(secret, filepath.Join(att, "链接到外部.txt")),
		os.Symlink("正常.txt", filepath.Join(att, "链接到内部.txt")),
		syscall.Mkfifo(filepath.Join(att, "管道"), 0o644),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.Create(filepath.Join(att, "大文件.iso"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Truncate(60 << 20); err != nil { // over the 50 MB default
		t.Fatal(err)
	}
}

func TestDocsHash(t *testing.T) {
	dir := testrepo.Fixed(t)
	rec := filepath.Join(dir, "content/document/2026/DOC-2026-002.md")
	att := filepath.Join(dir, "content/document/2026/DOC-2026-002")
	// Up to date: nothing is rewritten.
	before, _ := os.ReadFile(rec)
	out, stderr, code := run(t, dir, "docs", "hash", "DOC-2026-002", "--repo", dir)
	if code != ExitOK || !strings.Contains(out, "已是最新") {
		t.Fatalf("exit %d\n%s%s", code, out, stderr)
	}
	// A replaced attachment and a new file: validate complains, docs hash
	// (with --add) fixes the record, validate is clean again.
	if err := os.WriteFile(filepath.Join(att, "运维服务实施方案-v1.2.docx"), []byte("replaced"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(att, "附录 A（人员名单）.xlsx"), []byte("new file"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, _, code = run(t, dir, "validate", "--repo", dir)
	if code != ExitFound || !strings.Contains(out, "[attachment/sha256]") || !strings.Contains(out, "[attachment/size]") || !strings.Contains(out, "[attachment/unreferenced]") {
		t.Fatalf("validate after the change (exit %d):\n%s", code, out)
	}
	out, stderr, code = run(t, dir, "docs", "hash", "DOC-2026-002", "--add", "--repo", dir)
	if code != ExitOK || !strings.Contains(out, "更新 1 个、新增 1 个") {
		t.Fatalf("hash --add: exit %d\n%s%s", code, out, stderr)
	}
	after, _ := os.ReadFile(rec)
	if !strings.Contains(string(after), "  - path: 附录 A（人员名单）.xlsx\n    sha256: ") || !strings.Contains(string(after), "size: 8\n") {
		t.Errorf("record after hash:\n%s", after)
	}
	// Only the files block changed.
	strip := func(s string) string { return s[strings.Index(s, "confidentiality:"):] }
	if strip(string(after)) != strip(string(before)) {
		t.Errorf("text outside files changed:\n%s", after)
	}
	if out, _, code := run(t, dir, "validate", "--repo", dir); code != ExitOK {
		t.Errorf("validate after docs hash (exit %d):\n%s", code, out)
	}
	// A listed file that is gone: reported, exit 1, the rest still recorded.
	os.Remove(filepath.Join(att, "附录 A（人员名单）.xlsx"))
	if _, stderr, code := run(t, dir, "docs", "hash", "DOC-2026-002", "--repo", dir); code != ExitFound || !strings.Contains(stderr, "不存在") || !strings.Contains(stderr, "DOC-2026-002.md:") {
		t.Errorf("missing file: exit %d, %s", code, stderr)
	}
	if _, stderr, code := run(t, dir, "docs", "hash", "DOC-2026-999", "--repo", dir); code != ExitError || !strings.Contains(stderr, "DOC-2026-999") {
		t.Errorf("unknown id: exit %d, %s", code, stderr)
	}
	if _, _, code := run(t, dir, "docs", "hash", "--repo", dir); code != ExitError {
		t.Errorf("no id: exit %d", code)
	}
	if _, _, code := run(t, dir, "docs", "nope"); code != ExitError {
		t.Errorf("unknown subcommand: exit %d", code)
	}
}

func TestDocsInventory(t *testing.T) {
	dir := testrepo.Fixed(t)
	git(t, dir, nil, "init", "-q", "-b", "main")
	git(t, dir, as("张伟", "2024-03-01T10:00:00+08:00"), "add", ".")
	git(t, dir, as("张伟", "2024-03-01T10:00:00+08:00"), "commit", "-q", "-m", "import")
	// DOC-2026-003's manual is revised by 李娜 later.
	manual := filepath.Join(dir, "content/document/2026/DOC-2026-003/平台部署架构图.png")
	data, _ := os.ReadFile(manual)
	os.WriteFile(manual, append(data, 0), 0o644)
	git(t, dir, as("李娜", "2026-11-25T16:30:00+08:00"), "commit", "-q", "-am", "架构图更新")

	out, stderr, code := run(t, dir, "docs", "inventory", "--repo", dir, "--at", "2026-11-27")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{
		"# 项目文件清单", "文档 8 份，附件 13 个",
		"| 编号 | 文档名称 | 类别 | 版本 | 编写人 | 访问级别 | 合同编号 | 供应商 | 合同阶段 | 交付物编号 | 验收日期 |",
		"| 阶段 | 密级 | 系统模块 | 评审日期 | 预估工作量（人天） |",
		"**受控项目**：仅授权用户组可见",
		"运维服务合同-签章版.pdf（2 KB，",
		"2026-11-25 16:30 李娜", // the attachment's change counts for its document
		"⚠ SHA-256 与登记的不一致",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("markdown lacks %q:\n%s", want, out)
		}
	}
	// Months on, documents nobody reviewed, dated or changed within a year are stale.
	out, stderr, _ = run(t, dir, "docs", "inventory", "--repo", dir, "--at", "2027-06-01", "--format", "json")
	var inv struct {
		Version  string
		Projects []struct {
			ID         string
			Restricted bool
			Attributes []struct{ Name, Title string }
			Documents  []struct {
				ID, Confidentiality string
				ChangedBy           string `json:"changed_by"`
				Stale               bool
				Attributes          map[string]any
				Files               []struct {
					Name, SHA256 string
					Size         int64
				}
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &inv); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if inv.Version != "opsbook.inventory/v1" || len(inv.Projects) != 2 || !inv.Projects[1].Restricted || inv.Projects[0].Restricted {
		t.Fatalf("%+v", inv)
	}
	stale := map[string]bool{}
	for _, p := range inv.Projects {
		for _, d := range p.Documents {
			stale[d.ID] = d.Stale
		}
	}
	if len(stale) != 8 || !stale["DOC-2026-001"] || !stale["DOC-2026-002"] || stale["DOC-2026-003"] || stale["DOC-2026-004"] {
		t.Errorf("stale at 2027-06-01: %v (001 dated 2026-02-26, 002 2026-03-10, git 2024; 003 changed 2026-11-25)", stale)
	}
	if !strings.Contains(stderr, "待复核 2 份") {
		t.Errorf("summary: %s", stderr)
	}
	// CSV of one project to a file: one row per attachment, BOM, Chinese headers.
	outFile := filepath.Join(t.TempDir(), "清单.csv")
	if _, stderr, code := run(t, dir, "docs", "inventory", "--repo", dir, "--format", "csv", "--project", "prj-upgrade-2026", "--output", outFile); code != ExitOK {
		t.Fatalf("csv: exit %d %s", code, stderr)
	}
	csvData, _ := os.ReadFile(outFile)
	lines := strings.Split(strings.TrimSpace(string(csvData)), "\n")
	if !strings.HasPrefix(lines[0], "\ufeff项目编号,项目名称,受控项目,文档编号") || !strings.Contains(lines[0], ",阶段,密级,系统模块,评审日期,") || len(lines) != 1+7 {
		t.Errorf("csv:\n%s", csvData)
	}
	if entries, _ := os.ReadDir(filepath.Dir(outFile)); len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}
	for _, bad := range [][]string{{"--format", "xml"}, {"--project", "prj-nope"}, {"--at", "明天"}, {"extra"}} {
		if _, stderr, code := run(t, dir, append([]string{"docs", "inventory", "--repo", dir}, bad...)...); code != ExitError {
			t.Errorf("%v: exit %d %s", bad, code, stderr)
		}
	}
	// Without git history the inventory still runs, and says so.
	plain := testrepo.Fixed(t)
	out, _, code = run(t, plain, "docs", "inventory", "--repo", plain)
	if code != ExitOK || !strings.Contains(out, "没有 git 历史") {
		t.Errorf("without git: exit %d\n%s", code, out)
	}
}

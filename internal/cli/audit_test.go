package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opsbook/opsbook/internal/testrepo"
)

// approvalRepo makes a git repository with the real schemas and the
// sample's config (testdata/approval) whose change CHG-2026-001 was written
// by 李娜 and merged by 刘洋.
func approvalRepo(t *testing.T) string {
	t.Helper()
	dir := testrepo.FromDir(t, filepath.Join("testdata", "approval"))
	git(t, dir, nil, "init", "-q", "-b", "main")
	git(t, dir, nil, "add", ".")
	git(t, dir, as("张伟", "2026-10-01T09:00:00+08:00"), "commit", "-qm", "初始化")
	git(t, dir, nil, "checkout", "-qb", "change/001")
	writeTestFile(t, dir, "content/change/2026/CHG-2026-001.md", changeMD("CHG-2026-001", "李娜"))
	git(t, dir, nil, "add", ".")
	git(t, dir, as("李娜", "2026-10-02T10:00:00+08:00"), "commit", "-qm", "变更方案 CHG-2026-001")
	git(t, dir, nil, "checkout", "-q", "main")
	git(t, dir, as("刘洋", "2026-10-03T11:00:00+08:00"), "merge", "--no-ff", "-qm", "Merge pull request '交换库扩容' (#1) from change/001 into main", "change/001")
	return dir
}

func writeTestFile(t *testing.T, dir, rel, content string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func changeMD(id, author string) string {
	return "---\nid: " + id + "\nkind: change\ntitle: 交换库扩容\ntype: config\nstatus: approved\nrequester: " + author +
		"\nimplementer: " + author + "\nreviewers: [刘洋]\nassets: [exchange-db]\nwindow:\n  start: 2026-10-10 20:00\n  end: 2026-10-10 22:00\nrisk: low\n---\n\n## 实施方案\n\n1. 扩容。\n"
}

func TestAuditApprovalsCommand(t *testing.T) {
	dir := approvalRepo(t)
	// Approved by another person: passes even in strict mode.
	out, stderr, code := run(t, dir, "audit", "approvals", "--strict")
	if code != ExitOK || !strings.Contains(out, "✓ 他人合并批准") || !strings.Contains(out, "Gitea 合并请求 #1") || !strings.Contains(out, "1 项由他人合并批准，0 项有违规") {
		t.Fatalf("approved change: exit %d\n%s%s", code, out, stderr)
	}
	out, _, code = run(t, dir, "change", "status", "--now", "2026-10-10 21:00")
	if code != ExitOK || !strings.Contains(out, "已批准") || !strings.Contains(out, "刘洋") || !strings.Contains(out, "窗口内") {
		t.Fatalf("change status: exit %d\n%s", code, out)
	}

	// 王强 merges his own change: a violation.
	git(t, dir, nil, "checkout", "-qb", "change/002")
	writeTestFile(t, dir, "content/change/2026/CHG-2026-002.md", changeMD("CHG-2026-002", "王强"))
	git(t, dir, nil, "add", ".")
	git(t, dir, as("王强", "2026-10-04T10:00:00+08:00"), "commit", "-qm", "变更方案 CHG-2026-002")
	git(t, dir, nil, "checkout", "-q", "main")
	git(t, dir, as("王强", "2026-10-04T11:00:00+08:00"), "merge", "--no-ff", "--no-edit", "change/002")
	// 李娜 pushes a direct edit of the approved change.
	writeTestFile(t, dir, "content/change/2026/CHG-2026-001.md", strings.Replace(changeMD("CHG-2026-001", "李娜"), "22:00", "23:00", 1))
	git(t, dir, nil, "add", ".")
	git(t, dir, as("李娜", "2026-10-05T10:00:00+08:00"), "commit", "-qm", "延长窗口")

	out, stderr, code = run(t, dir, "audit", "approvals")
	if code != ExitOK || !strings.Contains(out, "自行审批") || !strings.Contains(out, "批准后被修改") || !strings.Contains(out, "未启用严格模式") {
		t.Errorf("warnings only: exit %d\n%s%s", code, out, stderr)
	}
	out, _, code = run(t, dir, "audit", "approvals", "--strict", "--format", "github")
	if code != ExitFound || strings.Count(out, "::error file=content/change/2026/") != 2 || !strings.Contains(out, "title=approval/self-approval") || !strings.Contains(out, "title=approval/edited-after-approval") {
		t.Errorf("--strict --format github: exit %d\n%s", code, out)
	}
	out, _, code = run(t, dir, "audit", "approvals", "--format", "github")
	if code != ExitOK || strings.Contains(out, "::error") || strings.Count(out, "::warning ") != 2 {
		t.Errorf("--format github without --strict: exit %d\n%s", code, out)
	}
	out, _, code = run(t, dir, "audit", "approvals", "--format", "json", "--strict")
	var doc struct {
		Version    string `json:"version"`
		Strict     bool   `json:"strict"`
		Violations int    `json:"violations"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || code != ExitFound || doc.Version != "opsbook.approvals/v1" || !doc.Strict || doc.Violations != 2 {
		t.Errorf("--format json: exit %d %v %+v\n%s", code, err, doc, out)
	}
	// --since after both changes reached main: nothing to audit.
	if out, _, code = run(t, dir, "audit", "approvals", "--strict", "--since", "2026-10-06"); code != ExitOK || !strings.Contains(out, "0 项变更") {
		t.Errorf("--since: exit %d\n%s", code, out)
	}
	// approvals.strict in opsbook.yaml acts as --strict.
	cfg, _ := os.ReadFile(filepath.Join(dir, "opsbook.yaml"))
	writeTestFile(t, dir, "opsbook.yaml", string(cfg)+"approvals:\n  strict: true\n")
	if out, _, code = run(t, dir, "audit", "approvals"); code != ExitFound || !strings.Contains(out, "严格模式：审计失败") {
		t.Errorf("approvals.strict: exit %d\n%s", code, out)
	}

	out, _, code = run(t, dir, "change", "status", "CHG-2026-002", "--format", "json")
	var st struct {
		Changes []struct {
			ID    string `json:"id"`
			State string `json:"state"`
		} `json:"changes"`
	}
	if err := json.Unmarshal([]byte(out), &st); err != nil || code != ExitOK || len(st.Changes) != 1 || st.Changes[0].State != "unapproved" {
		t.Errorf("change status CHG-2026-002 --format json: exit %d %v\n%s", code, err, out)
	}

	// Could not run: exit 2.
	for _, args := range [][]string{
		{"audit", "approvals", "--format", "xml"},
		{"audit", "approvals", "--since", "10/06"},
		{"audit", "approvals", "--branch", "trunk"},
		{"audit", "approvals", "extra"},
		{"audit", "nothing"},
		{"audit"},
		{"change", "status", "CHG-2026-999"},
		{"change", "status", "--format", "github"},
		{"change", "status", "--now", "明天"},
	} {
		if _, stderr, code := run(t, dir, args...); code != ExitError || stderr == "" {
			t.Errorf("%v: exit %d, stderr %q", args, code, stderr)
		}
	}
	if _, stderr, code := run(t, t.TempDir(), "audit", "approvals", "--repo", t.TempDir()); code != ExitError || stderr == "" {
		t.Errorf("not a repository: exit %d %s", code, stderr)
	}
}

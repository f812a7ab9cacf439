package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// change run only runs from the configured main branch: --branch naming
// any other (here a local copy of main holding the same approved merge) is
// refused with exit 2, and nothing runs or is recorded.
func TestChangeRunOtherBranchRefused(t *testing.T) {
	clone, _, logFile := changeRunRepo(t)
	git(t, clone, nil, "branch", "other", "main")
	heads := func() string {
		cmd := exec.Command("git", "rev-parse", "main", "other")
		cmd.Dir = clone
		out, err := cmd.Output()
		if err != nil {
			t.Fatal(err)
		}
		return string(out)
	}
	before := heads()
	atTime(t, "2026-02-17 10:30")
	out, stderr, code := run(t, clone, "change", "run", "CHG-2026-201", "--branch", "other", "--yes", "--offline", "--operator", "王强")
	if code != ExitError || !strings.Contains(stderr, "只能从主分支 main 执行变更，不能指定分支 other") || !strings.Contains(stderr, "main_branch") {
		t.Errorf("--branch other: exit %d\n%s%s", code, out, stderr)
	}
	if b, err := os.ReadFile(logFile); err == nil {
		t.Errorf("steps ran: %q", b)
	}
	if m, _ := filepath.Glob(filepath.Join(clone, "content/execution/*/*.yaml")); len(m) > 0 {
		t.Errorf("execution records written: %v", m)
	}
	if after := heads(); after != before {
		t.Errorf("branches moved:\n%s→\n%s", before, after)
	}
	// Naming the main branch itself is accepted (scripts written for the
	// old default keep working).
	out, stderr, code = run(t, clone, "change", "run", "CHG-2026-201", "--branch", "main", "--dry-run", "--offline")
	if code != ExitOK {
		t.Errorf("--branch main: exit %d\n%s%s", code, out, stderr)
	}
}

// change status and audit approvals read the main branch opsbook.yaml
// names when --branch is not given.
func TestApprovalsOnConfiguredMainBranch(t *testing.T) {
	dir := approvalRepo(t)
	git(t, dir, nil, "branch", "-m", "main", "master")
	data, err := os.ReadFile(filepath.Join(dir, "opsbook.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	writeTestFile(t, dir, "opsbook.yaml", string(data)+"main_branch: master\n")
	out, stderr, code := run(t, dir, "audit", "approvals", "--strict")
	if code != ExitOK || !strings.Contains(out, "✓ 他人合并批准") || !strings.Contains(out, "master") {
		t.Errorf("audit approvals: exit %d\n%s%s", code, out, stderr)
	}
	out, stderr, code = run(t, dir, "change", "status", "--now", "2026-10-10 21:00")
	if code != ExitOK || !strings.Contains(out, "已批准") || !strings.Contains(out, "主分支 master") {
		t.Errorf("change status: exit %d\n%s%s", code, out, stderr)
	}
}

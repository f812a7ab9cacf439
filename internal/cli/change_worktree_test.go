package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// change run with another branch checked out commits the execution record
// to main and leaves the work tree exactly as it found it, so checking out
// main afterwards works and shows the record.
func TestChangeRunLeavesOtherBranchCheckedOut(t *testing.T) {
	clone, remote, _ := changeRunRepo(t)
	gitOut := func(dir string, args ...string) (string, error) {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	must := func(dir string, args ...string) string {
		t.Helper()
		out, err := gitOut(dir, args...)
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return out
	}
	git(t, clone, nil, "checkout", "-q", "-b", "notes", "main")
	writeTestFile(t, clone, "notes.md", "# 值班笔记\n")
	git(t, clone, as("王强", "2026-02-16T09:00:00+08:00"), "add", "notes.md")
	git(t, clone, as("王强", "2026-02-16T09:00:00+08:00"), "commit", "-qm", "笔记")
	before := must(clone, "status", "--porcelain", "--untracked-files=all")
	head := must(clone, "rev-parse", "HEAD")

	atTime(t, "2026-02-17 10:30")
	out, stderr, code := run(t, clone, "change", "run", "CHG-2026-201", "--yes", "--operator", "王强")
	if code != ExitOK || !strings.Contains(out, "已提交并推送") {
		t.Fatalf("run: exit %d\n%s%s", code, out, stderr)
	}
	if after := must(clone, "status", "--porcelain", "--untracked-files=all"); after != before || after != "" {
		t.Errorf("git status after the run:\n%s\nbefore:\n%s", after, before)
	}
	if got := must(clone, "rev-parse", "HEAD"); got != head {
		t.Errorf("the checked-out branch moved: %s → %s", head, got)
	}
	if m, _ := filepath.Glob(filepath.Join(clone, "content/execution/*/*.yaml")); len(m) > 0 {
		t.Errorf("records in the work tree of notes: %v", m)
	}
	for _, dir := range []string{clone, remote} {
		if log := must(dir, "log", "-1", "--format=%an|%s", "main"); !strings.Contains(log, "王强|变更执行：CHG-2026-201") {
			t.Errorf("main in %s: %s", dir, log)
		}
	}
	if out, err := gitOut(clone, "checkout", "-q", "main"); err != nil {
		t.Fatalf("git checkout main: %v\n%s", err, out)
	}
	m, _ := filepath.Glob(filepath.Join(clone, "content/execution/2026/EXE-2026-0217-1030*-CHG-2026-201.yaml"))
	if len(m) != 1 {
		t.Fatalf("main's work tree: records %v", m)
	}
	if data, err := os.ReadFile(m[0]); err != nil || !strings.Contains(string(data), "outcome: success") {
		t.Errorf("record %s: %v\n%s", m[0], err, data)
	}
	if st := must(clone, "status", "--porcelain", "--untracked-files=all"); st != "" {
		t.Errorf("git status on main:\n%s", st)
	}
}

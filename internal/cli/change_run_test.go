package cli

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/opsbook/opsbook/internal/check/sshtest"
	"github.com/opsbook/opsbook/internal/testrepo"
)

// changeRunRepo is a clone of a bare remote holding two changes approved
// by a merge of 刘洋 (authored by 张伟) for the Spring Festival holiday
// 2026-02-17 10:00–11:00: CHG-2026-201 succeeds, CHG-2026-202 fails its
// second step and rolls back. Steps log to the returned file.
func changeRunRepo(t *testing.T) (clone, remote, logFile string) {
	s := sshtest.Start(t)
	base := t.TempDir()
	logFile = filepath.Join(base, "steps.log")
	remote, clone = filepath.Join(base, "remote.git"), filepath.Join(base, "ops")
	gitAs := func(who, dir string, args ...string) {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME="+who, "GIT_AUTHOR_EMAIL="+who+"@example.invalid",
			"GIT_COMMITTER_NAME="+who, "GIT_COMMITTER_EMAIL="+who+"@example.invalid",
			"GIT_AUTHOR_DATE=2026-02-10T16:00:00+08:00", "GIT_COMMITTER_DATE=2026-02-10T16:00:00+08:00")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	gitAs("管理员", base, "init", "-q", "--bare", "-b", "main", remote)
	gitAs("管理员", base, "clone", "-q", remote, clone)
	testrepo.AddSchemas(t, clone)
	write := func(rel, text string) {
		p := filepath.Join(clone, rel)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("opsbook.yaml", "platform: 测试平台\ntimezone: Asia/Shanghai\n")
	write("content/asset/2019/app-host-01.yaml", "id: app-host-01\nkind: asset\ntitle: 应用服务器 1\ntype: host\nstatus: online\n")
	gitAs("管理员", clone, "add", ".")
	gitAs("管理员", clone, "commit", "-qm", "初始化")
	step := func(name, command, extra string) string {
		return fmt.Sprintf("  - {name: %s, type: ssh, address: %q, user: %s, private_key_file: %q, known_hosts: %q, command: %q%s}\n",
			name, s.Addr, s.User, s.KeyFile, s.KnownHosts, command, extra)
	}
	logs := func(w string) string { return "echo " + w + " >> " + logFile }
	for id, steps := range map[string]string{
		"CHG-2026-201": "steps:\n" + step("one", logs("one"), "") + "rollback:\n" + step("undo-one", logs("undo-one"), ", undoes: one"),
		"CHG-2026-202": "steps:\n" + step("one", logs("one"), "") + step("two", logs("two")+"; exit 5", "") +
			"rollback:\n" + step("undo-one", logs("undo-one"), ", undoes: one"),
	} {
		gitAs("张伟", clone, "checkout", "-q", "-b", id, "main")
		write("content/change/2026/"+id+".md", "---\nid: "+id+"\nkind: change\ntitle: 测试变更\ntype: config\nstatus: approved\n"+
			"requester: 张伟\nimplementer: 张伟\nassets: [app-host-01]\nwindow:\n  start: 2026-02-17 10:00\n  end: 2026-02-17 11:00\nrisk: low\n"+
			steps+"---\n\n## 实施方案\n\n1. 执行。\n\n## 应急预案\n\n1. 停止。\n\n## 回退方案\n\n1. 回退。\n")
		gitAs("张伟", clone, "add", ".")
		gitAs("张伟", clone, "commit", "-qm", "变更 "+id)
		gitAs("刘洋", clone, "checkout", "-q", "main")
		gitAs("刘洋", clone, "merge", "-q", "--no-ff", "-m", "Merge "+id, id)
	}
	gitAs("刘洋", clone, "push", "-q", "origin", "main")
	return clone, remote, logFile
}

// atTime sets the clock change run sees.
func atTime(t *testing.T, at string) {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	base, err := time.ParseInLocation("2006-01-02 15:04", at, loc)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	old := changeRunNow
	changeRunNow = func() time.Time { return base.Add(time.Since(t0)) }
	t.Cleanup(func() { changeRunNow = old })
}

// onTerminal makes change run believe stdin is a terminal that types input.
func onTerminal(t *testing.T, input string) {
	oldIn, oldTerm := changeRunStdin, changeRunIsTerminal
	changeRunStdin, changeRunIsTerminal = strings.NewReader(input), func() bool { return true }
	t.Cleanup(func() { changeRunStdin, changeRunIsTerminal = oldIn, oldTerm })
}

func TestChangeRunCommand(t *testing.T) {
	clone, remote, logFile := changeRunRepo(t)
	logged := func() string { b, _ := os.ReadFile(logFile); return strings.Join(strings.Fields(string(b)), " ") }
	executions := func() string {
		m, _ := filepath.Glob(filepath.Join(clone, "content/execution/*/*.yaml"))
		return strings.Join(m, " ")
	}

	out, stderr, code := run(t, clone, "change", "help")
	if code != ExitOK || !strings.Contains(stderr, "run") {
		t.Errorf("change help: %d %s", code, stderr)
	}

	atTime(t, "2026-02-17 09:00")
	out, stderr, code = run(t, clone, "change", "run", "CHG-2026-201", "--yes", "--operator", "王强")
	if code != ExitError || !strings.Contains(stderr, "尚未到实施窗口") {
		t.Errorf("before the window: exit %d\n%s%s", code, out, stderr)
	}

	atTime(t, "2026-02-17 10:30")
	out, stderr, code = run(t, clone, "change", "run", "CHG-2026-201", "--dry-run")
	if code != ExitOK || !strings.Contains(out, "批准：刘洋") || !strings.Contains(out, "echo one >> "+logFile) || !strings.Contains(out, "未执行任何步骤") {
		t.Errorf("dry run: exit %d\n%s%s", code, out, stderr)
	}
	out, stderr, code = run(t, clone, "change", "run", "CHG-2026-201", "--operator", "王强")
	if code != ExitError || !strings.Contains(stderr, "--yes") {
		t.Errorf("no terminal, no --yes: exit %d\n%q%q", code, out, stderr)
	}
	onTerminal(t, "CHG-2026-200\n")
	out, stderr, code = run(t, clone, "change", "run", "CHG-2026-201", "--operator", "王强")
	if code != ExitError || !strings.Contains(stderr, "已取消") {
		t.Errorf("wrong confirmation: exit %d\n%s%s", code, out, stderr)
	}
	if logged() != "" || executions() != "" {
		t.Fatalf("something ran before confirmation: %q %q", logged(), executions())
	}

	onTerminal(t, "CHG-2026-201\n")
	out, stderr, code = run(t, clone, "change", "run", "CHG-2026-201", "--operator", "王强")
	if code != ExitOK || !strings.Contains(out, "执行结果：成功") || !strings.Contains(out, "已提交并推送") || logged() != "one" {
		t.Fatalf("confirmed run: exit %d, log %q\n%s%s", code, logged(), out, stderr)
	}

	out, stderr, code = run(t, clone, "change", "run", "CHG-2026-202", "--yes", "--operator", "王强")
	if code != ExitFound || !strings.Contains(out, "执行结果：已回退（失败步骤 two）") || logged() != "one one two undo-one" {
		t.Errorf("failing change: exit %d, log %q\n%s%s", code, logged(), out, stderr)
	}

	out, stderr, code = run(t, clone, "change", "run", "CHG-2026-201", "--yes", "--operator", "王强")
	if code != ExitError || !strings.Contains(stderr, "不能重复执行") {
		t.Errorf("second run: exit %d\n%s%s", code, out, stderr)
	}

	cmd := exec.Command("git", "log", "--format=%an|%s", "main")
	cmd.Dir = remote
	log, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(log), "王强|变更执行：CHG-2026-201 测试变更，成功") || !strings.Contains(string(log), "王强|变更执行：CHG-2026-202 测试变更，已回退") {
		t.Errorf("remote log:\n%s", log)
	}
	out, stderr, code = run(t, clone, "validate", "--repo", clone)
	if code != ExitOK {
		t.Errorf("repository with execution records does not validate: exit %d\n%s%s", code, out, stderr)
	}
}

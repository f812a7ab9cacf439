package changerun

import (
	"context"
	"strings"
	"testing"
)

// A reviewer's merge into a branch other than the configured main line
// approves nothing: anyone can make a local branch and merge into it, and
// an execution recorded there never reaches the main line. Nothing runs and
// nothing is committed.
func TestRunFromAnotherBranchIsRefused(t *testing.T) {
	f := newFixture(t)
	c := change{id: "CHG-2026-141", start: holidayStart, end: holidayEnd, steps: f.ssh("step-a", f.logs("a"))}
	f.git(admin, "branch", "ops-local", "main")
	branch := f.propose(c)
	f.git(reviewer, "checkout", "-q", "ops-local")
	f.git(reviewer, "merge", "-q", "--no-ff", "-m", "Merge "+branch, branch)
	before := f.git(admin, "rev-parse", "ops-local", "main")

	o := f.options(inHoliday, nil)
	o.Branch = "ops-local"
	pl, err := Prepare(context.Background(), f.open(), c.id, o)
	r := refused(t, err, RefuseBranch)
	if len(r.Reasons) != 1 || !strings.Contains(r.Error(), "只能从主分支 main 执行变更") || !strings.Contains(r.Error(), "main_branch") {
		t.Errorf("refusal: %v", r)
	}
	if pl != nil {
		t.Errorf("a plan came with the refusal: %+v", pl)
	}
	// A plan prepared for the main line does not execute on another branch
	// either (a caller changing Options between the two).
	f.git(admin, "checkout", "-q", "main")
	c2 := change{id: "CHG-2026-142", start: holidayStart, end: holidayEnd, steps: f.ssh("step-b", f.logs("b"))}
	f.approved(c2)
	before = f.git(admin, "rev-parse", "ops-local", "main")
	pl, err = f.prepare(c2.id, inHoliday, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pl.Execute(context.Background(), o); err == nil {
		t.Fatal("Execute on ops-local was not refused")
	} else {
		refused(t, err, RefuseBranch)
	}
	if got := f.logged(); len(got) != 0 {
		t.Errorf("steps ran: %v", got)
	}
	if after := f.git(admin, "rev-parse", "ops-local", "main"); after != before {
		t.Errorf("branches moved:\n%s→\n%s", before, after)
	}
}

// A repository whose main line is master says so in opsbook.yaml; change
// run then reads approvals from, and commits its record to, master.
func TestConfiguredMainBranch(t *testing.T) {
	f := newFixture(t)
	f.git(admin, "branch", "-m", "main", "master")
	f.write("opsbook.yaml", "platform: 测试平台\ntimezone: Asia/Shanghai\nmain_branch: master\n")
	f.git(admin, "commit", "-qam", "主分支为 master")
	f.git(admin, "push", "-q", "origin", "master")
	c := change{id: "CHG-2026-143", start: holidayStart, end: holidayEnd, steps: f.ssh("step-a", f.logs("a"))}
	f.git(author, "checkout", "-q", "-b", "change/143", "master")
	f.write(c.path(), c.text())
	f.git(author, "add", c.path())
	f.git(author, "commit", "-qm", "变更方案 "+c.id)
	f.git(reviewer, "checkout", "-q", "master")
	f.git(reviewer, "merge", "-q", "--no-ff", "-m", "Merge change/143", "change/143")
	f.git(reviewer, "push", "-q", "origin", "master")

	o := f.options(inHoliday, nil)
	o.CheckRemote = true
	pl, err := Prepare(context.Background(), f.open(), c.id, o)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := pl.Execute(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Outcome != OutcomeSuccess || !rep.Pushed {
		t.Fatalf("report %+v", rep)
	}
	if log := f.remoteGit("log", "-1", "--format=%s", "master"); !strings.Contains(log, "变更执行："+c.id) {
		t.Errorf("remote master head: %s", log)
	}
	if st := f.git(admin, "status", "--porcelain"); st != "" {
		t.Errorf("work tree not clean:\n%s", st)
	}

	// Naming main (the default elsewhere) is refused here.
	o.Branch = "main"
	_, err = Prepare(context.Background(), f.open(), c.id, o)
	r := refused(t, err, RefuseBranch)
	if !strings.Contains(r.Error(), "只能从主分支 master 执行变更") {
		t.Errorf("refusal: %v", r)
	}
}

package changerun

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// workTree lists every file of the clone outside .git with its content, to
// show a run left the work tree exactly as it found it.
func (f *fixture) workTree() string {
	f.t.Helper()
	var b strings.Builder
	err := filepath.WalkDir(f.clone, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Name() == ".git" {
			return filepath.SkipDir
		}
		if !d.IsDir() {
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(f.clone, p)
			b.WriteString(rel + "\n" + string(data) + "\n")
		}
		return nil
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return b.String()
}

// onOtherBranch approves c on main, then checks out a branch of its own
// with a commit main lacks (the operator was working on something else).
func (f *fixture) onOtherBranch(c change) {
	f.t.Helper()
	f.approved(c)
	f.git(admin, "checkout", "-q", "-b", "notes", "main")
	f.write("notes.md", "# 笔记\n")
	f.git(admin, "add", "notes.md")
	f.git(admin, "commit", "-qm", "笔记")
}

// With another branch checked out, the record is committed to main (and
// pushed) and the work tree is left exactly as it was: no untracked record
// that would block checking out main. A later run with that branch checked
// out still sees the execution on main's tip and refuses to run again.
func TestRunWithAnotherBranchCheckedOut(t *testing.T) {
	f := newFixture(t)
	c := change{id: "CHG-2026-151", start: holidayStart, end: holidayEnd, steps: f.ssh("step-a", f.logs("a"))}
	f.onOtherBranch(c)
	status, files := f.git(admin, "status", "--porcelain"), f.workTree()

	pl, err := f.prepare(c.id, inHoliday, nil)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := pl.Execute(context.Background(), f.options(inHoliday, nil))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Outcome != OutcomeSuccess || !rep.Pushed || len(rep.Warnings) > 0 {
		t.Fatalf("report %+v", rep)
	}
	if tip := strings.TrimSpace(f.git(admin, "rev-parse", "main")); tip != rep.Commit {
		t.Errorf("main is at %s, the record's commit is %s", tip, rep.Commit)
	}
	if got := strings.TrimSpace(f.git(admin, "rev-parse", "HEAD")); got == rep.Commit {
		t.Error("the record was committed on the checked-out branch")
	}
	if st := f.git(admin, "status", "--porcelain"); st != status || st != "" {
		t.Errorf("git status after the run:\n%s\nbefore:\n%s", st, status)
	}
	if got := f.workTree(); got != files {
		t.Errorf("work tree changed:\n%s\nbefore:\n%s", got, files)
	}
	if got := f.remoteGit("show", "main:"+rep.Path); !strings.Contains(got, "outcome: success") {
		t.Errorf("remote main's record:\n%s", got)
	}

	// Still on notes, whose tree and work tree lack the record.
	_, err = f.prepare(c.id, "2026-02-17 10:40", nil)
	refused(t, err, RefuseExecuted)

	f.git(admin, "checkout", "-q", "main")
	if _, err := os.Stat(filepath.Join(f.clone, rep.Path)); err != nil {
		t.Errorf("main checked out without the record: %v", err)
	}
	if st := f.git(admin, "status", "--porcelain"); st != "" {
		t.Errorf("git status on main:\n%s", st)
	}
	if got := f.logged(); len(got) != 1 {
		t.Errorf("steps ran %v", got)
	}
}

// A record id already taken on main's tip is not overwritten even when
// the work tree (another branch) does not have that file: the new record
// gets the next suffix.
func TestRecordIDTakenOnMain(t *testing.T) {
	f := newFixture(t)
	c := change{id: "CHG-2026-152", start: holidayStart, end: holidayEnd, steps: f.ssh("step-a", f.logs("a")+"; exit 3")}
	at := time.Date(2026, 2, 17, 10, 30, 0, 0, shanghai)
	taken := "content/execution/2026/" + ExecutionID(c.id, at) + ".yaml"
	f.git(admin, "checkout", "-q", "main")
	f.write(taken, "# 已有的记录\n")
	f.git(admin, "add", taken)
	f.git(admin, "commit", "-qm", "已有的执行记录")
	f.git(admin, "push", "-q", "origin", "main")
	f.onOtherBranch(c)
	f.git(admin, "rm", "-q", taken) // the checked-out branch lacks main's record
	f.git(admin, "commit", "-qm", "笔记分支不含该记录")

	o := f.options(inHoliday, nil)
	o.Now = func() time.Time { return at }
	pl, err := Prepare(context.Background(), f.open(), c.id, o)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := pl.Execute(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if rep.ID != ExecutionID(c.id, at)+"-2" {
		t.Errorf("id %s", rep.ID)
	}
	if got := f.git(admin, "show", "main:"+taken); got != "# 已有的记录\n" {
		t.Errorf("the existing record was overwritten:\n%s", got)
	}
	if got := f.git(admin, "show", "main:"+rep.Path); !strings.Contains(got, "outcome: failed") {
		t.Errorf("new record:\n%s", got)
	}
	if st := f.git(admin, "status", "--porcelain"); st != "" {
		t.Errorf("git status:\n%s", st)
	}
}

// When the commit on main fails with another branch checked out, the
// record is written into the work tree instead, and the error says so.
func TestRecordKeptWhenCommitFails(t *testing.T) {
	f := newFixture(t)
	c := change{id: "CHG-2026-153", start: holidayStart, end: holidayEnd, steps: f.ssh("step-a", f.logs("a"))}
	f.onOtherBranch(c)
	pl, err := f.prepare(c.id, inHoliday, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Another git process holds main's ref.
	lock := filepath.Join(f.clone, ".git", "refs", "heads", "main.lock")
	if err := os.WriteFile(lock, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	rep, err := pl.Execute(context.Background(), f.options(inHoliday, nil))
	os.Remove(lock)
	if err == nil || rep == nil || !strings.Contains(err.Error(), "记录已写入工作区") || !strings.Contains(err.Error(), rep.Path) {
		t.Fatalf("err %v, report %+v", err, rep)
	}
	data, rerr := os.ReadFile(filepath.Join(f.clone, rep.Path))
	if rerr != nil || !strings.Contains(string(data), "outcome: success") {
		t.Fatalf("record not in the work tree: %v\n%s", rerr, data)
	}
	// It still counts: the change does not run twice.
	_, err = f.prepare(c.id, "2026-02-17 10:40", nil)
	refused(t, err, RefuseExecuted)
}

// An execution on main is seen from a branch made before it, whose work
// tree lacks the record: the change does not run a second time.
func TestExecutedOnMainSeenFromOtherBranch(t *testing.T) {
	f := newFixture(t)
	c := change{id: "CHG-2026-154", start: holidayStart, end: holidayEnd, steps: f.ssh("step-a", f.logs("a"))}
	f.approved(c)
	f.git(admin, "branch", "before-run", "main")
	pl, err := f.prepare(c.id, inHoliday, nil)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := pl.Execute(context.Background(), f.options(inHoliday, nil))
	if err != nil || rep.Outcome != OutcomeSuccess {
		t.Fatalf("%v %+v", err, rep)
	}
	f.git(admin, "checkout", "-q", "before-run")
	if _, err := os.Stat(filepath.Join(f.clone, rep.Path)); err == nil {
		t.Fatal("the record is still in the work tree")
	}
	_, err = f.prepare(c.id, "2026-02-17 10:40", nil)
	refused(t, err, RefuseExecuted)
	if got := f.logged(); len(got) != 1 {
		t.Errorf("steps ran %v", got)
	}
}

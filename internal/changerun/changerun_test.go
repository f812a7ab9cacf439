package changerun

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/opsbook/opsbook/internal/record"
	"github.com/opsbook/opsbook/internal/validate"
)

// The Spring Festival of 2026: Saturday 14 February is a 调休 working day,
// Tuesday 17 February a statutory holiday.
const (
	holidayStart = "2026-02-17 10:00"
	holidayEnd   = "2026-02-17 11:00"
	inHoliday    = "2026-02-17 10:30"
)

func TestRefusedBeforeApproval(t *testing.T) {
	f := newFixture(t)
	steps := f.ssh("step-a", f.logs("a"))

	// Only on a branch: the work tree has it, main does not.
	onBranch := change{id: "CHG-2026-101", start: holidayStart, end: holidayEnd, steps: steps}
	f.propose(onBranch)
	_, err := f.prepare(onBranch.id, inHoliday, nil)
	r := refused(t, err, RefuseNotMerged)
	if !strings.Contains(r.Error(), "合并") {
		t.Errorf("message does not say to merge: %v", r)
	}

	// Fast-forwarded into main: no merge commit records an approval.
	ff := change{id: "CHG-2026-102", start: holidayStart, end: holidayEnd, steps: steps}
	branch := f.propose(ff)
	f.git(reviewer, "checkout", "-q", "main")
	f.git(reviewer, "merge", "-q", "--ff-only", branch)
	_, err = f.prepare(ff.id, inHoliday, nil)
	refused(t, err, RefuseNotApproved)

	// Merged by its own author.
	self := change{id: "CHG-2026-103", start: holidayStart, end: holidayEnd, steps: steps}
	f.merge(f.propose(self), author)
	_, err = f.prepare(self.id, inHoliday, nil)
	r = refused(t, err, RefuseNotApproved)
	if !strings.Contains(r.Error(), author.name) {
		t.Errorf("self-approval message does not name the merger: %v", r)
	}

	// Approved, then edited directly on main.
	edited := change{id: "CHG-2026-104", start: holidayStart, end: holidayEnd, steps: steps}
	f.approved(edited)
	f.write(edited.path(), strings.Replace(edited.text(), "title: 测试变更", "title: 改过的变更", 1))
	f.git(author, "commit", "-qam", "直接修改")
	_, err = f.prepare(edited.id, inHoliday, nil)
	refused(t, err, RefuseNotApproved)

	// Approved, but still a draft.
	draft := change{id: "CHG-2026-105", status: "draft", start: holidayStart, end: holidayEnd, steps: steps}
	f.approved(draft)
	_, err = f.prepare(draft.id, inHoliday, nil)
	refused(t, err, RefuseStatus)

	_, err = f.prepare("CHG-2026-199", inHoliday, nil)
	refused(t, err, RefuseNotFound)

	if got := f.logged(); got != nil {
		t.Errorf("a refused change ran steps: %v", got)
	}
}

func TestRefusedOutsideWindow(t *testing.T) {
	f := newFixture(t)
	c := change{id: "CHG-2026-111", start: holidayStart, end: holidayEnd, steps: f.ssh("step-a", f.logs("a"))}
	f.approved(c)
	for now, code := range map[string]string{
		"2026-02-17 09:59": RefuseBeforeWindow,
		"2026-02-16 22:00": RefuseBeforeWindow,
		"2026-02-17 11:00": RefuseAfterWindow,
		"2026-03-01 10:30": RefuseAfterWindow,
	} {
		_, err := f.prepare(c.id, now, nil)
		r := refused(t, err, code)
		if now == "2026-02-16 22:00" && !strings.Contains(r.Error(), "还差 12 小时") {
			t.Errorf("wait not in hours: %v", r)
		}
		if len(r.Reasons) != 1 {
			t.Errorf("%s: more reasons than the window: %v", now, r)
		}
	}
	// The window is checked again when executing: a plan made in the
	// window does not run after it.
	pl, err := f.prepare(c.id, "2026-02-17 10:59", nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = pl.Execute(context.Background(), f.options("2026-02-17 11:01", nil))
	refused(t, err, RefuseAfterWindow)
	if got := f.logged(); got != nil {
		t.Errorf("ran outside the window: %v", got)
	}
}

func TestBusinessHoursOnAdjustedSaturdayAndHoliday(t *testing.T) {
	f := newFixture(t)
	steps := f.ssh("step-a", f.logs("a"))
	saturday := change{id: "CHG-2026-121", start: "2026-02-14 10:00", end: "2026-02-14 11:00", steps: steps}
	f.approved(saturday)
	_, err := f.prepare(saturday.id, "2026-02-14 10:30", nil)
	r := refused(t, err, RefuseBusinessHours)
	if !strings.Contains(r.Error(), "调休") || !strings.Contains(r.Error(), "2026-02-14") {
		t.Errorf("message does not explain the 调休 working day: %v", r)
	}
	if r.Has(RefuseBeforeWindow) || r.Has(RefuseAfterWindow) {
		t.Errorf("refused for the window too: %v", r)
	}

	// An emergency needs its justification …
	bare := change{id: "CHG-2026-122", start: "2026-02-14 10:00", end: "2026-02-14 11:00", steps: steps, extra: "emergency: true\n"}
	f.approved(bare)
	_, err = f.prepare(bare.id, "2026-02-14 10:30", nil)
	refused(t, err, RefuseJustification)

	// … and with it may run in business hours.
	urgent := change{id: "CHG-2026-123", start: "2026-02-14 10:00", end: "2026-02-14 11:00", steps: steps,
		extra: "emergency: true\nemergency_justification: 省平台通知当日必须修复，否则级联中断。\n"}
	f.approved(urgent)
	if _, err := f.prepare(urgent.id, "2026-02-14 10:30", nil); err != nil {
		t.Fatalf("justified emergency refused: %v", err)
	}

	// The same hours on the Spring Festival holiday are not business hours.
	holiday := change{id: "CHG-2026-124", start: holidayStart, end: holidayEnd, steps: steps}
	f.approved(holiday)
	pl, err := f.prepare(holiday.id, inHoliday, nil)
	if err != nil {
		t.Fatalf("holiday daytime refused: %v", err)
	}
	rep, err := pl.Execute(context.Background(), f.options(inHoliday, nil))
	if err != nil || rep.Outcome != OutcomeSuccess {
		t.Fatalf("execute: %v %+v", err, rep)
	}
	if got := f.logged(); !slices.Equal(got, []string{"a"}) {
		t.Errorf("steps ran: %v", got)
	}
}

func TestRunRecordsAndPushes(t *testing.T) {
	f := newFixture(t)
	c := change{id: "CHG-2026-131", start: holidayStart, end: holidayEnd,
		steps: f.ssh("step-a", f.logs("a"), "title: 第一步", "timeout: 30s") +
			f.ssh("step-b", f.logs("b")+"; echo 完成; echo 警告 >&2", "conditions: [\"[EXIT_CODE] == 0\", \"[STDOUT] == 完成\"]"),
		rollback: f.ssh("undo-a", f.logs("undo-a"), "undoes: step-a")}
	f.approved(c)
	pl, err := f.prepare(c.id, inHoliday, nil)
	if err != nil {
		t.Fatal(err)
	}
	var events []string
	o := f.options(inHoliday, nil)
	o.Progress = func(r StepResult, done bool) {
		events = append(events, fmt.Sprintf("%s:%v:%s", r.Step.Name, done, r.Status))
	}
	rep, err := pl.Execute(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Outcome != OutcomeSuccess || !rep.Pushed || rep.Commit == "" || rep.PushError != nil {
		t.Fatalf("report %+v", rep)
	}
	if want := []string{"step-a:false:", "step-a:true:success", "step-b:false:", "step-b:true:success"}; !slices.Equal(events, want) {
		t.Errorf("progress %v, want %v", events, want)
	}
	if got := f.logged(); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("steps ran %v", got)
	}
	if !strings.HasPrefix(rep.ID, "EXE-2026-0217-1030") || !strings.HasSuffix(rep.ID, "-"+c.id) {
		t.Errorf("id %s", rep.ID)
	}

	// The record is on the remote's main, in a commit saying what it is.
	log := f.remoteGit("log", "-1", "--format=%an%n%s%n%b", "main")
	if !strings.Contains(log, "王强") || !strings.Contains(log, "变更执行："+c.id) || !strings.Contains(log, rep.ID) {
		t.Errorf("remote head commit:\n%s", log)
	}
	data := f.remoteGit("show", "main:"+rep.Path)
	r, err := record.Parse(rep.Path, []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	fields := r.Fields
	if fields["change"] != c.id || fields["outcome"] != "success" || fields["operator"] != "王强" || fields["host"] != "runner-test" ||
		fields["approved_by"] != reviewer.name || len(str(fields["approval_commit"])) != 40 {
		t.Errorf("record fields: %v", fields)
	}
	steps := fields["steps"].([]any)
	if len(steps) != 2 {
		t.Fatalf("steps %v", steps)
	}
	b := steps[1].(map[string]any)
	if b["status"] != "success" || fmt.Sprint(b["exit_code"]) != "0" || b["command"] != f.logs("b")+"; echo 完成; echo 警告 >&2" ||
		b["output"] != "完成\n[stderr]\n警告" || b["target"] != f.sshd.User+"@"+f.sshd.Addr || b["asset"] != "app-host-01" {
		t.Errorf("step b: %v", b)
	}

	// The clone validates as a whole, the new record included.
	res, err := validate.Run(context.Background(), validate.Options{Root: f.clone})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range res.Violations {
		t.Errorf("violation: %s", v)
	}
	if st := f.git(admin, "status", "--porcelain"); st != "" {
		t.Errorf("work tree not clean after the commit:\n%s", st)
	}

	// A change that ran successfully does not run again.
	_, err = f.prepare(c.id, "2026-02-17 10:40", nil)
	refused(t, err, RefuseExecuted)
}

// Two runs of one change never overlap: while one holds the change's lock
// another is refused before any step, and a run that finished after this
// one's checks is seen in its execution record.
func TestConcurrentRunIsRefused(t *testing.T) {
	f := newFixture(t)
	c := change{id: "CHG-2026-133", start: holidayStart, end: holidayEnd, steps: f.ssh("step-a", f.logs("a"))}
	f.approved(c)
	pl, err := f.prepare(c.id, inHoliday, nil)
	if err != nil {
		t.Fatal(err)
	}
	held, err := lockChange(f.lockDir, c.id, "/srv/other-clone", "李娜", time.Date(2026, 2, 17, 10, 31, 0, 0, shanghai))
	if err != nil {
		t.Fatal(err)
	}
	_, err = pl.Execute(context.Background(), f.options(inHoliday, nil))
	r := refused(t, err, RefuseRunning)
	if msg := r.Error(); !strings.Contains(msg, "正在执行中") || !strings.Contains(msg, "李娜") || !strings.Contains(msg, "/srv/other-clone") {
		t.Errorf("refusal does not say who holds the run: %s", msg)
	}
	if got := f.logged(); len(got) != 0 {
		t.Fatalf("steps ran while another run held the lock: %v", got)
	}

	// The other run finishes and records its success; this one, prepared
	// before that, must not run the steps again.
	held.release()
	f.write("content/execution/2026/EXE-2026-0217-103100-"+c.id+".yaml", "id: EXE-2026-0217-103100-"+c.id+
		"\nkind: execution\ntitle: 执行\nchange: "+c.id+"\noutcome: success\n")
	_, err = pl.Execute(context.Background(), f.options(inHoliday, nil))
	refused(t, err, RefuseExecuted)
	if got := f.logged(); len(got) != 0 {
		t.Fatalf("steps ran again after a successful run: %v", got)
	}
	// A lock file that is a symbolic link is never opened (it is truncated).
	target := filepath.Join(t.TempDir(), "victim")
	if err := os.WriteFile(target, []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, filepath.Join(f.lockDir, "opsbook-change-CHG-2026-999.lock")); err != nil {
		t.Fatal(err)
	}
	if _, err := lockChange(f.lockDir, "CHG-2026-999", f.clone, "王强", time.Now()); err == nil {
		t.Error("a symbolic link was taken as the lock file")
	}
	if data, _ := os.ReadFile(target); string(data) != "keep" {
		t.Errorf("the link's target was changed: %q", data)
	}
	// The lock is free again: a fresh run of another change is not blocked.
	again, err := lockChange(f.lockDir, c.id, f.clone, "王强", time.Now())
	if err != nil {
		t.Fatalf("the lock was not released: %v", err)
	}
	again.release()
}

// A clone whose main line lags the remote's is refused (CheckRemote, the
// CLI's default): someone may have cancelled the change meanwhile.
func TestStaleMainLineIsRefused(t *testing.T) {
	f := newFixture(t)
	c := change{id: "CHG-2026-134", start: holidayStart, end: holidayEnd, steps: f.ssh("step-a", f.logs("a"))}
	f.approved(c)
	o := f.options(inHoliday, nil)
	o.CheckRemote = true
	if _, err := Prepare(context.Background(), f.open(), c.id, o); err != nil {
		t.Fatalf("an up-to-date clone was refused: %v", err)
	}

	// Another engineer cancels the change on the remote's main.
	other := filepath.Join(t.TempDir(), "other")
	run(t, filepath.Dir(other), admin, "git", "clone", "-q", f.remote, other)
	data, err := os.ReadFile(filepath.Join(other, c.path()))
	if err != nil {
		t.Fatal(err)
	}
	cancelled := strings.Replace(string(data), "status: approved", "status: cancelled", 1)
	if err := os.WriteFile(filepath.Join(other, c.path()), []byte(cancelled), 0o644); err != nil {
		t.Fatal(err)
	}
	run(t, other, reviewer, "git", "commit", "-qam", "取消变更 "+c.id)
	run(t, other, reviewer, "git", "push", "-q", "origin", "main")

	r := refused(t, func() error { _, err := Prepare(context.Background(), f.open(), c.id, o); return err }(), RefuseStale)
	if !strings.Contains(r.Error(), "git pull") {
		t.Errorf("the refusal does not say to pull: %v", r)
	}
	// Without the check (--offline) the stale approval would still pass:
	// that is what the check is for.
	o.CheckRemote = false
	if _, err := Prepare(context.Background(), f.open(), c.id, o); err != nil {
		t.Fatalf("offline: %v", err)
	}
	// A run prepared before another clone's change of main is refused at
	// Execute too (the remote is asked again once the lock is held).
	o.CheckRemote = false
	stale, err := Prepare(context.Background(), f.open(), c.id, o)
	if err != nil {
		t.Fatal(err)
	}
	eo := f.options(inHoliday, nil)
	eo.CheckRemote = true
	_, err = stale.Execute(context.Background(), eo)
	refused(t, err, RefuseStale)
	if got := f.logged(); len(got) != 0 {
		t.Fatalf("steps ran on a stale main line: %v", got)
	}
	// After pulling, the cancellation is what refuses it.
	f.git(admin, "pull", "-q", "--ff-only", "origin", "main")
	o.CheckRemote = true
	_, err = Prepare(context.Background(), f.open(), c.id, o)
	refused(t, err, RefuseStatus)
	// Without a remote to ask, it is refused unless --offline.
	f.git(admin, "remote", "remove", "origin")
	_, err = Prepare(context.Background(), f.open(), c.id, o)
	if r := refused(t, err, RefuseStale); !strings.Contains(r.Error(), "--offline") {
		t.Errorf("no remote: %v", r)
	}
}

// A step problem is one reason, not two: opsbook validate's change/steps
// and ParseProcedure find the same thing.
func TestStepProblemReportedOnce(t *testing.T) {
	f := newFixture(t)
	c := change{id: "CHG-2026-135", start: holidayStart, end: holidayEnd, steps: f.ssh("step-a", f.logs("a"), "comand: typo")}
	f.approved(c)
	_, err := f.prepare(c.id, inHoliday, nil)
	r := refused(t, err, RefuseInvalid)
	if n := strings.Count(r.Error(), "comand"); n != 1 {
		t.Errorf("the misspelt parameter is named %d times:\n%v", n, r)
	}
}

func TestFailingStepRollsBackInReverse(t *testing.T) {
	f := newFixture(t)
	c := change{id: "CHG-2026-141", start: holidayStart, end: holidayEnd,
		steps: f.ssh("step-a", f.logs("a")) + f.ssh("step-b", f.logs("b")) +
			f.ssh("step-c", f.logs("c")+"; echo 磁盘空间不足 >&2; exit 3") + f.ssh("step-d", f.logs("d")),
		rollback: f.ssh("undo-a", f.logs("undo-a"), "undoes: step-a") +
			f.ssh("undo-b1", f.logs("undo-b1"), "undoes: step-b") +
			f.ssh("undo-b2", f.logs("undo-b2"), "undoes: step-b") +
			f.ssh("undo-c", f.logs("undo-c"), "undoes: step-c") +
			f.ssh("undo-d", f.logs("undo-d"), "undoes: step-d")}
	f.approved(c)
	pl, err := f.prepare(c.id, inHoliday, nil)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := pl.Execute(context.Background(), f.options(inHoliday, nil))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"a", "b", "c", "undo-c", "undo-b1", "undo-b2", "undo-a"}
	if got := f.logged(); !slices.Equal(got, want) {
		t.Errorf("ran %v, want %v", got, want)
	}
	if rep.Outcome != OutcomeRolledBack || rep.FailedStep != "step-c" {
		t.Errorf("outcome %s, failed step %s", rep.Outcome, rep.FailedStep)
	}
	var got []string
	for _, r := range rep.Results {
		got = append(got, r.Step.Name+"="+r.Status)
	}
	wantResults := []string{"step-a=success", "step-b=success", "step-c=failed", "step-d=skipped",
		"undo-c=success", "undo-b1=success", "undo-b2=success", "undo-a=success"}
	if !slices.Equal(got, wantResults) {
		t.Errorf("results %v, want %v", got, wantResults)
	}
	failed := rep.Results[2]
	if failed.ExitCode == nil || *failed.ExitCode != 3 || !strings.Contains(failed.Error, "[EXIT_CODE] == 0") ||
		!strings.Contains(failed.Output, "磁盘空间不足") {
		t.Errorf("failed step: %+v", failed)
	}
	data := f.remoteGit("show", "main:"+rep.Path)
	for _, s := range []string{"outcome: rolled-back", "failed_step: step-c", "phase: rollback", "undoes: step-b", "status: skipped"} {
		if !strings.Contains(data, s) {
			t.Errorf("record lacks %q:\n%s", s, data)
		}
	}

	// A failing rollback step stops the rollback; the rest is recorded as not run.
	c2 := change{id: "CHG-2026-142", start: holidayStart, end: holidayEnd,
		steps: f.ssh("step-x", f.logs("x")) + f.ssh("step-y", f.logs("y")) + f.ssh("step-z", "exit 1"),
		rollback: f.ssh("undo-x", f.logs("undo-x"), "undoes: step-x") +
			f.ssh("undo-y", f.logs("undo-y")+"; exit 2", "undoes: step-y")}
	f.approved(c2)
	os.Remove(f.logFile)
	pl, err = f.prepare(c2.id, inHoliday, nil)
	if err != nil {
		t.Fatal(err)
	}
	rep, err = pl.Execute(context.Background(), f.options(inHoliday, nil))
	if err != nil {
		t.Fatal(err)
	}
	if got := f.logged(); !slices.Equal(got, []string{"x", "y", "undo-y"}) {
		t.Errorf("ran %v", got)
	}
	last := rep.Results[len(rep.Results)-1]
	if rep.Outcome != OutcomeRollbackFailed || last.Step.Name != "undo-x" || last.Status != StatusSkipped {
		t.Errorf("outcome %s, last %s %s", rep.Outcome, last.Step.Name, last.Status)
	}

	// A failing step without rollback steps is a plain failure.
	c3 := change{id: "CHG-2026-143", start: holidayStart, end: holidayEnd, steps: f.ssh("only", "exit 1")}
	f.approved(c3)
	pl, err = f.prepare(c3.id, inHoliday, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep, err = pl.Execute(context.Background(), f.options(inHoliday, nil)); err != nil || rep.Outcome != OutcomeFailed {
		t.Errorf("outcome %v %v", rep, err)
	}
	res, err := validate.Run(context.Background(), validate.Options{Root: f.clone})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range res.Violations {
		t.Errorf("violation: %s", v)
	}
}

func TestSecretsNeverRecorded(t *testing.T) {
	f := newFixture(t)
	const canary, canary2 = "Zq7-s3cret-canary-7f1e9a", "Wp4-pw-canary-20b4c1"
	env := map[string]string{"OPS_TOKEN": canary, "DB_PW": canary2}
	c := change{id: "CHG-2026-151", start: holidayStart, end: holidayEnd,
		steps: f.ssh("use-token", "echo token=${OPS_TOKEN}; echo pw=${DB_PW} >&2") +
			// 65530 bytes of padding: the ssh check keeps 64 KiB of stdout,
			// so it cuts the token after its first six characters.
			f.ssh("cut-token", "head -c 65530 /dev/zero | tr '\\0' x; echo ${OPS_TOKEN}") +
			f.ssh("fail-with-token", "echo refused ${OPS_TOKEN} >&2; exit 4"),
		rollback: f.ssh("undo", "echo undo ${DB_PW}", "undoes: use-token")}
	f.approved(c)

	// A missing secret is a refusal naming the variable.
	_, err := f.prepare(c.id, inHoliday, map[string]string{"OPS_TOKEN": canary})
	r := refused(t, err, RefuseSecrets)
	if !strings.Contains(r.Error(), "DB_PW") || strings.Contains(r.Error(), canary) {
		t.Errorf("refusal: %v", r)
	}

	pl, err := f.prepare(c.id, inHoliday, env)
	if err != nil {
		t.Fatal(err)
	}
	var shown strings.Builder
	o := f.options(inHoliday, env)
	o.Progress = func(r StepResult, done bool) { fmt.Fprintf(&shown, "%+v\n", r) }
	rep, err := pl.Execute(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(&shown, "%+v\n", rep.Results)
	record := f.remoteGit("show", "main:"+rep.Path)
	if !strings.Contains(record, "token=${OPS_TOKEN}") || !strings.Contains(record, "echo token=${OPS_TOKEN}") ||
		!strings.Contains(record, "undo ${DB_PW}") {
		t.Errorf("record does not keep the references:\n%s", record)
	}
	history := f.remoteGit("log", "-p", "--all")
	var tree strings.Builder
	filepath.WalkDir(f.clone, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !strings.Contains(p, "/.git/") {
			b, _ := os.ReadFile(p)
			tree.Write(b)
		}
		return nil
	})
	if !strings.Contains(record, "xxxx…") {
		t.Errorf("cut output not marked:\n%s", record)
	}
	for _, secret := range []string{canary, canary2, canary[:6], canary2[:6]} {
		for where, text := range map[string]string{"record": record, "remote history": history, "work tree": tree.String(), "progress and results": shown.String()} {
			if strings.Contains(text, secret) {
				t.Errorf("secret %s leaked into the %s", secret, where)
			}
		}
	}
}

func TestProcedureProblems(t *testing.T) {
	text := change{id: "CHG-2026-161", start: holidayStart, end: holidayEnd,
		steps: "  - {name: a, type: ssh, address: 127.0.0.1, user: ops, password: x, known_hosts: /k, command: 'true', colour: red}\n" +
			"  - {name: a, type: http, url: 'http://127.0.0.1/', conditions: ['[EXIT_CODE] == 0']}\n" +
			"  - {name: b, type: sql, driver: postgres, dsn: '${DSN}', query: 'update t set n = 1', undoes: a}\n",
		rollback: "  - {name: r, type: exec, command: [/bin/true], undoes: nosuch}\n"}.text()
	r, err := record.Parse("content/change/2026/CHG-2026-161.md", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	p, problems := ParseProcedure(r)
	want := map[string]string{
		"/steps/0/colour":       "colour",
		"/steps/1/name":         "重复",
		"/steps/1/conditions/0": "EXIT_CODE",
		"/steps/2/undoes":       "只用于回退步骤",
		"/rollback/0/undoes":    "nosuch",
	}
	for ptr, words := range want {
		if !slices.ContainsFunc(problems, func(x Problem) bool { return x.Pointer == ptr && strings.Contains(x.Message, words) }) {
			t.Errorf("no problem at %s mentioning %s; got %v", ptr, words, problems)
		}
	}
	if len(problems) != len(want) {
		t.Errorf("%d problems, want %d: %v", len(problems), len(want), problems)
	}
	if p.Steps[2].Params["allow_write"] != true {
		t.Errorf("sql step not allowed to write: %v", p.Steps[2].Params)
	}
	if !slices.Equal(p.Steps[0].Conditions, []string{"[EXIT_CODE] == 0"}) || !slices.Equal(p.Steps[1].Conditions, []string{"[EXIT_CODE] == 0"}) {
		t.Errorf("conditions %v %v", p.Steps[0].Conditions, p.Steps[1].Conditions)
	}
}

func TestRollbackOrder(t *testing.T) {
	p := &Procedure{
		Steps:    []Step{{Name: "a"}, {Name: "b"}, {Name: "c"}},
		Rollback: []Step{{Name: "ra", Undoes: "a"}, {Name: "rc", Undoes: "c"}, {Name: "rb1", Undoes: "b"}, {Name: "rb2", Undoes: "b"}},
	}
	names := func(ss []Step) (out []string) {
		for _, s := range ss {
			out = append(out, s.Name)
		}
		return out
	}
	for failed, want := range map[int][]string{0: {"ra"}, 1: {"rb1", "rb2", "ra"}, 2: {"rc", "rb1", "rb2", "ra"}} {
		if got := names(p.RollbackOrder(failed)); !slices.Equal(got, want) {
			t.Errorf("failed %d: %v, want %v", failed, got, want)
		}
	}
}

func TestTargetsHideLiteralPasswords(t *testing.T) {
	for in, want := range map[string]string{
		"postgres://ops:hunter22@10.32.1.21:5432/ex":  "postgres://ops:***@10.32.1.21:5432/ex",
		"postgres://ops:${PG_PW}@10.32.1.21:5432/ex":  "postgres://ops:${PG_PW}@10.32.1.21:5432/ex",
		"host=db user=ops password=hunter22 dbname=x": "host=db user=ops password=*** dbname=x",
		"ops:hunter22@tcp(10.32.1.21:3306)/ex":        "ops:***@tcp(10.32.1.21:3306)/ex",
		"${EXCHANGE_DSN}":                             "${EXCHANGE_DSN}",
		"https://u:p4ss@api.example/x?a=1":            "https://u:***@api.example/x?a=1",
	} {
		// Through the sql type's description of a step's target.
		if got := (Step{Type: "sql", Params: map[string]any{"dsn": in}}).Target(""); got != want {
			t.Errorf("sql step target of %q = %q, want %q", in, got, want)
		}
	}
	long := strings.Repeat("开", 1500) + strings.Repeat("尾", 1500)
	got := capText(long, OutputCap)
	if !strings.HasPrefix(got, strings.Repeat("开", 1200)) || !strings.HasSuffix(got, strings.Repeat("尾", 800)) || !strings.Contains(got, "省略 1000 个字符") {
		t.Errorf("capText: %d runes", len([]rune(got)))
	}
}

// TestSampleProcedures lints the steps of every change in the bundled
// sample repository (they are never run).
func TestSampleProcedures(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(repoRoot, "content/change/*/*.md"))
	withSteps := 0
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(repoRoot, file)
		r, err := record.Parse(filepath.ToSlash(rel), data)
		if err != nil {
			t.Fatal(err)
		}
		p, problems := ParseProcedure(r)
		for _, pr := range problems {
			t.Errorf("%s %s: %s", rel, pr.Pointer, pr.Message)
		}
		if p != nil {
			withSteps++
		}
	}
	if withSteps == 0 {
		t.Error("no sample change has steps")
	}
}

package changerun

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/opsbook/opsbook/internal/check"
	"github.com/opsbook/opsbook/internal/gitrepo"
	"github.com/opsbook/opsbook/internal/probe"
)

// Outcomes of an execution.
const (
	OutcomeSuccess        = "success"         // every step succeeded
	OutcomeRolledBack     = "rolled-back"     // a step failed; every rollback step succeeded
	OutcomeRollbackFailed = "rollback-failed" // a step failed, and so did a rollback step
	OutcomeFailed         = "failed"          // a step failed and had no rollback steps
)

// Step statuses.
const (
	StatusSuccess = "success"
	StatusFailed  = "failed"
	StatusSkipped = "skipped" // not run because of an earlier failure
)

// StepResult is what running one step did. Every string is redacted.
type StepResult struct {
	Step       Step
	Status     string
	Start, End time.Time
	Duration   time.Duration
	ExitCode   *int64 // ssh and exec
	HTTPStatus *int64 // http
	Output     string // excerpt of what the step printed or returned
	Error      string // why it failed
}

// Report is what an execution did.
type Report struct {
	Plan          *Plan
	ID            string // execution record id
	Path          string // repository-relative path of the record
	Outcome       string
	FailedStep    string
	Started, End  time.Time
	Results       []StepResult // steps then rollback steps, including skipped ones
	Operator      string
	Host          string
	Commit        string
	Pushed        bool
	PushError     error    // the commit stays local and is pushed by the next commit
	Warnings      []string // the record was written but did not validate, …
	WindowOverrun bool     // the last step ended after the window
}

// Execute runs the plan's steps, rolls back on failure, writes the
// execution record and commits (and pushes) it. It re-checks the window
// first, since confirming may have taken a while. An error after the steps
// ran still comes with the Report: the record may be written but not
// committed, and the caller must say so.
func (pl *Plan) Execute(ctx context.Context, o Options) (*Report, error) {
	o.defaults()
	if o.Operator == "" {
		return nil, errors.New("缺少操作人（operator）：请用 --operator 指定，或设置 git config user.name")
	}
	if pl.ready == nil {
		return nil, errors.New("变更未通过检查，不能执行")
	}
	if r := o.mainLine(pl.rp, pl.ID); r != nil {
		return nil, r
	}
	if reason, ok := pl.inWindow(o.Now()); !ok {
		return nil, &Refusal{Change: pl.ID, Reasons: []Reason{reason}}
	}
	// One run of a change at a time: a second one started meanwhile (an
	// operator and a scheduled job, two terminals) is refused, and one that
	// finished since Prepare is seen in its execution record.
	dir := o.LockDir
	if dir == "" {
		dir = lockDirOf(pl.rp.Root)
	}
	lock, err := lockChange(dir, pl.ID, pl.rp.Root, o.Operator, o.Now())
	var locked *errLocked
	if errors.As(err, &locked) {
		return nil, &Refusal{Change: pl.ID, Reasons: []Reason{{RefuseRunning,
			fmt.Sprintf("变更 %s 正在执行中（%s）；请等它结束并查看执行记录，不要重复执行", pl.ID, locked.holder)}}}
	}
	if err != nil {
		return nil, err
	}
	defer lock.release()
	if prev, err := successfulExecution(ctx, pl.rp.Root, o.Branch, pl.rp.Config.MaxFileSize, pl.ID); err != nil {
		return nil, err
	} else if prev != "" {
		return nil, &Refusal{Change: pl.ID, Reasons: []Reason{{RefuseExecuted,
			fmt.Sprintf("变更已由执行记录 %s 成功实施（在本次检查之后完成），不能重复执行", prev)}}}
	}
	// A run from another clone that finished meanwhile pushed its record:
	// this clone's main line is then behind.
	if o.CheckRemote {
		if reason, ok := upToDate(ctx, pl.rp.Root, o); !ok {
			return nil, &Refusal{Change: pl.ID, Reasons: []Reason{reason}}
		}
	}
	loc := pl.rp.Config.Location
	rep := &Report{Plan: pl, Operator: o.Operator, Host: o.Host, Outcome: OutcomeSuccess, Started: o.Now().In(loc)}
	steps := pl.Procedure.Steps
	failed := -1
	for i, s := range steps {
		res := pl.run(ctx, s, o)
		rep.Results = append(rep.Results, res)
		if res.Status == StatusFailed {
			failed = i
			break
		}
	}
	if failed >= 0 {
		rep.FailedStep = steps[failed].Name
		for _, s := range steps[failed+1:] {
			rep.Results = append(rep.Results, StepResult{Step: s, Status: StatusSkipped})
		}
		// Rollback is not interrupted: a half-undone change is worse than
		// a late one. Each step still has its own timeout.
		rctx := context.WithoutCancel(ctx)
		rollback := pl.Procedure.RollbackOrder(failed)
		rep.Outcome = OutcomeRolledBack
		if len(rollback) == 0 {
			rep.Outcome = OutcomeFailed
		}
		for i, s := range rollback {
			res := pl.run(rctx, s, o)
			rep.Results = append(rep.Results, res)
			if res.Status == StatusFailed {
				rep.Outcome = OutcomeRollbackFailed
				for _, rest := range rollback[i+1:] {
					rep.Results = append(rep.Results, StepResult{Step: rest, Status: StatusSkipped})
				}
				break
			}
		}
	}
	rep.End = o.Now().In(loc)
	rep.WindowOverrun = rep.End.After(pl.End)
	if err := pl.record(ctx, rep, o); err != nil {
		return rep, err
	}
	return rep, nil
}

// run runs one step under its timeout.
func (pl *Plan) run(ctx context.Context, s Step, o Options) StepResult {
	res := StepResult{Step: s, Start: o.Now().In(pl.rp.Config.Location)}
	if o.Progress != nil {
		o.Progress(res, false)
	}
	out := pl.ready[s.Name].Attempt(ctx, phrase)
	res.Duration = out.Duration
	res.End = o.Now().In(pl.rp.Config.Location)
	pl.judge(&res, out)
	if o.Progress != nil {
		o.Progress(res, true)
	}
	return res
}

// phrase words a step whose check could not be made.
func phrase(f probe.Failure) string {
	switch {
	case f.Expired && f.Interrupted == nil:
		return fmt.Sprintf("超过步骤时限 %s：%v", f.Timeout, f.Err)
	case f.Interrupted != nil:
		return fmt.Sprintf("执行被中断（%v）：%v", f.Interrupted, f.Err)
	}
	return f.Err.Error()
}

// judge fills status, exit status, output and error from an outcome: a
// step fails on its check's error, else on its first failed condition.
func (pl *Plan) judge(res *StepResult, out probe.Outcome) {
	if v, ok := out.Int("EXIT_CODE"); ok {
		res.ExitCode = &v
	}
	if t, ok := check.Lookup(res.Step.Type); ok && t.Step != nil && t.Step.HTTPStatus {
		if v, ok := out.Int("STATUS"); ok {
			res.HTTPStatus = &v
		}
	}
	res.Output = capText(out.Excerpt(), OutputCap)
	res.Status = StatusSuccess
	if out.Unchecked {
		res.Status, res.Error = StatusFailed, out.Error
		return
	}
	for _, c := range out.Conditions {
		if c.Success {
			continue
		}
		res.Status = StatusFailed
		if c.Reason != "" {
			res.Error = pl.redactor.String(fmt.Sprintf("成功条件 %s 不成立：%s", c.Condition, c.Reason))
		} else {
			res.Error = pl.redactor.String(fmt.Sprintf("成功条件 %s 不成立，实际值 %s", c.Condition, c.Actual))
		}
		break
	}
}

// Failed counts failed steps, rollback included.
func (r *Report) Failed() int {
	n := 0
	for _, x := range r.Results {
		if x.Status == StatusFailed {
			n++
		}
	}
	return n
}

// commitResult applies a gitrepo commit result to the report.
func (r *Report) commitResult(res gitrepo.CommitResult) {
	r.Commit, r.Pushed = res.Hash, res.Pushed
}

package runner

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/opsbook/opsbook/internal/gitrepo"
	"github.com/opsbook/opsbook/internal/probe"
	"github.com/opsbook/opsbook/internal/runbook"
	"github.com/opsbook/opsbook/internal/secret"
	"github.com/opsbook/opsbook/internal/store"
)

// Options configure one run.
type Options struct {
	Root        string         // repository root
	Runner      string         // runner name, part of record ids (default: host name)
	Location    *time.Location // record times (default Asia/Shanghai from config)
	MaxFileSize int64
	Secrets     secret.Source // default: environment and files
	DryRun      bool          // run checks, write and commit nothing
	Commit      bool          // commit the records with git (when Root is a git work tree)
	Push        bool          // push the commit (implies Commit)
	Alerter     Alerter       // nil: no alerts
	Progress    func(done, total int, r Result)
	Now         func() time.Time // default time.Now
	// GitAuthor is the commit author; default "opsbook runner".
	GitAuthorName, GitAuthorEmail string
	// GitSSH authenticates pushes to ssh:// remotes (host keys are always
	// verified against known_hosts).
	GitSSH gitrepo.SSHOptions
}

// Report is what a run did.
type Report struct {
	Runbook      *runbook.Runbook
	Inspection   string // id of the inspection record written
	Results      []Result
	Started, End time.Time
	NewAnomalies []string // ids opened by this run
	Recovered    []string // ids resolved by this run
	Files        []string // repository-relative paths written
	Commit       string   // commit hash, when committed
	Pushed       bool
	PushError    error // the commit is kept locally and pushed next time
	AlertErrors  []error

	transitions []transition // for alerts
	// runID tells this run's commit from another run's that made
	// byte-identical records (two runners of the same name starting in
	// the same second): without it the two commits would be one object,
	// and one run's inspection record would silently stand for both.
	runID string
}

// transition is a check that opened or resolved an anomaly in this run.
type transition struct {
	kind   string // "anomaly" or "recovery"
	id     string
	result Result
}

// Failed counts the failed checks.
func (r *Report) Failed() int {
	n := 0
	for _, x := range r.Results {
		if !x.Success {
			n++
		}
	}
	return n
}

// Run executes rb and records the results.
func Run(ctx context.Context, rb *runbook.Runbook, o Options) (*Report, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Location == nil {
		o.Location = time.Local
	}
	if o.Runner == "" {
		o.Runner, _ = os.Hostname()
	}
	secrets := probe.NewSecrets(o.Secrets)
	redact := secrets.Redactor()
	checks := prepare(rb, secrets)
	host, _ := os.Hostname()
	rep := &Report{Runbook: rb, Started: o.Now().In(o.Location), runID: fmt.Sprintf("%s-%08x", slug(host), rand.Uint32())}
	rctx, cancel := context.WithTimeout(ctx, rb.Timeout)
	defer cancel()
	done := 0
	progress := make(chan Result)
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		for r := range progress {
			done++
			if o.Progress != nil {
				o.Progress(done, len(checks), r)
			}
		}
	}()
	exec := &execution{concurrency: rb.Concurrency, backoff: rb.RetryBackoff, redact: redact,
		onDone: func(r Result) { progress <- r }}
	rep.Results = exec.run(rctx, checks)
	close(progress)
	<-finished
	rep.End = o.Now().In(o.Location)
	if ctx.Err() != nil {
		return rep, fmt.Errorf("运行被中断：%w", ctx.Err()) // nothing written: no partial records
	}
	if o.DryRun {
		return rep, nil
	}
	var err error
	if o.Commit || o.Push {
		err = commitRecords(ctx, rep, o, redact)
	} else {
		err = writeRecords(rep, o, redact)
	}
	// Alerts follow the records that were actually made: a run whose
	// detection joined another runner's anomaly on push raises no second
	// "new anomaly" alert.
	if o.Alerter != nil && rep.Inspection != "" {
		rep.AlertErrors = notify(ctx, rep, o, redact)
	}
	return rep, err
}

// writeRecords derives the records from the work tree and writes them
// atomically through the record store (no git). The runner loads no
// schemas: its store places records by the layout, and validate checks
// them like any other.
func writeRecords(rep *Report, o Options, redact *secret.Redactor) error {
	d, err := derive(workTree{o.Root}, rep, o, redact)
	if err != nil {
		return err
	}
	d.apply(rep)
	st := store.New(o.Root, nil)
	for _, f := range d.files {
		if err := st.Put(f, store.Replace); err != nil {
			return fmt.Errorf("写入 %s：%w", f.Path, err)
		}
	}
	return nil
}

// commitRecords derives the records from the branch tip and commits them:
// the record store checks their placement and hands them to git, which
// writes them into the work tree. When the push finds that another
// runner pushed first, the records are derived again on top of its commit,
// so that both runs' links to a shared anomaly survive (see derive).
func commitRecords(ctx context.Context, rep *Report, o Options, redact *secret.Redactor) error {
	// A run killed between moving the branch and updating the index left
	// git status inconsistent: repair that first. A repository that cannot
	// be opened fails the commit below, which keeps the records anyway.
	_ = gitrepo.Reconcile(ctx, o.Root)
	name, email := o.GitAuthorName, o.GitAuthorEmail
	if name == "" {
		name, email = "opsbook runner", "runner@opsbook.invalid"
	}
	var made []*derivation
	res, err := gitrepo.CommitDerived(ctx, o.Root, func(_ context.Context, base *gitrepo.Tree) ([]gitrepo.Change, string, error) {
		d, err := derive(base, rep, o, redact)
		if err != nil {
			return nil, "", err
		}
		made = append(made, d)
		st := store.New(o.Root, nil)
		var changes []gitrepo.Change
		for _, f := range d.files {
			if err := st.Ready(f); err != nil {
				return nil, "", err
			}
			changes = append(changes, gitrepo.Change(f))
		}
		return changes, redact.String(commitMessage(rep, d)), nil
	}, gitrepo.CommitOptions{AuthorName: name, AuthorEmail: email, When: rep.End, Push: o.Push, SSH: o.GitSSH})
	switch {
	case res.Derived > 0:
		made[res.Derived-1].apply(rep)
	case err != nil:
		// Nothing was committed (e.g. a detached HEAD): keep the run's
		// records in the work tree, as before commits existed, and alert.
		_ = writeRecords(rep, o, redact)
	}
	rep.Commit, rep.Pushed = res.Hash, res.Pushed
	if err != nil {
		err = errors.New(redact.String(err.Error()))
		if res.Hash != "" && res.PendingPush {
			rep.PushError = err
			return nil
		}
		return fmt.Errorf("提交巡检记录：%w", err)
	}
	return nil
}

func commitMessage(rep *Report, d *derivation) string {
	var b strings.Builder
	total := len(rep.Results)
	fmt.Fprintf(&b, "巡检：%s %s，%d/%d 通过\n\n", rep.Runbook.Title, rep.Started.Format("2006-01-02 15:04"), total-rep.Failed(), total)
	fmt.Fprintf(&b, "运行手册：%s\n巡检记录：%s\n", rep.Runbook.ID, d.inspection)
	for _, id := range d.newAnomalies {
		fmt.Fprintf(&b, "新异常：%s\n", id)
	}
	for _, id := range d.joined {
		fmt.Fprintf(&b, "关联异常：%s\n", id)
	}
	for _, id := range d.recovered {
		fmt.Fprintf(&b, "已恢复：%s\n", id)
	}
	fmt.Fprintf(&b, "运行标识：%s\n", rep.runID)
	return b.String()
}

// CleanTemp removes temporary files an interrupted run left under content/.
func CleanTemp(root string, olderThan time.Duration) {
	filepath.WalkDir(filepath.Join(root, "content"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasPrefix(d.Name(), ".opsbook-tmp-") {
			if info, err := d.Info(); err == nil && time.Since(info.ModTime()) > olderThan {
				os.Remove(p)
			}
		}
		return nil
	})
}

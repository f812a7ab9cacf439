package runner

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/opsbook/opsbook/internal/atomicfile"
	"github.com/opsbook/opsbook/internal/gitrepo"
	"github.com/opsbook/opsbook/internal/runbook"
	"github.com/opsbook/opsbook/internal/secret"
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
	x := secret.NewExpander(o.Secrets)
	checks := prepare(rb, x)
	rep := &Report{Runbook: rb, Started: o.Now().In(o.Location)}
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
	exec := &execution{concurrency: rb.Concurrency, backoff: rb.RetryBackoff, redact: x.Redactor,
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
	git := o.Commit || o.Push
	if git {
		// A run killed between moving the branch and updating the index
		// left git status inconsistent; repair that before reading.
		if err := gitrepo.Reconcile(ctx, o.Root); err != nil {
			return rep, fmt.Errorf("修复上次中断的提交：%w", err)
		}
	}
	files, err := buildRecords(rep, o, x.Redactor)
	if err != nil {
		return rep, err
	}
	if !git {
		if err := writeFiles(rep, o, files); err != nil {
			return rep, err
		}
	}
	if o.Alerter != nil {
		rep.AlertErrors = notify(ctx, rep, o, x.Redactor)
	}
	if git {
		// Commit writes the files into the work tree itself: a run killed
		// before it leaves nothing behind, one killed after it is
		// repaired by the next run's Reconcile.
		if err := commit(ctx, rep, o, files, x.Redactor); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// recordFile is one record a run writes.
type recordFile struct {
	rel  string // repository-relative path
	data []byte
}

// writeFiles writes the records atomically into the work tree.
func writeFiles(rep *Report, o Options, files []recordFile) error {
	for _, f := range files {
		if err := atomicfile.Write(filepath.Join(o.Root, filepath.FromSlash(f.rel)), f.data); err != nil {
			return fmt.Errorf("写入 %s：%w", f.rel, err)
		}
		rep.Files = append(rep.Files, f.rel)
	}
	return nil
}

// buildRecords makes the inspection, new anomalies and recoveries.
func buildRecords(rep *Report, o Options, redact *secret.Redactor) ([]recordFile, error) {
	rb := rep.Runbook
	open, err := openAnomalies(o.Root, rb.ID, o.MaxFileSize)
	if err != nil {
		return nil, fmt.Errorf("读取未关闭的异常：%w", err)
	}
	rep.Inspection = inspectionID(rb, rep.Started, o.Runner)
	var linked []string
	type file = recordFile
	var files []file
	for _, r := range rep.Results {
		a, isOpen := open[r.Check.Name]
		switch {
		case !r.Success && isOpen:
			linked = append(linked, a.ID)
		case !r.Success:
			id := anomalyID(rb, r.Check, rep.Started)
			data, err := anomalyMarkdown(rb, id, rep.Inspection, r, rep.Started)
			if err != nil {
				return nil, err
			}
			files = append(files, file{fmt.Sprintf("content/anomaly/%s/%s.md", rep.Started.Format("2006"), id), []byte(redact.String(string(data)))})
			rep.NewAnomalies = append(rep.NewAnomalies, id)
			rep.transitions = append(rep.transitions, transition{"anomaly", id, r})
			linked = append(linked, id)
		case isOpen:
			src, err := os.ReadFile(filepath.Join(o.Root, filepath.FromSlash(a.Path)))
			if err != nil {
				return nil, fmt.Errorf("读取 %s：%w", a.Path, err)
			}
			if data, ok := resolveAnomaly(src, rep.Inspection, rep.End); ok {
				files = append(files, file{a.Path, data})
				rep.Recovered = append(rep.Recovered, a.ID)
				rep.transitions = append(rep.transitions, transition{"recovery", a.ID, r})
			}
		}
	}
	data, err := inspectionYAML(rb, rep.Inspection, o.Runner, rep.Started, rep.End, rep.Results, linked)
	if err != nil {
		return nil, err
	}
	files = append([]file{{fmt.Sprintf("content/inspection/%s/%s.yaml", rep.Started.Format("2006"), rep.Inspection), []byte(redact.String(string(data)))}}, files...)
	return files, nil
}

func commit(ctx context.Context, rep *Report, o Options, files []recordFile, redact *secret.Redactor) error {
	var changes []gitrepo.Change
	for _, f := range files {
		changes = append(changes, gitrepo.Change{Path: f.rel, Content: f.data})
		rep.Files = append(rep.Files, f.rel)
	}
	name, email := o.GitAuthorName, o.GitAuthorEmail
	if name == "" {
		name, email = "opsbook runner", "runner@opsbook.invalid"
	}
	res, err := gitrepo.Commit(ctx, o.Root, changes, gitrepo.CommitOptions{
		Message: redact.String(commitMessage(rep)), AuthorName: name, AuthorEmail: email, When: rep.End, Push: o.Push,
		SSH: o.GitSSH,
	})
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

func commitMessage(rep *Report) string {
	var b strings.Builder
	total := len(rep.Results)
	fmt.Fprintf(&b, "巡检：%s %s，%d/%d 通过\n\n", rep.Runbook.Title, rep.Started.Format("2006-01-02 15:04"), total-rep.Failed(), total)
	fmt.Fprintf(&b, "运行手册：%s\n巡检记录：%s\n", rep.Runbook.ID, rep.Inspection)
	for _, id := range rep.NewAnomalies {
		fmt.Fprintf(&b, "新异常：%s\n", id)
	}
	for _, id := range rep.Recovered {
		fmt.Fprintf(&b, "已恢复：%s\n", id)
	}
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

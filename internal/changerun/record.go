package changerun

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/opsbook/opsbook/internal/gitrepo"
	"github.com/opsbook/opsbook/internal/store"
)

const timeLayout = "2006-01-02 15:04:05"

// executionKind is the kind of the records change runs write.
const executionKind = "execution"

type executionDoc struct {
	ID             string    `yaml:"id"`
	Kind           string    `yaml:"kind"`
	Title          string    `yaml:"title"`
	Change         string    `yaml:"change"`
	ApprovedBy     string    `yaml:"approved_by,omitempty"`
	ApprovedAt     string    `yaml:"approved_at,omitempty"`
	ApprovalCommit string    `yaml:"approval_commit,omitempty"`
	Operator       string    `yaml:"operator"`
	Host           string    `yaml:"host"`
	StartedAt      string    `yaml:"started_at"`
	FinishedAt     string    `yaml:"finished_at"`
	Outcome        string    `yaml:"outcome"`
	FailedStep     string    `yaml:"failed_step,omitempty"`
	Notes          string    `yaml:"notes,omitempty"`
	Steps          []stepDoc `yaml:"steps"`
}

type stepDoc struct {
	Phase      string `yaml:"phase"`
	Name       string `yaml:"name"`
	Title      string `yaml:"title,omitempty"`
	Type       string `yaml:"type"`
	Undoes     string `yaml:"undoes,omitempty"`
	Asset      string `yaml:"asset,omitempty"`
	Target     string `yaml:"target,omitempty"`
	Command    string `yaml:"command,omitempty"`
	Status     string `yaml:"status"`
	StartedAt  string `yaml:"started_at,omitempty"`
	FinishedAt string `yaml:"finished_at,omitempty"`
	DurationMS *int64 `yaml:"duration_ms,omitempty"`
	ExitCode   *int64 `yaml:"exit_code,omitempty"`
	HTTPStatus *int64 `yaml:"http_status,omitempty"`
	Output     string `yaml:"output,omitempty"`
	Error      string `yaml:"error,omitempty"`
}

// ExecutionID is the id of an execution of change started at start.
func ExecutionID(change string, start time.Time) string {
	return fmt.Sprintf("EXE-%s-%s-%s", start.Format("2006"), start.Format("0102-150405"), change)
}

var outcomeLabels = map[string]string{
	OutcomeSuccess: "成功", OutcomeRolledBack: "已回退", OutcomeRollbackFailed: "回退失败，须人工处理", OutcomeFailed: "失败（无回退步骤）",
}

// OutcomeLabel is the Chinese name of an outcome.
func OutcomeLabel(o string) string { return outcomeLabels[o] }

// yamlRecord renders the execution record, redacted.
func (pl *Plan) yamlRecord(rep *Report) ([]byte, error) {
	// Whole seconds: the start rounds down and the end up, so the recorded
	// span contains the real one and finished_at > started_at.
	start := rep.Started.Truncate(time.Second)
	end := rep.End.Add(time.Second - time.Nanosecond).Truncate(time.Second)
	if !end.After(start) {
		end = start.Add(time.Second)
	}
	doc := executionDoc{ID: rep.ID, Kind: "execution", Title: fmt.Sprintf("执行 %s %s", pl.ID, pl.Title), Change: pl.ID,
		Operator: rep.Operator, Host: rep.Host, StartedAt: start.Format(timeLayout), FinishedAt: end.Format(timeLayout),
		Outcome: rep.Outcome, FailedStep: rep.FailedStep}
	if a := pl.Approval; a.Commit != "" {
		doc.ApprovedBy, doc.ApprovedAt, doc.ApprovalCommit = a.By, a.At.In(start.Location()).Format(timeLayout), a.Commit
	}
	if rep.WindowOverrun {
		doc.Notes = fmt.Sprintf("执行结束时间晚于实施窗口结束时间 %s。", pl.End.Format("2006-01-02 15:04"))
	}
	for _, r := range rep.Results {
		s := r.Step
		sd := stepDoc{Phase: s.Phase, Name: s.Name, Title: s.Title, Type: s.Type, Undoes: s.Undoes, Asset: s.Asset,
			Target: s.Target(rep.Host), Command: s.Command(), Status: r.Status, ExitCode: r.ExitCode, HTTPStatus: r.HTTPStatus,
			Output: r.Output, Error: r.Error}
		if r.Status != StatusSkipped {
			ms := r.Duration.Milliseconds()
			sd.StartedAt, sd.FinishedAt, sd.DurationMS = r.Start.Format(timeLayout), r.End.Format(timeLayout), &ms
		}
		doc.Steps = append(doc.Steps, sd)
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "# 由 opsbook change run 自动生成（变更 %s）；请勿手工修改。\n", pl.ID)
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return []byte(pl.redactor.String(b.String())), nil
}

// record writes the execution record through the record store without
// overwriting anything, checks it with the rules validate applies
// (warnings only), and commits and pushes it on the main
// line. The work tree is left as it was found: the record is written there
// first only when the main line is checked out (gitrepo.Commit then just
// records it in the index); with another branch checked out it goes into
// the commit alone, and into the work tree only if the commit fails, so
// that nothing is lost. An id already taken on the main line's tip or in
// the work tree gets a -2, -3, … suffix.
func (pl *Plan) record(ctx context.Context, rep *Report, o Options) error {
	root := pl.rp.Root
	st := store.New(root, pl.rp.Rules)
	commit := o.Commit || o.Push
	onMain := true
	if commit {
		var err error
		if onMain, err = checkedOut(root, o.Branch); err != nil {
			return fmt.Errorf("写入执行记录：%w", err)
		}
	}
	year := rep.Started.Format("2006")
	onTip := map[string]bool{}
	if commit {
		files, err := mainExecutions(ctx, root, o.Branch, executionDir+year, 0)
		if err != nil {
			return fmt.Errorf("写入执行记录：%w", err)
		}
		for _, f := range files {
			onTip[f.path] = true
		}
	}
	for n := 1; ; n++ {
		rep.ID = ExecutionID(pl.ID, rep.Started)
		if n > 1 {
			rep.ID += fmt.Sprintf("-%d", n)
		}
		rep.Path = store.Path(executionKind, year, rep.ID, ".yaml")
		full := st.Abs(rep.Path)
		if onTip[rep.Path] && n < 100 {
			continue
		}
		data, err := pl.yamlRecord(rep)
		if err != nil {
			return fmt.Errorf("生成执行记录：%w", err)
		}
		f := store.File{Path: rep.Path, Content: data}
		if onMain {
			err = st.Write(f, store.Create)
		} else if _, serr := os.Lstat(full); serr == nil {
			err = fs.ErrExist // an untracked file of that name would block checking out the main line
		}
		if errors.Is(err, fs.ErrExist) && n < 100 {
			continue
		}
		if err != nil {
			return fmt.Errorf("写入执行记录 %s：%w", rep.Path, err)
		}
		rep.Warnings = append(rep.Warnings, pl.checkRecord(st, f)...)
		if !commit {
			return nil
		}
		res, err := gitrepo.Commit(ctx, root, []gitrepo.Change{gitrepo.Change(f)}, gitrepo.CommitOptions{
			Message: pl.redactor.String(commitMessage(pl, rep)), AuthorName: rep.Operator, When: rep.End, Branch: o.Branch,
			Push: o.Push, SSH: o.GitSSH,
		})
		rep.commitResult(res)
		rep.Warnings = append(rep.Warnings, res.Warnings...)
		if err == nil {
			return nil
		}
		err = errors.New(pl.redactor.String(err.Error()))
		switch {
		case res.Hash != "" && res.PendingPush:
			rep.PushError = err
			return nil
		case res.Committed:
			return fmt.Errorf("执行记录 %s 已提交到主分支 %s（%s），但随后出错：%w", rep.Path, o.Branch, shortHash(res.Hash), err)
		case onMain:
			return fmt.Errorf("执行记录 %s 已写入，但提交失败：%w；请手工提交该文件", rep.Path, err)
		}
		// Not committed, and not in the work tree either: keep it there
		// rather than lose it.
		if werr := st.Write(f, store.Create); werr != nil {
			return fmt.Errorf("执行记录 %s 提交到主分支 %s 失败（%w），写入工作区也失败（%v）；以下是记录全文，请保存为该文件并提交到主分支：\n%s",
				rep.Path, o.Branch, err, werr, data)
		}
		return fmt.Errorf("执行记录 %s 提交到主分支 %s 失败：%w；记录已写入工作区的该文件（当前检出的不是 %s），请切换到 %s 后手工提交",
			rep.Path, o.Branch, err, o.Branch, o.Branch)
	}
}

// checkRecord checks the record with the rules validate applies to it
// (internal/store); problems are warnings, since the record of what was
// done must be kept anyway.
func (pl *Plan) checkRecord(st *store.Store, f store.File) []string {
	if pl.rp.Schemas.Kinds[executionKind] == nil {
		return []string{"schemas/ 中没有 execution.yaml，执行记录未经校验；请从 opsbook 的 schemas/ 复制 execution.yaml"}
	}
	var out []string
	for _, v := range st.Check(f) {
		out = append(out, "执行记录未通过校验："+v.String())
	}
	return out
}

func commitMessage(pl *Plan, rep *Report) string {
	var b strings.Builder
	fmt.Fprintf(&b, "变更执行：%s %s，%s\n\n", pl.ID, pl.Title, OutcomeLabel(rep.Outcome))
	fmt.Fprintf(&b, "执行记录：%s\n操作人：%s\n执行主机：%s\n", rep.ID, rep.Operator, rep.Host)
	if pl.Approval.Commit != "" {
		fmt.Fprintf(&b, "批准：%s 于 %s 合并（%s）\n", pl.Approval.By, pl.Approval.At.Format("2006-01-02 15:04"), pl.Approval.Commit[:min(10, len(pl.Approval.Commit))])
	}
	if rep.FailedStep != "" {
		fmt.Fprintf(&b, "失败步骤：%s\n", rep.FailedStep)
	}
	return b.String()
}

package changerun

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/user"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"

	"github.com/opsbook/opsbook/internal/check"
	"github.com/opsbook/opsbook/internal/gitrepo"
	"github.com/opsbook/opsbook/internal/kind"
	"github.com/opsbook/opsbook/internal/layout"
	"github.com/opsbook/opsbook/internal/probe"
	"github.com/opsbook/opsbook/internal/record"
	"github.com/opsbook/opsbook/internal/repofile"
	"github.com/opsbook/opsbook/internal/secret"
	"github.com/opsbook/opsbook/internal/signers"
	"github.com/opsbook/opsbook/internal/workspace"
)

// Options configure Prepare and Execute.
type Options struct {
	Branch   string           // the main line: "" or the configured main branch (opsbook.yaml main_branch); any other is refused
	Now      func() time.Time // default time.Now; tests inject the clock
	Operator string           // who runs the change; required by Execute
	Host     string           // the executing host; default os.Hostname
	Secrets  secret.Source    // default: environment and files
	// Progress is told when a step starts (done false) and ends.
	Progress func(r StepResult, done bool)
	Commit   bool // commit the execution record on Branch
	Push     bool // and push it (implies Commit)
	GitSSH   gitrepo.SSHOptions
	// LockDir holds Execute's per-change locks; default the repository's
	// .git directory.
	LockDir string
	// CheckRemote makes Prepare ask the remote (origin) for the main
	// line's tip first and refuse when the local one lacks commits of it:
	// the change may have been cancelled, edited or executed since.
	CheckRemote bool
}

func (o *Options) defaults() {
	if o.Now == nil {
		o.Now = time.Now
	}

	if o.Host == "" {
		o.Host, _ = os.Hostname()
		if o.Host == "" {
			o.Host = "unknown"
		}
	}
}

// Refusal codes: why a change may not run now.
const (
	RefuseNotFound      = "not-found"      // no such change
	RefuseBranch        = "branch"         // asked to run from a branch other than the configured main branch
	RefuseNotMerged     = "not-merged"     // not on the main line (only on a branch)
	RefuseNotApproved   = "not-approved"   // on the main line without an independent merge
	RefuseStatus        = "status"         // status is not approved
	RefuseExecuted      = "executed"       // an earlier execution succeeded
	RefuseRunning       = "running"        // another run of it is under way on this machine
	RefuseStale         = "stale"          // the local main line lacks commits of the remote's (or it cannot be asked)
	RefuseNoSteps       = "no-steps"       // nothing to execute
	RefuseInvalid       = "invalid"        // the change or its steps do not validate
	RefuseSecrets       = "secrets"        // a secret reference cannot be expanded
	RefuseBusinessHours = "business-hours" // the window overlaps business hours on a workday
	RefuseFreeze        = "freeze"         // the window overlaps an event freeze
	RefuseNoCalendar    = "no-calendar"    // no holiday data for the window's year
	RefuseJustification = "justification"  // emergency without a justification
	RefuseBeforeWindow  = "before-window"  // the window has not started
	RefuseAfterWindow   = "after-window"   // the window is over
)

// Reason is one reason for a refusal.
type Reason struct {
	Code    string
	Message string // Chinese, says what to do
}

// Refusal means a gate said no; nothing was run.
type Refusal struct {
	Change  string
	Reasons []Reason
}

func (r *Refusal) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "拒绝执行变更 %s：", r.Change)
	if len(r.Reasons) == 1 {
		b.WriteString(r.Reasons[0].Message)
		return b.String()
	}
	for i, x := range r.Reasons {
		fmt.Fprintf(&b, "\n  %d. %s", i+1, x.Message)
	}
	return b.String()
}

// Has reports whether the refusal gives reason code.
func (r *Refusal) Has(code string) bool {
	return slices.ContainsFunc(r.Reasons, func(x Reason) bool { return x.Code == code })
}

// Plan is a change that passed every gate, ready to execute.
type Plan struct {
	ID, Title, Path string
	Change          *record.Record // the version on the main line
	Start, End      time.Time      // the window
	Emergency       bool
	Approval        gitrepo.Approval // the merge that approved the current version
	Procedure       *Procedure
	Warnings        []string // worth telling the operator; not reasons to refuse

	rp       *workspace.Workspace
	redactor *secret.Redactor
	ready    map[string]*probe.Probe // by step name
}

// Prepare finds change id on the main line and checks every gate. It
// returns a *Refusal when the change may not run now; other errors mean
// the repository could not be read.
func Prepare(ctx context.Context, rp *workspace.Workspace, id string, o Options) (*Plan, error) {
	o.defaults()
	if r := o.mainLine(rp, id); r != nil {
		return nil, r
	}
	refuse := func(code, format string, args ...any) *Refusal {
		return &Refusal{Change: id, Reasons: []Reason{{code, fmt.Sprintf(format, args...)}}}
	}
	if o.CheckRemote {
		if reason, ok := upToDate(ctx, rp.Root, o); !ok {
			return nil, &Refusal{Change: id, Reasons: []Reason{reason}}
		}
	}
	trail, err := gitrepo.AuditTrail(ctx, rp.Root, o.Branch, layout.ContentDir+"/change/")
	if errors.Is(err, gitrepo.ErrNotRepository) {
		return nil, refuse(RefuseNotMerged, "%s 不是 git 仓库，无法从历史证明变更已经批准；请在运维仓库的克隆中运行", rp.Root)
	}
	if err != nil {
		return nil, fmt.Errorf("读取主分支 %s 的审批记录：%w", o.Branch, err)
	}
	rel := ""
	for p := range trail {
		if e := layout.NewEntry(p); e.Stem == id && e.Kind == "change" {
			rel = p
		}
	}
	if rel == "" {
		if local := rp.Index.Lookup(id); len(local) > 0 {
			return nil, refuse(RefuseNotMerged, "%s 不在主分支 %s 上（只在当前工作区或分支中）：变更须经合并请求由他人审批合并到 %s 后才能执行",
				local[0].Path, o.Branch, o.Branch)
		}
		return nil, refuse(RefuseNotFound, "主分支 %s 上没有变更 %s（应为 content/change/<年份>/%s.md）；请检查编号", o.Branch, id, id)
	}
	data, err := readAt(rp.Root, o.Branch, rel)
	if err != nil {
		return nil, err
	}
	r, err := record.Parse(rel, data)
	if err != nil {
		return nil, refuse(RefuseInvalid, "主分支上的 %s 无法解析：%v", rel, err)
	}
	pl := &Plan{ID: id, Title: r.Title(), Path: rel, Change: r, rp: rp}
	var reasons []Reason
	why := func(code, format string, args ...any) {
		reasons = append(reasons, Reason{code, fmt.Sprintf(format, args...)})
	}

	audit := trail[rel]
	if a := audit.CurrentApproval(); a != nil {
		pl.Approval = *a
	}
	switch {
	case audit.Verdict == gitrepo.VerdictUnsigned || audit.Verdict == gitrepo.VerdictBadSignature:
		why(RefuseNotApproved, "主分支上 %s 的当前版本未经审核人签名批准：%s。请由作者以外的审核人用自己登记在 %s 中的密钥签名合并（git merge -S）后再执行",
			rel, audit.Reason, signers.AllowedSignersPath)
	case !audit.Independent:
		why(RefuseNotApproved, "主分支上 %s 的当前版本未经他人审批：%s。请由作者以外的审核人通过合并请求（保留合并提交）合并后再执行", rel, audit.Reason)
	}
	if local, err := repofile.ReadFile(rp.Root, rel); err == nil && !bytes.Equal(local, data) {
		pl.Warnings = append(pl.Warnings, fmt.Sprintf("工作区中的 %s 与主分支 %s 上的版本不同；执行的是主分支上已批准的版本", rel, o.Branch))
	}

	// The whole record must validate, as CI would: schema, references,
	// sections, and the window rules (business hours by the holiday
	// calendar, event freezes, emergency justification).
	k := rp.Schemas.Kinds["change"]
	if k == nil {
		return nil, fmt.Errorf("schemas/ 中没有 change.yaml，无法校验变更")
	}
	for _, v := range rp.Rules.CheckRecord(r, layout.NewEntry(rel), k) {
		if v.Rule == stepsRule {
			continue // ParseProcedure below reports the steps' problems
		}
		code := RefuseInvalid
		switch v.Rule {
		case "change/business-hours":
			code = RefuseBusinessHours
		case "change/freeze":
			code = RefuseFreeze
		case "calendar/no-data":
			code = RefuseNoCalendar
		case "change/emergency-justification":
			code = RefuseJustification
		}
		msg := v.String()
		if code == RefuseBusinessHours {
			msg += "（法定节假日不算工作日，调休上班的周末算工作日）"
		}
		why(code, "%s", msg)
	}

	ch, _ := kind.ChangeFrom(r, rp.Config.Location) // unreadable times are reported by the schema above
	switch status := ch.Status; status {
	case "approved":
	case "draft":
		why(RefuseStatus, "变更状态为 draft（草稿）：请把 status 改为 approved 并经合并请求审批后再执行")
	case "done", "rolled-back", "cancelled":
		why(RefuseStatus, "变更状态为 %s，不是 approved；已实施、已回退或已取消的变更不能再次执行，如需再次实施请提交新的变更", status)
	default:
		why(RefuseStatus, "变更状态为 %q，只有 approved（已批准）的变更可以执行", status)
	}
	if prev, err := successfulExecution(ctx, rp.Root, o.Branch, rp.Config.MaxFileSize, id); err != nil {
		return nil, err
	} else if prev != "" {
		why(RefuseExecuted, "变更已由执行记录 %s 成功实施，不能重复执行；如需再次实施请提交新的变更", prev)
	}

	proc, problems := ParseProcedure(r)
	pl.Procedure = proc
	if proc == nil {
		why(RefuseNoSteps, "%s 没有 steps（实施步骤），没有可自动执行的内容；请按实施方案手工实施，或在变更中补充 steps 和 rollback 并重新审批", rel)
	}
	for _, p := range problems {
		pos := r.At(p.Pointer)
		why(RefuseInvalid, "%s:%d:%d: %s", rel, pos.Line, pos.Col, p.Message)
	}
	if proc != nil && len(problems) == 0 {
		reasons = append(reasons, pl.build(o)...)
	}

	pl.Emergency = ch.Emergency
	if w := ch.Window.In(rp.Config.Location); w.OK() {
		pl.Start, pl.End = w.Start, w.End
		if reason, ok := pl.inWindow(o.Now()); !ok {
			reasons = append(reasons, reason)
		}
	}
	if len(reasons) > 0 {
		return pl, &Refusal{Change: id, Reasons: reasons}
	}
	return pl, nil
}

// inWindow says whether now lies in [Start, End).
func (pl *Plan) inWindow(now time.Time) (Reason, bool) {
	now = now.In(pl.Start.Location())
	const layout = "2006-01-02 15:04"
	switch {
	case now.Before(pl.Start):
		return Reason{RefuseBeforeWindow, fmt.Sprintf("尚未到实施窗口：窗口 %s 至 %s，现在是 %s（还差 %s）；请在窗口内再运行",
			pl.Start.Format(layout), pl.End.Format(layout), now.Format(layout), span(pl.Start.Sub(now)))}, false
	case !now.Before(pl.End):
		return Reason{RefuseAfterWindow, fmt.Sprintf("实施窗口已于 %s 结束（窗口 %s 至 %s，现在是 %s）；请修改窗口后重新提交审批",
			pl.End.Format(layout), pl.Start.Format(layout), pl.End.Format(layout), now.Format(layout))}, false
	}
	return Reason{}, true
}

// span renders a wait in days, hours and minutes: 6 天 1 小时 36 分钟.
func span(d time.Duration) string {
	m := int(d.Round(time.Minute) / time.Minute)
	var parts []string
	for _, u := range []struct {
		n    int
		name string
	}{{m / (24 * 60), "天"}, {m / 60 % 24, "小时"}, {m % 60, "分钟"}} {
		if u.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", u.n, u.name))
		}
	}
	if len(parts) == 0 {
		return "不到 1 分钟"
	}
	return strings.Join(parts, " ")
}

// build expands every step's secrets and builds its probe, so a missing
// variable or a bad parameter is found before anything runs.
func (pl *Plan) build(o Options) []Reason {
	secrets := probe.NewSecrets(o.Secrets)
	pl.redactor = secrets.Redactor()
	pl.ready = map[string]*probe.Probe{}
	var reasons []Reason
	for _, s := range slices.Concat(pl.Procedure.Steps, pl.Procedure.Rollback) {
		pos := pl.Change.At(s.Pointer)
		spec := check.Spec{Name: s.Name, Title: s.Title, Type: s.Type, Asset: s.Asset, Timeout: s.Timeout, Params: s.Params}
		// Conditions parse: ParseProcedure found no problems.
		p, err := probe.Prepare(probe.Spec{Spec: spec, Conditions: s.Conditions}, secrets)
		var pe *probe.Error
		switch {
		case errors.As(err, &pe) && pe.Secrets != nil:
			reasons = append(reasons, Reason{RefuseSecrets, fmt.Sprintf("%s:%d:%d: 步骤 %s：%v；请在执行主机上设置后再运行", pl.Path, pos.Line, pos.Col, s.Name, pe.Secrets)})
		case err != nil:
			reasons = append(reasons, Reason{RefuseInvalid, fmt.Sprintf("%s:%d:%d: 步骤 %s：%s", pl.Path, pos.Line, pos.Col, s.Name, pl.redactor.String(err.Error()))})
		default:
			pl.ready[s.Name] = p
		}
	}
	return reasons
}

// upToDate asks the remote whether the local main line has all its
// commits; a remote that cannot be asked, or lacks the branch, is a
// refusal too (--offline skips the question).
func upToDate(ctx context.Context, root string, o Options) (Reason, bool) {
	f, err := gitrepo.CheckUpToDate(ctx, root, o.Branch, gitrepo.CommitOptions{SSH: o.GitSSH})
	switch {
	case errors.Is(err, gitrepo.ErrNotRepository):
		return Reason{}, true // the approval gate refuses it, saying why
	case errors.Is(err, gitrepo.ErrNoRemote):
		return Reason{RefuseStale, "仓库没有名为 origin 的远程，无法核对主分支 " + o.Branch + " 是否最新；确认按本地主分支执行请加 --offline"}, false
	case err != nil:
		return Reason{RefuseStale, fmt.Sprintf("无法向远程核对主分支 %s 是否最新：%v。确认按本地主分支执行请加 --offline", o.Branch, err)}, false
	case f.Remote == "":
		return Reason{RefuseStale, fmt.Sprintf("远程没有分支 %s，无法核对本地主分支是否最新；请检查 opsbook.yaml 的 main_branch，确认按本地主分支执行请加 --offline", o.Branch)}, false
	case f.Behind:
		return Reason{RefuseStale, fmt.Sprintf("本地主分支 %s（%s）落后于远程（%s）：远程上该变更可能已被撤销、修改或执行。请先 git pull --ff-only 再执行",
			o.Branch, shortHash(f.Local), shortHash(f.Remote))}, false
	}
	return Reason{}, true
}

func shortHash(h string) string {
	if h == "" {
		return "无"
	}
	return h[:min(len(h), 10)]
}

// readAt reads rel from the tip of branch.
func readAt(root, branch, rel string) ([]byte, error) {
	r, err := git.PlainOpenWithOptions(root, &git.PlainOpenOptions{DetectDotGit: true})
	if err != nil {
		return nil, fmt.Errorf("打开 git 仓库 %s：%w", root, err)
	}
	h, err := r.ResolveRevision(plumbing.Revision(branch))
	if err != nil {
		return nil, fmt.Errorf("找不到主分支 %s：%w", branch, err)
	}
	c, err := r.CommitObject(*h)
	if err != nil {
		return nil, fmt.Errorf("读取 %s 的提交：%w", branch, err)
	}
	f, err := c.File(path.Clean(rel))
	if err != nil {
		return nil, fmt.Errorf("读取主分支上的 %s：%w", rel, err)
	}
	s, err := f.Contents()
	return []byte(s), err
}

// DefaultOperator names whoever runs opsbook in root: OPSBOOK_OPERATOR,
// else git's user.name (gitrepo.User), else the login
// name.
func DefaultOperator(root string) string {
	if v := strings.TrimSpace(os.Getenv("OPSBOOK_OPERATOR")); v != "" {
		return v
	}
	if name, _ := gitrepo.User(root); name != "" {
		return name
	}
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return ""
}

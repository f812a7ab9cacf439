package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/opsbook/opsbook/internal/changerun"
)

func init() {
	changeSubcommands["run"] = subcommand{
		summary: "在实施窗口内执行已批准变更的 steps，失败时按倒序回退，写入执行记录并提交推送",
		run:     parsed(parseChangeRun),
	}
}

// Seams for tests: the clock, and the terminal the confirmation is read
// from. Production never changes them; there is deliberately no flag that
// moves "now", since the window is a control.
var (
	changeRunNow                  = time.Now
	changeRunStdin      io.Reader = os.Stdin
	changeRunIsTerminal           = stdinIsTerminal
)

// stdinIsTerminal reports whether stdin is a terminal someone can type
// into: a character device other than /dev/null (which cron, systemd and
// CI jobs hand their commands).
func stdinIsTerminal() bool {
	st, err := os.Stdin.Stat()
	if err != nil || st.Mode()&os.ModeCharDevice == 0 {
		return false
	}
	null, err := os.Stat(os.DevNull)
	return err != nil || !os.SameFile(st, null)
}

type changeRunOptions struct {
	repo, operator, branch string
	yes, dryRun, noPush    bool
	offline                bool
	id                     string // the change to run
}

func parseChangeRun(env *Env, args []string) (*changeRunOptions, error) {
	var o changeRunOptions
	fs := flagSet(env, "change run", "change run 变更编号 [--yes] [--dry-run] [--operator 姓名] [--no-push] [--offline]", &o.repo)
	fs.BoolVar(&o.yes, "yes", false, "不询问确认直接执行（自动化使用）；在终端上默认要求输入变更编号确认")
	fs.BoolVar(&o.dryRun, "dry-run", false, "只检查审批、状态、窗口和步骤参数并列出将执行的步骤，不连接任何主机、不写记录")
	fs.StringVar(&o.operator, "operator", "", "操作人姓名，写入执行记录（默认：$OPSBOOK_OPERATOR，其次 git config user.name）")
	fs.StringVar(&o.branch, "branch", "", "只接受 opsbook.yaml 中 main_branch 设定的主分支（默认 main）：变更须经合并到达主分支，执行记录也提交到主分支；指定其他分支会被拒绝")
	fs.BoolVar(&o.noPush, "no-push", false, "只在本地提交执行记录，不推送")
	fs.BoolVar(&o.offline, "offline", false, "不向远程核对本地主分支是否最新（远程不可达时使用，请确认已 git pull）")
	pos, err := parse(fs, args)
	if err != nil {
		return nil, err
	}
	if len(pos) != 1 {
		return nil, usage(fs, "")
	}
	o.id = pos[0]
	return &o, nil
}

func (o *changeRunOptions) run(ctx context.Context, env *Env) error {
	id := o.id
	rp, err := openRepository(env, o.repo, "opsbook change run")
	if err != nil {
		return err
	}
	root := rp.Root
	operator := o.operator
	if operator == "" {
		operator = changerun.DefaultOperator(root)
	}
	opts := changerun.Options{Branch: o.branch, Now: changeRunNow, Operator: operator, Commit: true, Push: !o.noPush,
		GitSSH: gitSSHFromEnv(), CheckRemote: !o.offline}

	plan, err := changerun.Prepare(ctx, rp, id, opts)
	if plan != nil && (o.dryRun || err == nil) {
		printPlan(env.Stdout, plan)
	}
	var refusal *changerun.Refusal
	if errors.As(err, &refusal) {
		return fmt.Errorf("opsbook change run: %w", refusal) // exitCode maps a refusal
	}
	if err != nil {
		return fmt.Errorf("opsbook change run: %w", err)
	}
	for _, w := range plan.Warnings {
		fmt.Fprintf(env.Stderr, "注意：%s\n", w)
	}
	if o.dryRun {
		fmt.Fprintln(env.Stdout, "检查通过：审批、状态、窗口和步骤参数均满足要求（--dry-run，未执行任何步骤）。")
		return nil
	}
	if opts.Operator == "" {
		return errors.New("opsbook change run: 无法确定操作人：请用 --operator 指定，或设置 git config user.name")
	}
	if !o.yes {
		if err := confirmChange(env, id); err != nil {
			return err
		}
	}

	opts.Progress = stepPrinter(env.Stdout, plan)
	rep, err := plan.Execute(ctx, opts)
	if errors.As(err, &refusal) {
		return fmt.Errorf("opsbook change run: %w", refusal)
	}
	printExecution(env.Stdout, rep)
	if rep != nil {
		for _, w := range rep.Warnings {
			fmt.Fprintf(env.Stderr, "注意：%s\n", w)
		}
	}
	if err != nil {
		return fmt.Errorf("opsbook change run: %w", err)
	}
	if rep.PushError != nil {
		return fmt.Errorf("opsbook change run: 推送失败，执行记录的提交 %s 已保留在本地，下次提交时一并推送（也可手工 git push）：%v", short(rep.Commit), rep.PushError)
	}
	if rep.Outcome != changerun.OutcomeSuccess {
		return errFound
	}
	return nil
}

// confirmChange asks the operator to type the change id on a terminal.
func confirmChange(env *Env, id string) error {
	if !changeRunIsTerminal() {
		return errors.New("opsbook change run: 标准输入不是终端，无法确认执行；在自动化任务中运行请加 --yes")
	}
	fmt.Fprintf(env.Stderr, "将在生产环境执行以上步骤。请输入变更编号 %s 确认（其他输入取消）：", id)
	line, _ := bufio.NewReader(changeRunStdin).ReadString('\n')
	if strings.TrimSpace(line) != id {
		return told("已取消，未执行任何步骤。")
	}
	return nil
}

func printPlan(w io.Writer, pl *changerun.Plan) {
	const layout = "2006-01-02 15:04"
	fmt.Fprintf(w, "变更 %s：%s\n", pl.ID, pl.Title)
	if !pl.Start.IsZero() {
		fmt.Fprintf(w, "实施窗口：%s 至 %s", pl.Start.Format(layout), pl.End.Format(layout))
		if pl.Emergency {
			fmt.Fprint(w, "（紧急变更）")
		}
		fmt.Fprintln(w)
	}
	if a := pl.Approval; a.Commit != "" {
		fmt.Fprintf(w, "批准：%s 于 %s 合并（%s）\n", a.By, a.At.In(pl.Start.Location()).Format(layout), short(a.Commit))
	}
	if pl.Procedure == nil {
		return
	}
	host, _ := os.Hostname()
	fmt.Fprintln(w, "实施步骤：")
	for i, s := range pl.Procedure.Steps {
		fmt.Fprintf(w, "  %d. %s（%s，%s %s，时限 %s）\n     %s\n", i+1, s.Label(), s.Name, s.Type, s.Target(host), s.Timeout, indent(s.Command()))
	}
	if len(pl.Procedure.Rollback) > 0 {
		fmt.Fprintln(w, "回退步骤（某步失败时，从该步起倒序执行撤销它们的回退步骤）：")
		for _, s := range pl.Procedure.Rollback {
			fmt.Fprintf(w, "  - %s（%s，撤销 %s；%s %s）\n     %s\n", s.Label(), s.Name, s.Undoes, s.Type, s.Target(host), indent(s.Command()))
		}
	}
}

func indent(s string) string { return strings.ReplaceAll(s, "\n", "\n     ") }

// stepPrinter reports each step as it starts and ends.
func stepPrinter(w io.Writer, pl *changerun.Plan) func(changerun.StepResult, bool) {
	total := len(pl.Procedure.Steps)
	n := 0
	return func(r changerun.StepResult, done bool) {
		s := r.Step
		if !done {
			if s.Phase == changerun.PhaseRollback {
				fmt.Fprintf(w, "↩ 回退 %s（%s，撤销 %s）… ", s.Label(), s.Name, s.Undoes)
			} else {
				n++
				fmt.Fprintf(w, "▶ [%d/%d] %s（%s）… ", n, total, s.Label(), s.Name)
			}
			return
		}
		if r.Status == changerun.StatusSuccess {
			fmt.Fprintf(w, "✓ %s\n", r.Duration.Round(time.Millisecond))
			return
		}
		fmt.Fprintf(w, "✗ %s\n    %s\n", r.Duration.Round(time.Millisecond), r.Error)
		if r.Output != "" {
			fmt.Fprintf(w, "    输出：%s\n", strings.ReplaceAll(r.Output, "\n", "\n          "))
		}
	}
}

func printExecution(w io.Writer, rep *changerun.Report) {
	if rep == nil {
		return
	}
	fmt.Fprintf(w, "执行结果：%s", changerun.OutcomeLabel(rep.Outcome))
	if rep.FailedStep != "" {
		fmt.Fprintf(w, "（失败步骤 %s）", rep.FailedStep)
	}
	fmt.Fprintf(w, "，用时 %s\n", rep.End.Sub(rep.Started).Round(time.Second))
	if rep.WindowOverrun {
		fmt.Fprintf(w, "注意：执行结束时已超出实施窗口（%s 结束）\n", rep.Plan.End.Format("2006-01-02 15:04"))
	}
	if rep.Outcome == changerun.OutcomeRollbackFailed {
		fmt.Fprintln(w, "回退未完成：系统可能处于中间状态，请立即按回退方案人工处理，并在执行记录中补充说明。")
	}
	if rep.Path != "" {
		fmt.Fprintf(w, "执行记录：%s（%s）\n", rep.ID, rep.Path)
	}
	if rep.Commit != "" {
		state := "已提交"
		if rep.Pushed {
			state = "已提交并推送"
		}
		fmt.Fprintf(w, "%s：%s\n", state, short(rep.Commit))
	}
}

package cli

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/opsbook/opsbook/internal/approval"
)

func init() {
	register(command{name: "audit", summary: "审计：变更的审批证据（approvals）", run: runAudit})
}

// auditSubcommands are `opsbook audit approvals` (and later audits).
var auditSubcommands = map[string]subcommand{
	"approvals": {summary: "每项变更由谁合并批准及审批依据（签名已验证／平台签名／仅提交者信息）；标出自行审批、未签名或签名无效的合并、未经合并提交进入主分支、批准后被修改的变更和未经批准的审核人密钥名单修改", run: parsed(parseAuditApprovals)},
}

func runAudit(ctx context.Context, env *Env, args []string) error {
	return dispatch(ctx, env, "audit", auditSubcommands, args)
}

type auditApprovalsOptions struct {
	repo, since, branch, format string
	strict                      bool
}

func parseAuditApprovals(env *Env, args []string) (*auditApprovalsOptions, error) {
	var o auditApprovalsOptions
	fs := flagSet(env, "audit approvals", "audit approvals [--since YYYY-MM-DD] [--branch 主分支] [--format text|json|github] [--strict]", &o.repo)
	fs.StringVar(&o.since, "since", "", "只审计此日期（YYYY-MM-DD）以来进入主分支的变更")
	fs.StringVar(&o.branch, "branch", "", "主分支（默认 opsbook.yaml 的 main_branch，未设置时为 main；本地没有时用 origin/<分支>）")
	fs.StringVar(&o.format, "format", "text", "输出格式："+strings.Join(approval.AuditFormats(), "|"))
	fs.BoolVar(&o.strict, "strict", false, "发现违规时以退出码 1 失败（也可在 opsbook.yaml 中设置 approvals: {strict: true}）")
	pos, err := parse(fs, args)
	if err != nil {
		return nil, err
	}
	if len(pos) > 0 {
		return nil, fmt.Errorf("opsbook audit approvals: 多余的参数 %q", pos)
	}
	if !slices.Contains(approval.AuditFormats(), o.format) {
		return nil, fmt.Errorf("opsbook audit approvals: 未知格式 %q；可选 %s", o.format, strings.Join(approval.AuditFormats(), "、"))
	}
	return &o, nil
}

func (o *auditApprovalsOptions) run(ctx context.Context, env *Env) error {
	rp, err := openRepository(env, o.repo, "opsbook audit approvals")
	if err != nil {
		return err
	}
	root := rp.Root
	loc := rp.Config.Location
	var since time.Time
	if o.since != "" {
		if since, err = time.ParseInLocation(time.DateOnly, o.since, loc); err != nil {
			return fmt.Errorf("opsbook audit approvals: --since %q 应为日期 YYYY-MM-DD", o.since)
		}
	}
	report, err := approval.Load(ctx, approval.Options{Root: root, Branch: cmp.Or(o.branch, rp.Config.MainBranch), Location: loc, MaxFileSize: rp.Config.MaxFileSize})
	if err != nil {
		return fmt.Errorf("opsbook audit approvals: %w", err)
	}
	audit := report.Audit(since, o.strict || rp.Config.Approvals.Strict)
	if err := approval.WriteAudit(env.Stdout, o.format, audit, loc); err != nil {
		return fmt.Errorf("opsbook audit approvals: %w", err)
	}
	if audit.Failed() {
		return errFound
	}
	return nil
}

package cli

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/opsbook/opsbook/internal/approval"
	"github.com/opsbook/opsbook/internal/calendar"
)

func init() {
	changeSubcommands["status"] = subcommand{summary: "变更的状态（草稿/已批准/已执行/已关闭/已回退）、审批人、审批时间和实施窗口", run: runChangeStatus}
}

type changeStatusOptions struct {
	repo, branch, format, now string
}

func runChangeStatus(ctx context.Context, env *Env, args []string) int {
	var o changeStatusOptions
	fs := flagSet(env, "change status", "change status [ID…] [--branch 主分支] [--format text|json] [--now 时间]", &o.repo)
	fs.StringVar(&o.branch, "branch", "", "主分支（默认 opsbook.yaml 的 main_branch，未设置时为 main；本地没有时用 origin/<分支>）")
	fs.StringVar(&o.format, "format", "text", "输出格式："+strings.Join(approval.StatusFormats(), "|"))
	fs.StringVar(&o.now, "now", "", "以此时刻为“现在”判断是否在实施窗口内（YYYY-MM-DD HH:MM）")
	ids, code, ok := parseOrExit(fs, args)
	if !ok {
		return code
	}
	if !slices.Contains(approval.StatusFormats(), o.format) {
		fmt.Fprintf(env.Stderr, "opsbook change status: 未知格式 %q；可选 %s\n", o.format, strings.Join(approval.StatusFormats(), "、"))
		return ExitError
	}
	rp, code := openRepository(env, o.repo, "opsbook change status")
	if rp == nil {
		return code
	}
	root := rp.Root
	var err error
	now := time.Now()
	if o.now != "" {
		if now, _, err = calendar.ParseTime(o.now, rp.Config.Location); err != nil {
			fmt.Fprintf(env.Stderr, "opsbook change status: --now：%v\n", err)
			return ExitError
		}
	}
	report, err := approval.Load(ctx, approval.Options{Root: root, Branch: cmp.Or(o.branch, rp.Config.MainBranch), Location: rp.Config.Location, Now: now, MaxFileSize: rp.Config.MaxFileSize})
	if err != nil {
		return fail(env, fmt.Errorf("opsbook change status: %w", err))
	}
	changes, missing := report.Select(ids)
	if len(missing) > 0 {
		fmt.Fprintf(env.Stderr, "opsbook change status: 找不到变更 %s（主分支、其他分支和工作区中都没有）；不带编号运行 opsbook change status 查看全部变更\n", strings.Join(missing, "、"))
		return ExitError
	}
	if err := approval.WriteStatus(env.Stdout, o.format, report, changes); err != nil {
		return fail(env, fmt.Errorf("opsbook change status: %w", err))
	}
	return ExitOK
}

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
	changeSubcommands["status"] = subcommand{summary: "变更的状态（草稿/已批准/已执行/已关闭/已回退）、审批人、审批时间和实施窗口", run: parsed(parseChangeStatus)}
}

type changeStatusOptions struct {
	repo, branch, format, now string
	ids                       []string
}

func parseChangeStatus(env *Env, args []string) (*changeStatusOptions, error) {
	var o changeStatusOptions
	fs := flagSet(env, "change status", "change status [ID…] [--branch 主分支] [--format text|json] [--now 时间]", &o.repo)
	fs.StringVar(&o.branch, "branch", "", "主分支（默认 opsbook.yaml 的 main_branch，未设置时为 main；本地没有时用 origin/<分支>）")
	fs.StringVar(&o.format, "format", "text", "输出格式："+strings.Join(approval.StatusFormats(), "|"))
	fs.StringVar(&o.now, "now", "", "以此时刻为“现在”判断是否在实施窗口内（YYYY-MM-DD HH:MM）")
	ids, err := parse(fs, args)
	if err != nil {
		return nil, err
	}
	o.ids = ids
	if !slices.Contains(approval.StatusFormats(), o.format) {
		return nil, fmt.Errorf("opsbook change status: 未知格式 %q；可选 %s", o.format, strings.Join(approval.StatusFormats(), "、"))
	}
	return &o, nil
}

func (o *changeStatusOptions) run(ctx context.Context, env *Env) error {
	rp, err := openRepository(env, o.repo, "opsbook change status")
	if err != nil {
		return err
	}
	root := rp.Root
	now := time.Now()
	if o.now != "" {
		if now, _, err = calendar.ParseTime(o.now, rp.Config.Location); err != nil {
			return fmt.Errorf("opsbook change status: --now：%v", err)
		}
	}
	report, err := approval.Load(ctx, approval.Options{Root: root, Branch: cmp.Or(o.branch, rp.Config.MainBranch), Location: rp.Config.Location, Now: now, MaxFileSize: rp.Config.MaxFileSize})
	if err != nil {
		return fmt.Errorf("opsbook change status: %w", err)
	}
	changes, missing := report.Select(o.ids)
	if len(missing) > 0 {
		return fmt.Errorf("opsbook change status: 找不到变更 %s（主分支、其他分支和工作区中都没有）；不带编号运行 opsbook change status 查看全部变更", strings.Join(missing, "、"))
	}
	if err := approval.WriteStatus(env.Stdout, o.format, report, changes); err != nil {
		return fmt.Errorf("opsbook change status: %w", err)
	}
	return nil
}

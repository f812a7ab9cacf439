package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/opsbook/opsbook/internal/repo"
	"github.com/opsbook/opsbook/internal/scaffold"
	"github.com/opsbook/opsbook/internal/validate"
	"github.com/opsbook/opsbook/internal/workspace"
)

func init() {
	register(command{name: "new", summary: "新建记录：分配下一个空闲编号，按类型放好位置并生成中文模板", run: runNew})
}

type newOptions struct {
	repo, title, id string
	kind            string
}

func runNew(ctx context.Context, env *Env, args []string) int {
	var o newOptions
	fs := flagSet(env, "new", "new KIND [--title 标题] [--id 编号]", &o.repo)
	fs.StringVar(&o.title, "title", "", "记录标题")
	fs.StringVar(&o.id, "id", "", "指定编号（默认：下一个空闲编号）")
	pos, code, ok := parseOrExit(fs, args)
	if !ok {
		return code
	}
	if len(pos) != 1 {
		fs.Usage()
		return ExitError
	}
	o.kind = pos[0]
	rp, code := openRepository(env, o.repo, "opsbook new")
	if rp == nil {
		return code
	}
	root := rp.Root
	plan, err := scaffold.Build(rp.Rules, scaffold.Request{Kind: o.kind, Title: o.title, ID: o.id, Now: time.Now()})
	if err != nil {
		return fail(env, fmt.Errorf("opsbook new: %w", err))
	}
	if _, err := scaffold.Write(root, plan); err != nil {
		return fail(env, fmt.Errorf("opsbook new: %w", err))
	}
	fmt.Fprintln(env.Stdout, plan.Path)
	// Check the new file against the repository as it now is.
	rp, err = workspace.Open(root)
	if err != nil {
		return fail(env, err)
	}
	res, err := validate.Check(ctx, rp, []repo.Entry{repo.NewEntry(plan.Path)}, 1)
	if err != nil {
		return fail(env, err)
	}
	if len(res.Violations) > 0 {
		fmt.Fprintln(env.Stderr, "新记录还需要补充：")
		for _, v := range res.Violations {
			fmt.Fprintln(env.Stderr, "  "+v.String())
		}
		return ExitFound
	}
	return ExitOK
}

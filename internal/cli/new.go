package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/opsbook/opsbook/internal/layout"
	"github.com/opsbook/opsbook/internal/scaffold"
	"github.com/opsbook/opsbook/internal/validate"
	"github.com/opsbook/opsbook/internal/workspace"
)

func init() {
	register(command{name: "new", summary: "新建记录：分配下一个空闲编号，按类型放好位置并生成中文模板", run: parsed(parseNew)})
}

type newOptions struct {
	repo, title, id string
	kind            string
}

func parseNew(env *Env, args []string) (*newOptions, error) {
	var o newOptions
	fs := flagSet(env, "new", "new KIND [--title 标题] [--id 编号]", &o.repo)
	fs.StringVar(&o.title, "title", "", "记录标题")
	fs.StringVar(&o.id, "id", "", "指定编号（默认：下一个空闲编号）")
	pos, err := parse(fs, args)
	if err != nil {
		return nil, err
	}
	if len(pos) != 1 {
		return nil, usage(fs, "")
	}
	o.kind = pos[0]
	return &o, nil
}

func (o *newOptions) run(ctx context.Context, env *Env) error {
	rp, err := openRepository(env, o.repo, "opsbook new")
	if err != nil {
		return err
	}
	root := rp.Root
	plan, err := scaffold.Build(rp.Rules, scaffold.Request{Kind: o.kind, Title: o.title, ID: o.id, Now: time.Now()})
	if err != nil {
		return fmt.Errorf("opsbook new: %w", err)
	}
	if _, err := scaffold.Write(root, plan); err != nil {
		return fmt.Errorf("opsbook new: %w", err)
	}
	fmt.Fprintln(env.Stdout, plan.Path)
	// Check the new file against the repository as it now is.
	rp, err = workspace.Open(root)
	if err != nil {
		return err
	}
	res, err := validate.Check(ctx, rp, []layout.Entry{layout.NewEntry(plan.Path)}, 1)
	if err != nil {
		return err
	}
	if len(res.Violations) > 0 {
		fmt.Fprintln(env.Stderr, "新记录还需要补充：")
		for _, v := range res.Violations {
			fmt.Fprintln(env.Stderr, "  "+v.String())
		}
		return errFound
	}
	return nil
}

package cli

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/opsbook/opsbook/internal/gen"
	"github.com/opsbook/opsbook/internal/layout"
)

func init() {
	register(command{name: "gen", summary: "生成基准测试用的合成仓库", hidden: true, run: parsed(parseGen)})
}

type genOptions struct {
	repo, out string
	records   int
	seed      uint64
}

func parseGen(env *Env, args []string) (*genOptions, error) {
	var o genOptions
	fs := flagSet(env, "gen", "gen --records N --out DIR [--seed S]", &o.repo)
	fs.IntVar(&o.records, "records", 1000, "记录总数")
	fs.StringVar(&o.out, "out", "", "输出目录（必填）")
	fs.Uint64Var(&o.seed, "seed", 1, "随机种子（相同种子生成相同内容）")
	if _, err := parse(fs, args); err != nil {
		return nil, err
	}
	if o.out == "" {
		return nil, errors.New("opsbook gen: 需要 --out DIR")
	}
	return &o, nil
}

func (o *genOptions) run(ctx context.Context, env *Env) error {
	out, n, seed := o.out, o.records, o.seed
	root, err := resolveRoot(env, o.repo)
	if err != nil {
		return err
	}
	tty := isTerminal(env.Stderr)
	err = gen.Run(gen.Options{Out: out, Records: n, Seed: seed, SchemaDir: filepath.Join(root, layout.SchemaDir),
		Progress: func(done, total int) {
			switch {
			case tty:
				fmt.Fprintf(env.Stderr, "\r生成 %d/%d", done, total)
			case done == total || done%(max(total/10, 1000)) == 0:
				fmt.Fprintf(env.Stderr, "生成 %d/%d\n", done, total)
			}
		}})
	if tty {
		fmt.Fprintln(env.Stderr)
	}
	if err != nil {
		return fmt.Errorf("opsbook gen: %w", err)
	}
	fmt.Fprintf(env.Stdout, "已在 %s 生成 %d 条记录\n", out, n)
	return nil
}

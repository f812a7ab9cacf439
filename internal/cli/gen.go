package cli

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/opsbook/opsbook/internal/gen"
	"github.com/opsbook/opsbook/internal/repo"
)

func init() {
	register(command{name: "gen", summary: "生成基准测试用的合成仓库", hidden: true, run: runGen})
}

func runGen(ctx context.Context, env *Env, args []string) int {
	var repoDir, out string
	var n int
	var seed uint64
	fs := flagSet(env, "gen", "gen --records N --out DIR [--seed S]", &repoDir)
	fs.IntVar(&n, "records", 1000, "记录总数")
	fs.StringVar(&out, "out", "", "输出目录（必填）")
	fs.Uint64Var(&seed, "seed", 1, "随机种子（相同种子生成相同内容）")
	if _, code, ok := parseOrExit(fs, args); !ok {
		return code
	}
	if out == "" {
		fmt.Fprintln(env.Stderr, "opsbook gen: 需要 --out DIR")
		return ExitError
	}
	root, err := resolveRoot(env, repoDir)
	if err != nil {
		return fail(env, err)
	}
	tty := isTerminal(env.Stderr)
	err = gen.Run(gen.Options{Out: out, Records: n, Seed: seed, SchemaDir: filepath.Join(root, repo.SchemaDir),
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
		return fail(env, fmt.Errorf("opsbook gen: %w", err))
	}
	fmt.Fprintf(env.Stdout, "已在 %s 生成 %d 条记录\n", out, n)
	return ExitOK
}

package cli

import (
	"context"
	"fmt"
	"slices"
	"sort"
)

func init() {
	register(command{name: "change", summary: "变更：查看审批状态（status）、在窗口内执行已批准的变更（run）", run: runChange})
}

// changeSubcommand is one `opsbook change <name>`; files register theirs in init.
type changeSubcommand struct {
	summary string
	run     func(ctx context.Context, env *Env, args []string) int
}

var changeSubcommands = map[string]changeSubcommand{}

func runChange(ctx context.Context, env *Env, args []string) int {
	names := make([]string, 0, len(changeSubcommands))
	for n := range changeSubcommands {
		names = append(names, n)
	}
	sort.Strings(names)
	if len(args) == 0 || slices.Contains([]string{"-h", "--help", "help"}, args[0]) {
		fmt.Fprintln(env.Stderr, "用法：opsbook change <子命令> [参数]\n\n子命令：")
		for _, n := range names {
			fmt.Fprintf(env.Stderr, "  %-8s %s\n", n, changeSubcommands[n].summary)
		}
		if len(args) == 0 {
			return ExitError
		}
		return ExitOK
	}
	sub, ok := changeSubcommands[args[0]]
	if !ok {
		fmt.Fprintf(env.Stderr, "opsbook change: 未知子命令 %q；可用：%v\n", args[0], names)
		return ExitError
	}
	return sub.run(ctx, env, args[1:])
}

package cli

import (
	"context"
	"fmt"
	"slices"
	"sort"
)

func init() {
	register(command{name: "change", summary: "变更：查看审批状态（status）、在窗口内执行已批准的变更（run）", run: func(ctx context.Context, env *Env, args []string) int {
		return dispatch(ctx, env, "change", changeSubcommands, args)
	}})
}

// subcommand is one `opsbook <command> <name>`; files register theirs in
// their command's map in init.
type subcommand struct {
	summary string
	run     func(ctx context.Context, env *Env, args []string) int
}

// changeSubcommands are `opsbook change status|run`.
var changeSubcommands = map[string]subcommand{}

// dispatch runs the subcommand args[0] of command, or prints the list.
func dispatch(ctx context.Context, env *Env, command string, subs map[string]subcommand, args []string) int {
	names := make([]string, 0, len(subs))
	for n := range subs {
		names = append(names, n)
	}
	sort.Strings(names)
	if len(args) == 0 || slices.Contains([]string{"-h", "--help", "help"}, args[0]) {
		fmt.Fprintf(env.Stderr, "用法：opsbook %s <子命令> [参数]\n\n子命令：\n", command)
		for _, n := range names {
			fmt.Fprintf(env.Stderr, "  %-10s %s\n", n, subs[n].summary)
		}
		if len(args) == 0 {
			return ExitError
		}
		return ExitOK
	}
	sub, ok := subs[args[0]]
	if !ok {
		fmt.Fprintf(env.Stderr, "opsbook %s: 未知子命令 %q；可用：%v\n", command, args[0], names)
		return ExitError
	}
	return sub.run(ctx, env, args[1:])
}

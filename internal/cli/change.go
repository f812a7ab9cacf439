package cli

import (
	"context"
	"fmt"
	"slices"
	"sort"
)

func init() {
	register(command{name: "change", summary: "变更：查看审批状态（status）、在窗口内执行已批准的变更（run）", run: func(ctx context.Context, env *Env, args []string) error {
		return dispatch(ctx, env, "change", changeSubcommands, args)
	}})
}

// subcommand is one `opsbook <command> <name>`; files register theirs in
// their command's map in init.
type subcommand struct {
	summary string
	run     func(ctx context.Context, env *Env, args []string) error
}

// changeSubcommands are `opsbook change status|run`.
var changeSubcommands = map[string]subcommand{}

// dispatch runs the subcommand args[0] of command, or prints the list.
func dispatch(ctx context.Context, env *Env, command string, subs map[string]subcommand, args []string) error {
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
			return errTold
		}
		return nil
	}
	sub, ok := subs[args[0]]
	if !ok {
		return fmt.Errorf("opsbook %s: 未知子命令 %q；可用：%v", command, args[0], names)
	}
	return sub.run(ctx, env, args[1:])
}

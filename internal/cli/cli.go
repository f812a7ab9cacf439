// Package cli is opsbook's command line: one file per command, each with an
// options struct, a parse function filling it from the command line (and
// checking what can be checked without the repository) and a run method
// returning an error. Exit codes are chosen in one place, exitCode (exit.go):
// 0 ok, 1 the work ran and found problems, 2 the work could not run.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"syscall"

	"github.com/opsbook/opsbook/internal/layout"
	"github.com/opsbook/opsbook/internal/workspace"
)

// Env is what a command runs against; tests replace its parts.
type Env struct {
	Stdout, Stderr io.Writer
	Dir            string // working directory
}

// command is one subcommand.
type command struct {
	name, summary string
	hidden        bool
	run           func(ctx context.Context, env *Env, args []string) error
}

var commands []command

func register(c command) { commands = append(commands, c) }

// Main runs opsbook with os.Args and returns the exit code.
func Main() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	dir, _ := os.Getwd()
	return Run(ctx, &Env{Stdout: os.Stdout, Stderr: os.Stderr, Dir: dir}, os.Args[1:])
}

// Run dispatches args to a subcommand and returns the exit code.
func Run(ctx context.Context, env *Env, args []string) int {
	return exitCode(env.Stderr, dispatchCommand(ctx, env, args))
}

func dispatchCommand(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		printUsage(env.Stdout)
		if len(args) == 0 {
			return errTold
		}
		return nil
	}
	i := slices.IndexFunc(commands, func(c command) bool { return c.name == args[0] })
	if i < 0 {
		return fmt.Errorf("opsbook: 未知命令 %q；运行 opsbook help 查看可用命令", args[0])
	}
	return commands[i].run(ctx, env, args[1:])
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "opsbook — 运维台账：运维记录即代码\n\n用法：opsbook <命令> [参数]\n\n命令：")
	for _, c := range commands {
		if !c.hidden {
			fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
		}
	}
	fmt.Fprintln(w, "\n每个命令都接受 --repo DIR（默认：当前所在的 git 仓库）。运行 opsbook <命令> -h 查看详细参数。")
}

// flagSet makes a FlagSet for a command with the common --repo flag.
func flagSet(env *Env, name, usageLine string, repoDir *string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.StringVar(repoDir, "repo", "", "运维仓库目录（默认：当前所在的 git 仓库）")
	fs.Usage = func() {
		fmt.Fprintf(env.Stderr, "用法：opsbook %s\n\n参数：\n", usageLine)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses flags that may come before, between or after positional
// arguments, and returns the positional ones. A bad flag is a usageError
// (the flag package has printed it and the usage); -h is flag.ErrHelp.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, &usageError{}
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

// resolveRoot returns --repo or the enclosing git work tree of the working directory.
func resolveRoot(env *Env, flagValue string) (string, error) {
	if flagValue != "" {
		st, err := os.Stat(flagValue)
		if err != nil || !st.IsDir() {
			return "", fmt.Errorf("--repo %s 不是目录", flagValue)
		}
		return layout.FindRootOrSelf(flagValue)
	}
	return layout.FindRoot(env.Dir)
}

// isTerminal reports whether w is a terminal, for progress output.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// openRepository resolves --repo (or the enclosing git work tree) and opens
// the repository: schemas, config, index. An error opening it is prefixed
// with the command's name when given.
func openRepository(env *Env, repoFlag, command string) (*workspace.Workspace, error) {
	root, err := resolveRoot(env, repoFlag)
	if err != nil {
		return nil, err
	}
	rp, err := workspace.Open(root)
	if err != nil && command != "" {
		err = fmt.Errorf("%s: %w", command, err)
	}
	return rp, err
}

// options is a command's parsed command line; run does the work.
type options interface {
	run(ctx context.Context, env *Env) error
}

// parsed makes a command's run function from its parse function: parsing
// (tested on its own, see flags_test.go) and then running.
func parsed[O options](parse func(env *Env, args []string) (O, error)) func(ctx context.Context, env *Env, args []string) error {
	return func(ctx context.Context, env *Env, args []string) error {
		o, err := parse(env, args)
		if err != nil {
			return err
		}
		return o.run(ctx, env)
	}
}

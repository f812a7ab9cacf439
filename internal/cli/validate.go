package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/opsbook/opsbook/internal/diag"
	"github.com/opsbook/opsbook/internal/validate"
)

func init() {
	register(command{name: "validate", summary: "校验记录：schema、引用、变更窗口、封网期等业务规则", run: parsed(parseValidate)})
}

type validateOptions struct {
	repo    string
	format  string
	paths   []string
	workers int
}

func parseValidate(env *Env, args []string) (*validateOptions, error) {
	var o validateOptions
	fs := flagSet(env, "validate", "validate [PATH…] [--format text|github|json]", &o.repo)
	fs.StringVar(&o.format, "format", "text", "输出格式："+strings.Join(diag.Formats(), "|"))
	fs.IntVar(&o.workers, "workers", 0, "并行数（默认：CPU 核数）")
	pos, err := parse(fs, args)
	if err != nil {
		return nil, err
	}
	o.paths = pos
	if _, found := diag.Lookup(o.format); !found {
		return nil, fmt.Errorf("opsbook validate: 未知输出格式 %q；可选：%s", o.format, strings.Join(diag.Formats(), ", "))
	}
	return &o, nil
}

func (o *validateOptions) run(ctx context.Context, env *Env) error {
	printer, _ := diag.Lookup(o.format)
	root, err := resolveRoot(env, o.repo)
	if err != nil {
		return err
	}
	opts := validate.Options{Root: root, Paths: o.paths, Dir: env.Dir, Workers: o.workers}
	if isTerminal(env.Stderr) {
		opts.Progress = func(done, total int) {
			if total >= 5000 {
				fmt.Fprintf(env.Stderr, "\r校验中 %d/%d …", done, total)
			}
		}
	}
	res, err := validate.Run(ctx, opts)
	if opts.Progress != nil {
		fmt.Fprint(env.Stderr, "\r\033[K")
	}
	if err != nil {
		return fmt.Errorf("opsbook validate: %w", err)
	}
	if err := printer(env.Stdout, res.Violations, res.Summary); err != nil {
		return err
	}
	if len(res.Violations) > 0 {
		return errFound
	}
	return nil
}

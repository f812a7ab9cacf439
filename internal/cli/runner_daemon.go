package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/opsbook/opsbook/internal/calendar"
	"github.com/opsbook/opsbook/internal/daemon"
	"github.com/opsbook/opsbook/internal/runbook"
	"github.com/opsbook/opsbook/internal/runner"
	"github.com/opsbook/opsbook/internal/workspace"
)

func init() {
	register(command{name: "runner", summary: "常驻运行：按计划（含节假日日历）执行所有运行手册，提供 /healthz 和 /metrics", run: parsed(parseDaemon)})
}

// runbookReloadInterval is how often the runner looks at runbooks/.
var runbookReloadInterval = 30 * time.Second

type daemonOptions struct {
	repo, listen, runnerName string
	push                     bool
}

func parseDaemon(env *Env, args []string) (*daemonOptions, error) {
	var o daemonOptions
	fs := flagSet(env, "runner", "runner [--listen 127.0.0.1:9464] [--push] [--runner NAME]", &o.repo)
	fs.StringVar(&o.listen, "listen", "127.0.0.1:9464", "/healthz 和 /metrics 的监听地址（空字符串表示不监听）")
	fs.BoolVar(&o.push, "push", true, "每次运行后推送到远程仓库")
	fs.StringVar(&o.runnerName, "runner", "", "runner 名称（默认：主机名）")
	if _, err := parse(fs, args); err != nil {
		return nil, err
	}
	return &o, nil
}

func (o *daemonOptions) run(ctx context.Context, env *Env) error {
	rp, err := openRepository(env, o.repo, "opsbook runner")
	if err != nil {
		return err
	}
	root := rp.Root
	opened := rp // the first load uses it; a reload reads the repository as it is then
	load := func() (daemon.Loaded, error) {
		rp := opened
		opened = nil
		if rp == nil {
			var err error
			if rp, err = workspace.Open(root); err != nil {
				return daemon.Loaded{}, err
			}
		}
		rbs, err := loadRunbooks(env, rp)
		return daemon.Loaded{Runbooks: rbs, Platform: rp.Config.Platform, Location: rp.Config.Location}, err
	}
	err = daemon.Serve(ctx, daemon.ServeOptions{Listen: o.listen, Calendar: calendar.Default(), Load: load,
		Run: runnerOptions(rp, o.runnerName, true, o.push && isWorkTree(root)), ReloadInterval: runbookReloadInterval, Log: env.Stderr})
	if err != nil {
		return fmt.Errorf("opsbook runner: %w", err)
	}
	return nil
}

// loadRunbooks parses and checks every runbook of the repository; any
// problem is printed and makes it an error.
func loadRunbooks(env *Env, rp *workspace.Workspace) ([]*runbook.Runbook, error) {
	var rbs []*runbook.Runbook
	for _, p := range rp.Index.Runbooks() {
		rb, vs, err := runner.LoadRunbook(rp, p)
		if err != nil {
			return nil, err
		}
		if len(vs) > 0 {
			for _, v := range vs {
				fmt.Fprintln(env.Stderr, v.String())
			}
			return nil, fmt.Errorf("运行手册 %s 有错误；请先修正（opsbook validate %s）", p, p)
		}
		rbs = append(rbs, rb)
	}
	return rbs, nil
}

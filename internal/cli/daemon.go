package cli

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sync"
	"time"

	"github.com/opsbook/opsbook/internal/alert"
	"github.com/opsbook/opsbook/internal/calendar"
	"github.com/opsbook/opsbook/internal/daemon"
	"github.com/opsbook/opsbook/internal/runbook"
	"github.com/opsbook/opsbook/internal/runner"
	"github.com/opsbook/opsbook/internal/watch"
	"github.com/opsbook/opsbook/internal/workspace"
)

func init() {
	register(command{name: "runner", summary: "常驻运行：按计划（含节假日日历）执行所有运行手册，提供 /healthz 和 /metrics", run: runDaemon})
}

// runbookReloadInterval is how often the runner looks at runbooks/.
var runbookReloadInterval = 30 * time.Second

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

// alertersFor returns an alerter for every runbook with alerts, keeping
// the one in old for a runbook whose alert settings in prev are unchanged
// (its rate limits and de-duplication go on).
func alertersFor(rbs, prev []*runbook.Runbook, old map[string]*alert.Alerter, platform string, loc *time.Location) (map[string]*alert.Alerter, error) {
	before := map[string]*runbook.Runbook{}
	for _, rb := range prev {
		before[rb.ID] = rb
	}
	out := map[string]*alert.Alerter{}
	for _, rb := range rbs {
		if len(rb.Alerts) == 0 {
			continue
		}
		if p, ok := before[rb.ID]; ok && old[rb.ID] != nil && reflect.DeepEqual(p.Alerts, rb.Alerts) {
			out[rb.ID] = old[rb.ID]
			continue
		}
		a, err := alert.FromConfig(rb.Alerts, platform, loc)
		if err != nil {
			return nil, fmt.Errorf("%s 的告警配置：%w", rb.ID, err)
		}
		out[rb.ID] = a
	}
	return out, nil
}

// gcAuto runs `git gc --auto` when the git CLI is installed; it returns at
// once unless enough loose objects have piled up.
func gcAuto(ctx context.Context, root string) {
	if _, err := exec.LookPath("git"); err != nil {
		return
	}
	cmd := exec.CommandContext(ctx, "git", "gc", "--auto", "--quiet")
	cmd.Dir = root
	_ = cmd.Run()
}

func runDaemon(ctx context.Context, env *Env, args []string) int {
	var repoDir, listen, name string
	var push bool
	fs := flagSet(env, "runner", "runner [--listen 127.0.0.1:9464] [--push] [--runner NAME]", &repoDir)
	fs.StringVar(&listen, "listen", "127.0.0.1:9464", "/healthz 和 /metrics 的监听地址（空字符串表示不监听）")
	fs.BoolVar(&push, "push", true, "每次运行后推送到远程仓库")
	fs.StringVar(&name, "runner", "", "runner 名称（默认：主机名）")
	if _, code, ok := parseOrExit(fs, args); !ok {
		return code
	}
	rp, code := openRepository(env, repoDir, "opsbook runner")
	if rp == nil {
		return code
	}
	root := rp.Root
	rbs, err := loadRunbooks(env, rp)
	if err != nil {
		return fail(env, fmt.Errorf("opsbook runner: %w", err))
	}
	runner.CleanTemp(root, time.Hour)
	_, gitErr := os.Stat(filepath.Join(root, ".git"))
	// One alerter per runbook for the daemon's life, so rate limits and
	// de-duplication span runs (and reloads that leave its alerts alone).
	var alertMu sync.Mutex
	alerters, err := alertersFor(rbs, nil, nil, rp.Config.Platform, rp.Config.Location)
	if err != nil {
		return fail(env, fmt.Errorf("opsbook runner: %w", err))
	}
	run := func(ctx context.Context, rb *runbook.Runbook) (*runner.Report, error) {
		opts := runner.Options{Root: root, Runner: name, Location: rp.Config.Location, MaxFileSize: rp.Config.MaxFileSize,
			Commit: gitErr == nil, Push: push && gitErr == nil, GitSSH: gitSSHFromEnv()}
		alertMu.Lock()
		if a, ok := alerters[rb.ID]; ok {
			opts.Alerter = a
		}
		alertMu.Unlock()
		rep, err := runner.Run(ctx, rb, opts)
		if err == nil && gitErr == nil {
			gcAuto(ctx, root) // go-git writes loose objects; let git pack them now and then
		}
		return rep, err
	}
	d, err := daemon.Start(daemon.Options{Listen: listen, Location: rp.Config.Location, Calendar: calendar.Default(),
		Runbooks: rbs, Run: run, Log: env.Stderr})
	if err != nil {
		return fail(env, fmt.Errorf("opsbook runner: %w", err))
	}
	if addr := d.Addr(); addr != "" {
		fmt.Fprintf(env.Stderr, "健康检查 http://%s/healthz ，指标 http://%s/metrics\n", addr, addr)
	}
	// Runbooks merged on the main line reach the work tree when a run's
	// push replays onto the remote (or someone pulls): schedule them
	// without a restart. A broken runbook keeps the previous schedule.
	reload := func() error {
		rp, err := workspace.Open(root)
		if err != nil {
			return err
		}
		next, err := loadRunbooks(env, rp)
		if err != nil {
			return err
		}
		alertMu.Lock()
		defer alertMu.Unlock()
		fresh, err := alertersFor(next, rbs, alerters, rp.Config.Platform, rp.Config.Location)
		if err != nil {
			return err
		}
		n, err := d.Replace(next)
		if err != nil {
			return err
		}
		alerters, rbs = fresh, next
		fmt.Fprintf(env.Stderr, "运行手册已更新，重新调度：%d 个运行手册按计划执行\n", n)
		return nil
	}
	go watch.OnChange(ctx, runbookReloadInterval, func() uint64 { return watch.Stamp(root, "runbooks") }, func() {
		if err := reload(); err != nil {
			fmt.Fprintf(env.Stderr, "运行手册已修改但未生效，继续按原计划运行：%v\n", err)
		}
	})
	<-ctx.Done()
	fmt.Fprintln(env.Stderr, "收到停止信号，正在结束……")
	if err := d.Stop(30 * time.Second); err != nil {
		return fail(env, fmt.Errorf("opsbook runner: %w", err))
	}
	return ExitOK
}

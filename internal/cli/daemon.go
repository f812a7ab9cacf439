package cli

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/opsbook/opsbook/internal/alert"
	"github.com/opsbook/opsbook/internal/calendar"
	"github.com/opsbook/opsbook/internal/daemon"
	"github.com/opsbook/opsbook/internal/runbook"
	"github.com/opsbook/opsbook/internal/runner"
)

func init() {
	register(command{name: "runner", summary: "常驻运行：按计划（含节假日日历）执行所有运行手册，提供 /healthz 和 /metrics", run: runDaemon})
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
	var rbs []*runbook.Runbook
	for _, p := range rp.Index.Runbooks() {
		rb, vs, err := rp.LoadRunbook(p)
		if err != nil {
			return fail(env, err)
		}
		if len(vs) > 0 {
			for _, v := range vs {
				fmt.Fprintln(env.Stderr, v.String())
			}
			return fail(env, fmt.Errorf("opsbook runner: 运行手册 %s 有错误；请先修正（opsbook validate %s）", p, p))
		}
		rbs = append(rbs, rb)
	}
	runner.CleanTemp(root, time.Hour)
	_, gitErr := os.Stat(filepath.Join(root, ".git"))
	// One alerter per runbook for the daemon's life, so rate limits and
	// de-duplication span runs.
	alerters := map[string]*alert.Alerter{}
	for _, rb := range rbs {
		if len(rb.Alerts) > 0 {
			a, err := alert.FromConfig(rb.Alerts, rp.Config.Platform, rp.Config.Location)
			if err != nil {
				return fail(env, fmt.Errorf("opsbook runner: %s 的告警配置：%w", rb.ID, err))
			}
			alerters[rb.ID] = a
		}
	}
	run := func(ctx context.Context, rb *runbook.Runbook) (*runner.Report, error) {
		opts := runner.Options{Root: root, Runner: name, Location: rp.Config.Location, MaxFileSize: rp.Config.MaxFileSize,
			Commit: gitErr == nil, Push: push && gitErr == nil, GitSSH: gitSSHFromEnv()}
		if a, ok := alerters[rb.ID]; ok {
			opts.Alerter = a
		}
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
	<-ctx.Done()
	fmt.Fprintln(env.Stderr, "收到停止信号，正在结束……")
	if err := d.Stop(30 * time.Second); err != nil {
		return fail(env, fmt.Errorf("opsbook runner: %w", err))
	}
	return ExitOK
}

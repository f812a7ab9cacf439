package daemon

import (
	"context"
	"fmt"
	"io"
	"os/exec"
	"reflect"
	"sync"
	"time"

	"github.com/opsbook/opsbook/internal/alert"
	"github.com/opsbook/opsbook/internal/calendar"
	"github.com/opsbook/opsbook/internal/runbook"
	"github.com/opsbook/opsbook/internal/runner"
	"github.com/opsbook/opsbook/internal/watch"
)

// Loaded is what Load reads from the repository: its runbooks, checked,
// and the settings their alerts need.
type Loaded struct {
	Runbooks []*runbook.Runbook
	Platform string
	Location *time.Location
}

// ServeOptions configure Serve.
type ServeOptions struct {
	Listen   string // address for /healthz and /metrics; empty: none
	Calendar *calendar.Calendar
	// Load reads the repository's runbooks: at start, and again whenever
	// runbooks/ under Run.Root changes.
	Load func() (Loaded, error)
	// Run is every run's options; Serve sets the runbook's alerter.
	// With Run.Commit, `git gc --auto` follows each run.
	Run runner.Options
	// ReloadInterval is how often runbooks/ is looked at (default 30s).
	ReloadInterval time.Duration
	// StopTimeout is how long Stop waits for runs under way (default 30s).
	StopTimeout time.Duration
	Log         io.Writer
}

// Serve is the runner's life: it loads the runbooks, removes temporary
// files left by a crash, schedules the runbooks with one alerter per
// runbook for the daemon's life (so rate limits and de-duplication span
// runs and reloads that leave its alerts alone), reschedules when
// runbooks/ changes (a broken runbook keeps the previous schedule) and,
// when ctx ends, stops gracefully.
func Serve(ctx context.Context, o ServeOptions) error {
	if o.ReloadInterval <= 0 {
		o.ReloadInterval = 30 * time.Second
	}
	if o.StopTimeout <= 0 {
		o.StopTimeout = 30 * time.Second
	}
	root := o.Run.Root
	first, err := o.Load()
	if err != nil {
		return err
	}
	runner.CleanTemp(root, time.Hour)
	var alertMu sync.Mutex
	rbs := first.Runbooks
	alerters, err := alertersFor(rbs, nil, nil, first.Platform, first.Location)
	if err != nil {
		return err
	}
	run := func(ctx context.Context, rb *runbook.Runbook) (*runner.Report, error) {
		opts := o.Run
		alertMu.Lock()
		if a, ok := alerters[rb.ID]; ok {
			opts.Alerter = a
		}
		alertMu.Unlock()
		rep, err := runner.Run(ctx, rb, opts)
		if err == nil && opts.Commit {
			gcAuto(ctx, root) // go-git writes loose objects; let git pack them now and then
		}
		return rep, err
	}
	d, err := Start(Options{Listen: o.Listen, Location: first.Location, Calendar: o.Calendar, Runbooks: rbs, Run: run, Log: o.Log})
	if err != nil {
		return err
	}
	if addr := d.Addr(); addr != "" {
		fmt.Fprintf(o.Log, "健康检查 http://%s/healthz ，指标 http://%s/metrics\n", addr, addr)
	}
	// Runbooks merged on the main line reach the work tree when a run's
	// push replays onto the remote (or someone pulls): schedule them
	// without a restart.
	reload := func() error {
		next, err := o.Load()
		if err != nil {
			return err
		}
		alertMu.Lock()
		defer alertMu.Unlock()
		fresh, err := alertersFor(next.Runbooks, rbs, alerters, next.Platform, next.Location)
		if err != nil {
			return err
		}
		n, err := d.Replace(next.Runbooks)
		if err != nil {
			return err
		}
		alerters, rbs = fresh, next.Runbooks
		fmt.Fprintf(o.Log, "运行手册已更新，重新调度：%d 个运行手册按计划执行\n", n)
		return nil
	}
	go watch.OnChange(ctx, o.ReloadInterval, func() uint64 { return watch.Stamp(root, "runbooks") }, func() {
		if err := reload(); err != nil {
			fmt.Fprintf(o.Log, "运行手册已修改但未生效，继续按原计划运行：%v\n", err)
		}
	})
	<-ctx.Done()
	fmt.Fprintln(o.Log, "收到停止信号，正在结束……")
	return d.Stop(o.StopTimeout)
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

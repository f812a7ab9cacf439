// Package daemon is `opsbook runner`: it schedules every runbook that has a
// schedule by its cron expression and day filter (Chinese holiday calendar),
// runs at most one run per runbook at a time, serves /healthz and Prometheus
// /metrics, and shuts down gracefully: a run in progress when SIGTERM
// arrives is abandoned before it writes anything, never half-written.
// Serve is the runner's whole life: loading and reloading the runbooks,
// their alerters and `git gc` after committing runs.
package daemon

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"reflect"
	"sync"
	"time"

	"github.com/go-co-op/gocron/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/opsbook/opsbook/internal/calendar"
	"github.com/opsbook/opsbook/internal/runbook"
	"github.com/opsbook/opsbook/internal/runner"
)

// RunFunc runs one runbook once.
type RunFunc func(ctx context.Context, rb *runbook.Runbook) (*runner.Report, error)

// Options configure the daemon.
type Options struct {
	Listen   string // address for /healthz and /metrics; empty: none
	Location *time.Location
	Calendar *calendar.Calendar
	Runbooks []*runbook.Runbook
	Run      RunFunc
	Log      io.Writer
}

// Daemon is a running scheduler.
type Daemon struct {
	o         Options
	sched     gocron.Scheduler
	metrics   *metrics
	server    *http.Server
	listener  net.Listener
	mu        sync.Mutex
	lastError map[string]string
	running   map[string]bool // runbook ids with a run under way
	schedMu   sync.Mutex      // serialises Replace
	current   map[string]*runbook.Runbook
	// runs is the context of every run: cancelled by Stop, not by a job's
	// removal, so a Replace lets a run under way finish.
	runs     context.Context
	stopRuns context.CancelFunc
}

type metrics struct {
	reg                         *prometheus.Registry
	runs, checks, checkFailures *prometheus.CounterVec
	runDuration, checkDuration  *prometheus.HistogramVec
	pushFailures, runErrors     *prometheus.CounterVec
	nextRun                     *prometheus.GaugeVec
}

func newMetrics() *metrics {
	m := &metrics{reg: prometheus.NewRegistry()}
	m.runs = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "opsbook_runs_total", Help: "Runbook runs finished."}, []string{"runbook"})
	m.runErrors = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "opsbook_run_errors_total", Help: "Runs that could not complete."}, []string{"runbook"})
	m.checks = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "opsbook_checks_total", Help: "Checks run."}, []string{"runbook", "type"})
	m.checkFailures = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "opsbook_check_failures_total", Help: "Checks that failed."}, []string{"runbook", "type"})
	m.pushFailures = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "opsbook_push_failures_total", Help: "Runs whose git push failed (commit kept locally)."}, []string{"runbook"})
	m.runDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "opsbook_run_duration_seconds", Help: "Run durations.", Buckets: prometheus.ExponentialBuckets(0.1, 2, 14)}, []string{"runbook"})
	m.checkDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "opsbook_check_duration_seconds", Help: "Check durations including re-checks.", Buckets: prometheus.ExponentialBuckets(0.005, 2, 14)}, []string{"type"})
	m.nextRun = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "opsbook_next_run_timestamp_seconds", Help: "When each runbook runs next."}, []string{"runbook"})
	m.reg.MustRegister(m.runs, m.runErrors, m.checks, m.checkFailures, m.pushFailures, m.runDuration, m.checkDuration, m.nextRun)
	return m
}

// Start schedules the runbooks and starts the HTTP endpoints.
func Start(o Options) (*Daemon, error) {
	if o.Log == nil {
		o.Log = io.Discard
	}
	s, err := gocron.NewScheduler(gocron.WithLocation(o.Location))
	if err != nil {
		return nil, err
	}
	d := &Daemon{o: o, sched: s, metrics: newMetrics(), lastError: map[string]string{}, running: map[string]bool{}, current: map[string]*runbook.Runbook{}}
	d.runs, d.stopRuns = context.WithCancel(context.Background())
	for _, rb := range o.Runbooks {
		d.current[rb.ID] = rb
	}
	crons, err := d.schedules(o.Runbooks)
	if err != nil {
		return nil, err
	}
	scheduled, err := d.scheduleAll(o.Runbooks, crons)
	if err != nil {
		return nil, err
	}
	if o.Listen != "" {
		ln, err := net.Listen("tcp", o.Listen)
		if err != nil {
			return nil, fmt.Errorf("监听 %s：%w", o.Listen, err)
		}
		d.listener = ln
		mux := http.NewServeMux()
		mux.HandleFunc("/healthz", d.healthz)
		mux.Handle("/metrics", promhttp.HandlerFor(d.metrics.reg, promhttp.HandlerOpts{}))
		d.server = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
		go d.server.Serve(ln)
	}
	s.Start()
	d.updateNextRuns()
	fmt.Fprintf(o.Log, "runner 已启动：%d 个运行手册按计划执行\n", scheduled)
	return d, nil
}

// schedules builds the calendar-aware schedule of every runbook with a
// cron, by id; the first that cannot be built is the error.
func (d *Daemon) schedules(rbs []*runbook.Runbook) (map[string]*runner.Schedule, error) {
	out := map[string]*runner.Schedule{}
	for _, rb := range rbs {
		if rb.Cron == "" {
			continue
		}
		cron, err := runner.NewSchedule(rb.Cron, rb.Days, d.o.Calendar, d.o.Location)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", rb.ID, err)
		}
		out[rb.ID] = cron
	}
	return out, nil
}

// scheduleAll adds a job for every runbook with a schedule in crons and
// returns how many it scheduled.
func (d *Daemon) scheduleAll(rbs []*runbook.Runbook, crons map[string]*runner.Schedule) (int, error) {
	scheduled := 0
	for _, rb := range rbs {
		cron, ok := crons[rb.ID]
		if !ok {
			continue
		}
		if _, err := d.sched.NewJob(gocron.CronJob(rb.Cron, false),
			gocron.NewTask(d.runJob, rb),
			gocron.WithName(rb.ID),
			gocron.WithCronImplementation(cron),
			gocron.WithSingletonMode(gocron.LimitModeReschedule),
		); err != nil {
			return scheduled, fmt.Errorf("调度 %s：%w", rb.ID, err)
		}
		scheduled++
		if cron.Stalled(time.Now().In(d.o.Location)) {
			fmt.Fprintf(d.o.Log, "警告：%s 没有下一次运行时间——节假日数据只到 %d 年；更新 internal/calendar/data 后重新构建\n", rb.ID, lastYear(d.o.Calendar))
		}
		fmt.Fprintf(d.o.Log, "已调度 %s（%s，cron %q，%s）\n", rb.ID, rb.Title, rb.Cron, daysLabel(rb.Days))
	}
	return scheduled, nil
}

// Replace schedules rbs instead of the runbooks scheduled now (the runner
// calls it when runbooks/ changed) and returns how many are scheduled.
// Unchanged runbooks keep their jobs; changed, new and removed ones are
// rescheduled. Every schedule is built first, so a bad one changes nothing.
// A run under way finishes, and its runbook does not start again before it
// has (runJob skips it meanwhile).
func (d *Daemon) Replace(rbs []*runbook.Runbook) (int, error) {
	d.schedMu.Lock()
	defer d.schedMu.Unlock()
	crons, err := d.schedules(rbs)
	if err != nil {
		return 0, err
	}
	next := map[string]*runbook.Runbook{}
	for _, rb := range rbs {
		next[rb.ID] = rb
	}
	same := func(id string) bool {
		old, ok := d.current[id]
		nw, ok2 := next[id]
		return ok && ok2 && reflect.DeepEqual(old, nw)
	}
	for _, j := range d.sched.Jobs() {
		if same(j.Name()) {
			continue
		}
		if err := d.sched.RemoveJob(j.ID()); err != nil {
			return 0, fmt.Errorf("取消调度 %s：%w", j.Name(), err)
		}
		fmt.Fprintf(d.o.Log, "已取消原调度 %s\n", j.Name())
	}
	var changed []*runbook.Runbook
	for _, rb := range rbs {
		if !same(rb.ID) {
			changed = append(changed, rb)
		}
	}
	if _, err := d.scheduleAll(changed, crons); err != nil {
		return 0, err
	}
	d.current = next
	// A removed runbook's last failure no longer turns /healthz red.
	d.mu.Lock()
	for id := range d.lastError {
		if _, ok := next[id]; !ok {
			delete(d.lastError, id)
		}
	}
	d.mu.Unlock()
	d.metrics.nextRun.Reset()
	d.updateNextRuns()
	return len(d.sched.Jobs()), nil
}

// Addr is the address the HTTP endpoints listen on.
func (d *Daemon) Addr() string {
	if d.listener == nil {
		return ""
	}
	return d.listener.Addr().String()
}

func lastYear(c *calendar.Calendar) int { _, last := c.Years(); return last }

func daysLabel(days string) string {
	switch days {
	case runbook.DaysWorkdays:
		return "工作日（含调休上班日）"
	case runbook.DaysOffdays:
		return "休息日"
	case runbook.DaysHolidays:
		return "仅法定节假日"
	}
	return "每天"
}

// runJob is one scheduled run. It runs under d.runs, which Stop cancels;
// the job's own context (cancelled when Replace removes the job) is not
// used, so a replaced runbook's run under way still writes its results.
func (d *Daemon) runJob(_ context.Context, rb *runbook.Runbook) {
	ctx := d.runs
	// At most one run per runbook, also across a Replace (the old job's
	// run may still be going when the new job fires).
	d.mu.Lock()
	if d.running[rb.ID] {
		d.mu.Unlock()
		fmt.Fprintf(d.o.Log, "%s 上一次运行尚未结束，本次跳过\n", rb.ID)
		return
	}
	d.running[rb.ID] = true
	d.mu.Unlock()
	defer func() {
		d.mu.Lock()
		delete(d.running, rb.ID)
		d.mu.Unlock()
	}()
	start := time.Now()
	rep, err := d.o.Run(ctx, rb)
	d.metrics.runDuration.WithLabelValues(rb.ID).Observe(time.Since(start).Seconds())
	d.record(rb, rep, err)
	d.updateNextRuns()
}

func (d *Daemon) record(rb *runbook.Runbook, rep *runner.Report, err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if rep != nil {
		for _, r := range rep.Results {
			d.metrics.checks.WithLabelValues(rb.ID, r.Check.Type).Inc()
			d.metrics.checkDuration.WithLabelValues(r.Check.Type).Observe(r.Duration.Seconds())
			if !r.Success {
				d.metrics.checkFailures.WithLabelValues(rb.ID, r.Check.Type).Inc()
			}
		}
		if rep.PushError != nil {
			d.metrics.pushFailures.WithLabelValues(rb.ID).Inc()
		}
	}
	if err != nil {
		d.metrics.runErrors.WithLabelValues(rb.ID).Inc()
		d.lastError[rb.ID] = err.Error()
		fmt.Fprintf(d.o.Log, "%s 运行失败：%v\n", rb.ID, err)
		return
	}
	delete(d.lastError, rb.ID)
	d.metrics.runs.WithLabelValues(rb.ID).Inc()
	if rep != nil {
		fmt.Fprintf(d.o.Log, "%s 完成：%d/%d 通过，巡检记录 %s\n", rb.ID, len(rep.Results)-rep.Failed(), len(rep.Results), rep.Inspection)
	}
}

func (d *Daemon) updateNextRuns() {
	for _, j := range d.sched.Jobs() {
		if next, err := j.NextRun(); err == nil && !next.IsZero() {
			d.metrics.nextRun.WithLabelValues(j.Name()).Set(float64(next.Unix()))
		}
	}
}

func (d *Daemon) healthz(w http.ResponseWriter, _ *http.Request) {
	d.mu.Lock()
	defer d.mu.Unlock()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if len(d.lastError) > 0 {
		w.WriteHeader(http.StatusServiceUnavailable)
		for id, e := range d.lastError {
			fmt.Fprintf(w, "%s: %s\n", id, e)
		}
		return
	}
	fmt.Fprintln(w, "ok")
}

// Stop stops scheduling, cancels runs in progress (they write nothing once
// cancelled) and waits for them, at most timeout.
func (d *Daemon) Stop(timeout time.Duration) error {
	d.stopRuns()
	done := make(chan error, 1)
	go func() { done <- d.sched.Shutdown() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(timeout):
		err = errors.New("等待运行结束超时")
	}
	if d.server != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		d.server.Shutdown(ctx)
	}
	return err
}

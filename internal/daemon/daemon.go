// Package daemon is `opsbook runner`: it schedules every runbook that has a
// schedule by its cron expression and day filter (Chinese holiday calendar),
// runs at most one run per runbook at a time, serves /healthz and Prometheus
// /metrics, and shuts down gracefully: a run in progress when SIGTERM
// arrives is abandoned before it writes anything, never half-written.
package daemon

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
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
	d := &Daemon{o: o, sched: s, metrics: newMetrics(), lastError: map[string]string{}}
	scheduled := 0
	for _, rb := range o.Runbooks {
		if rb.Cron == "" {
			continue
		}
		cron, err := runner.NewSchedule(rb.Cron, rb.Days, o.Calendar, o.Location)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", rb.ID, err)
		}
		job, err := s.NewJob(gocron.CronJob(rb.Cron, false),
			gocron.NewTask(d.runJob, rb),
			gocron.WithName(rb.ID),
			gocron.WithCronImplementation(cron),
			gocron.WithSingletonMode(gocron.LimitModeReschedule),
		)
		if err != nil {
			return nil, fmt.Errorf("调度 %s：%w", rb.ID, err)
		}
		_ = job
		scheduled++
		if cron.Stalled(time.Now().In(o.Location)) {
			fmt.Fprintf(o.Log, "警告：%s 没有下一次运行时间——节假日数据只到 %d 年；更新 internal/calendar/data 后重新构建\n", rb.ID, lastYear(o.Calendar))
		}
		fmt.Fprintf(o.Log, "已调度 %s（%s，cron %q，%s）\n", rb.ID, rb.Title, rb.Cron, daysLabel(rb.Days))
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

// runJob is one scheduled run; ctx is cancelled when the daemon stops.
func (d *Daemon) runJob(ctx context.Context, rb *runbook.Runbook) {
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

package daemon

import (
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/opsbook/opsbook/internal/calendar"
	"github.com/opsbook/opsbook/internal/runbook"
	"github.com/opsbook/opsbook/internal/runner"
)

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestDaemonSchedulesMetricsAndStops(t *testing.T) {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	started := make(chan struct{}, 1)
	cancelled := make(chan struct{}, 1)
	fail := false
	run := func(ctx context.Context, rb *runbook.Runbook) (*runner.Report, error) {
		if rb.ID == "blocking" {
			started <- struct{}{}
			<-ctx.Done() // a run still going when the daemon stops
			cancelled <- struct{}{}
			return nil, ctx.Err()
		}
		if fail {
			return nil, errors.New("推送失败")
		}
		return &runner.Report{Runbook: rb, Results: []runner.Result{
			{Check: runbook.Check{Name: "a", Type: "http"}, Success: true},
			{Check: runbook.Check{Name: "b", Type: "tcp"}, Success: false},
		}}, nil
	}
	daily := &runbook.Runbook{ID: "holiday-backup", Title: "节假日备份核验", Cron: "30 3 * * *", Days: runbook.DaysHolidays}
	blocking := &runbook.Runbook{ID: "blocking", Title: "阻塞", Cron: "0 0 1 1 *", Days: runbook.DaysAll}
	d, err := Start(Options{Listen: "127.0.0.1:0", Location: loc, Calendar: calendar.Default(), Runbooks: []*runbook.Runbook{daily, blocking}, Run: run})
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + d.Addr()
	if code, body := get(t, base+"/healthz"); code != 200 || strings.TrimSpace(body) != "ok" {
		t.Errorf("healthz %d %q", code, body)
	}
	// The next run of a holidays-only runbook is on a statutory holiday.
	_, metrics := get(t, base+"/metrics")
	next := metricValue(t, metrics, `opsbook_next_run_timestamp_seconds{runbook="holiday-backup"}`)
	if time.Unix(int64(next), 0).Year() < 2100 { // else stalled: no holiday data for the next holiday yet
		day, err := calendar.Default().DayOf(time.Unix(int64(next), 0).In(loc))
		if err != nil || day.Type != calendar.Holiday {
			t.Errorf("next holiday run %s is a %v (%v)", time.Unix(int64(next), 0).In(loc), day.Type, err)
		}
	}
	// A run's checks are counted.
	d.runJob(context.Background(), daily)
	_, metrics = get(t, base+"/metrics")
	if v := metricValue(t, metrics, `opsbook_check_failures_total{runbook="holiday-backup",type="tcp"}`); v != 1 {
		t.Errorf("check failures = %v, want 1", v)
	}
	if v := metricValue(t, metrics, `opsbook_runs_total{runbook="holiday-backup"}`); v != 1 {
		t.Errorf("runs = %v, want 1", v)
	}
	// A run that cannot complete turns /healthz red until one succeeds.
	fail = true
	d.runJob(context.Background(), daily)
	if code, body := get(t, base+"/healthz"); code != http.StatusServiceUnavailable || !strings.Contains(body, "推送失败") {
		t.Errorf("healthz after a failed run: %d %q", code, body)
	}
	fail = false
	d.runJob(context.Background(), daily)
	if code, _ := get(t, base+"/healthz"); code != 200 {
		t.Errorf("healthz after recovery: %d", code)
	}
	// Stopping cancels a run in progress and waits for it.
	for _, j := range d.sched.Jobs() {
		if j.Name() == "blocking" {
			if err := j.RunNow(); err != nil {
				t.Fatal(err)
			}
		}
	}
	select {
	case <-started:
	case <-time.After(5 * time.Second):
		t.Fatal("RunNow did not start the job")
	}
	if err := d.Stop(10 * time.Second); err != nil {
		t.Errorf("Stop: %v", err)
	}
	select {
	case <-cancelled:
	default:
		t.Error("the run in progress was not cancelled by Stop")
	}
}

func metricValue(t *testing.T, text, series string) float64 {
	t.Helper()
	for _, line := range strings.Split(text, "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatal(err)
			}
			return f
		}
	}
	t.Errorf("metric %s not found", series)
	return 0
}

// Runbooks re-read from disk replace the schedule; a bad one changes
// nothing; a runbook never runs twice at once, even across a replace.
func TestReplaceReschedules(t *testing.T) {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	release := make(chan struct{})
	started := make(chan struct{}, 4)
	var mu sync.Mutex
	ran := map[string]int{}
	cancelledRuns := 0
	slowDone := make(chan struct{}, 4)
	run := func(ctx context.Context, rb *runbook.Runbook) (*runner.Report, error) {
		mu.Lock()
		ran[rb.ID]++
		mu.Unlock()
		if rb.ID == "slow" {
			started <- struct{}{}
			<-release
			if ctx.Err() != nil {
				mu.Lock()
				cancelledRuns++
				mu.Unlock()
			}
			slowDone <- struct{}{}
		}
		return &runner.Report{Runbook: rb}, nil
	}
	var log syncLog
	slow := &runbook.Runbook{ID: "slow", Title: "慢", Cron: "0 0 1 1 *", Days: runbook.DaysAll}
	d, err := Start(Options{Location: loc, Calendar: calendar.Default(), Runbooks: []*runbook.Runbook{slow}, Run: run, Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Stop(10 * time.Second)
	names := func() []string {
		var out []string
		for _, j := range d.sched.Jobs() {
			out = append(out, j.Name())
		}
		slices.Sort(out)
		return out
	}

	jobID := func(name string) string {
		for _, j := range d.sched.Jobs() {
			if j.Name() == name {
				return j.ID().String()
			}
		}
		return ""
	}
	slowJob := jobID("slow")
	added := &runbook.Runbook{ID: "added", Title: "新增", Cron: "*/5 * * * *", Days: runbook.DaysWorkdays}
	sameSlow := *slow // re-read from disk: equal, not the same pointer
	if n, err := d.Replace([]*runbook.Runbook{&sameSlow, added}); err != nil || n != 2 {
		t.Fatalf("Replace: %d, %v", n, err)
	}
	if got := names(); !slices.Equal(got, []string{"added", "slow"}) {
		t.Fatalf("jobs after Replace: %v", got)
	}
	if jobID("slow") != slowJob {
		t.Errorf("an unchanged runbook was rescheduled")
	}
	d.mu.Lock()
	d.lastError["gone"] = "推送失败"
	d.mu.Unlock()
	if _, err := d.Replace([]*runbook.Runbook{slow, added}); err != nil {
		t.Fatal(err)
	}
	d.mu.Lock()
	_, stale := d.lastError["gone"]
	d.mu.Unlock()
	if stale {
		t.Error("a removed runbook's last failure is still reported")
	}
	bad := &runbook.Runbook{ID: "bad", Title: "坏", Cron: "not a cron", Days: runbook.DaysAll}
	if _, err := d.Replace([]*runbook.Runbook{bad}); err == nil || !strings.Contains(err.Error(), "bad") {
		t.Fatalf("Replace with a bad cron: %v", err)
	}
	if got := names(); !slices.Equal(got, []string{"added", "slow"}) {
		t.Fatalf("a failed Replace changed the jobs: %v", got)
	}

	// A run under way keeps its runbook from starting again, and is not
	// cancelled when a Replace removes its job.
	for _, j := range d.sched.Jobs() {
		if j.Name() == "slow" {
			if err := j.RunNow(); err != nil { // through the scheduler, as at its time
				t.Fatal(err)
			}
		}
	}
	select {
	case <-started:
	case <-time.After(10 * time.Second):
		t.Fatal("RunNow did not start slow")
	}
	d.runJob(context.Background(), slow)
	if n, err := d.Replace([]*runbook.Runbook{added}); err != nil || n != 1 {
		t.Fatalf("Replace without slow: %d, %v", n, err)
	}
	close(release)
	<-slowDone
	mu.Lock()
	n, cancelled := ran["slow"], cancelledRuns
	mu.Unlock()
	if n != 1 || !strings.Contains(log.String(), "slow 上一次运行尚未结束，本次跳过") {
		t.Errorf("slow ran %d times while one run was under way; log:\n%s", n, log.String())
	}
	if cancelled != 0 {
		t.Errorf("removing the job cancelled the run under way")
	}
}

// syncLog is a log safe for the scheduler's goroutines.
type syncLog struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *syncLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *syncLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

package daemon

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
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

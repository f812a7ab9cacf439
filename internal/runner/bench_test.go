package runner_test

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/opsbook/opsbook/internal/runbook"
	"github.com/opsbook/opsbook/internal/runner"
)

// BenchmarkRun1000HTTPChecks runs 1,000 HTTP checks against loopback
// servers that answer after 50 ms, 50 at a time. The physical floor is
// 1000/50 × 50 ms = 1 s; the target is within 1.5× of it.
func BenchmarkRun1000HTTPChecks(b *testing.B) {
	const checks, concurrency, delay = 1000, 50, 50 * time.Millisecond
	var servers []*httptest.Server
	for range 4 {
		s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			time.Sleep(delay)
			w.Write([]byte(`{"status":"ok"}`))
		}))
		defer s.Close()
		servers = append(servers, s)
	}
	rb := &runbook.Runbook{ID: "bench", Title: "基准", Timeout: time.Minute, Concurrency: concurrency, Retries: 0, RetryBackoff: time.Second}
	for i := range checks {
		rb.Checks = append(rb.Checks, runbook.Check{Name: fmt.Sprintf("c%d", i), Type: "http", Timeout: 10 * time.Second,
			Params:     map[string]any{"url": servers[i%len(servers)].URL + "/health"},
			Conditions: []string{"[STATUS] == 200", "[BODY].status == ok", "[RESPONSE_TIME] < 2s"}})
	}
	b.ResetTimer()
	for b.Loop() {
		rep, err := runner.Run(context.Background(), rb, runner.Options{Root: b.TempDir(), DryRun: true})
		if err != nil || rep.Failed() != 0 {
			b.Fatalf("err %v, %d failed: %v", err, rep.Failed(), rep.Results[0].Message())
		}
	}
	b.StopTimer()
	perRun := b.Elapsed() / time.Duration(b.N)
	b.ReportMetric(perRun.Seconds(), "s/run")
	b.ReportMetric(perRun.Seconds()/1.0, "x-floor")
	if hwm := peakRSS(); hwm > 0 {
		b.ReportMetric(float64(hwm)/1024, "peak-RSS-MiB")
	}
}

// peakRSS reads the process's peak resident set (VmHWM) in KiB.
func peakRSS() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return n
		}
	}
	return 0
}

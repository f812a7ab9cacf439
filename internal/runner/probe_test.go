package runner_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/opsbook/opsbook/internal/runbook"
	"github.com/opsbook/opsbook/internal/runner"
)

// TestResultWording pins what a run says about checks through the probe
// layer: a timeout names the attempt's limit, a failed condition keeps its
// text and actual value, a check that cannot be prepared says why, and the
// default category comes from the check type's registration.
func TestResultWording(t *testing.T) {
	slow := slowHTTP(t, 3*time.Second)
	fast := slowHTTP(t, 0)
	rb := &runbook.Runbook{ID: "wording", Timeout: time.Minute, Concurrency: 3, Checks: []runbook.Check{
		{Name: "slow", Type: "http", Timeout: 300 * time.Millisecond, Params: map[string]any{"url": slow}},
		{Name: "cond", Type: "http", Timeout: 5 * time.Second, Params: map[string]any{"url": fast}, Conditions: []string{`[BODY] == "nope"`}},
		{Name: "bad", Type: "tcp", Timeout: time.Second, Params: map[string]any{"address": "127.0.0.1:1"}, Conditions: []string{"[CONNECTED] =="}},
	}}
	rep, err := runner.Run(context.Background(), rb, runner.Options{DryRun: true, Secrets: secretSource(func(string) (string, bool) { return "", false })})
	if err != nil {
		t.Fatal(err)
	}
	r := rep.Results
	if !strings.HasPrefix(r[0].Error, "超过单次时限 300ms：") || r[0].Category != "application" || r[0].Attempts != 1 {
		t.Errorf("timeout: %+v", r[0])
	}
	if r[1].Success || r[1].Error != "" || r[1].Message() != `[BODY] == "nope" 不成立，实际值 ok` || r[1].Value() != "ok" {
		t.Errorf("condition: %q %+v", r[1].Message(), r[1])
	}
	if !strings.HasPrefix(r[2].Error, `无法执行：条件 "[CONNECTED] =="：`) || r[2].Category != "network" || r[2].Attempts != 0 {
		t.Errorf("unprepared: %+v", r[2])
	}
}

package daemon

import (
	"testing"
	"time"

	"github.com/opsbook/opsbook/internal/runbook"
)

// A reload keeps a runbook's alerter (its rate limits and de-duplication)
// while its alerts stay the same, and makes a new one when they change.
func TestAlertersLiveAcrossReloads(t *testing.T) {
	loc := time.FixedZone("CST", 8*3600)
	hook := func(url string) []map[string]any { return []map[string]any{{"type": "webhook", "url": url}} }
	first := []*runbook.Runbook{{ID: "a", Alerts: hook("http://127.0.0.1:1/a")}, {ID: "b", Alerts: hook("http://127.0.0.1:1/b")}, {ID: "quiet"}}
	old, err := alertersFor(first, nil, nil, "平台", loc)
	if err != nil {
		t.Fatal(err)
	}
	if len(old) != 2 || old["a"] == nil || old["b"] == nil {
		t.Fatalf("alerters: %v", old)
	}
	next := []*runbook.Runbook{{ID: "a", Alerts: hook("http://127.0.0.1:1/a")}, {ID: "b", Alerts: hook("http://127.0.0.1:1/b2")}, {ID: "c", Alerts: hook("http://127.0.0.1:1/c")}}
	fresh, err := alertersFor(next, first, old, "平台", loc)
	if err != nil {
		t.Fatal(err)
	}
	if fresh["a"] != old["a"] {
		t.Error("runbook a's alerts did not change, but it got a new alerter")
	}
	if fresh["b"] == old["b"] || fresh["b"] == nil {
		t.Error("runbook b's alerts changed, but it kept its alerter")
	}
	if fresh["c"] == nil || len(fresh) != 3 {
		t.Errorf("alerters after the reload: %v", fresh)
	}
	if _, err := alertersFor([]*runbook.Runbook{{ID: "bad", Alerts: []map[string]any{{"type": "webhook"}}}}, nil, nil, "平台", loc); err == nil {
		t.Error("an alert without url was accepted")
	}
}

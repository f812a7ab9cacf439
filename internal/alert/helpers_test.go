package alert

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"sync/atomic"
	"testing"
	"time"
)

// request is what a receiver recorded.
type request struct {
	URL    *url.URL
	Header http.Header
	Body   []byte
}

// receiver is a webhook endpoint on 127.0.0.1 that records every request
// and answers the i-th (from 1) with reply(i, req).
type receiver struct {
	*httptest.Server
	reqs chan request
	n    atomic.Int32
}

func newReceiver(t *testing.T, reply func(i int, r *http.Request) (int, string)) *receiver {
	t.Helper()
	rc := &receiver{reqs: make(chan request, 100)}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.reqs <- request{URL: r.URL, Header: r.Header.Clone(), Body: body}
		status, b := reply(int(rc.n.Add(1)), r)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, b)
	}))
	t.Cleanup(rc.Close)
	return rc
}

// ok answers like the WeCom and DingTalk APIs on success.
func ok(int, *http.Request) (int, string) { return 200, `{"errcode":0,"errmsg":"ok"}` }

func (rc *receiver) next(t *testing.T) request {
	t.Helper()
	select {
	case r := <-rc.reqs:
		return r
	case <-time.After(5 * time.Second):
		t.Fatal("the receiver got no request")
	}
	return request{}
}

func (rc *receiver) count() int { return int(rc.n.Load()) }

func sampleEvent() Event {
	return Event{
		Kind: KindAnomaly, Platform: "南通市政务数据共享交换平台",
		Runbook: "platform-daily", RunbookTitle: "共享交换平台日常巡检",
		Check: "portal", CheckTitle: "门户首页", Asset: "portal-web",
		AnomalyID: "ANO-2026-031", At: time.Date(2026, 11, 27, 0, 30, 5, 0, time.UTC),
		Severity: "major",
		Failed: []FailedCondition{
			{Condition: "[STATUS] == 200", Actual: "500"},
			{Condition: "[RESPONSE_TIME] < 2s", Actual: "3.2s"},
		},
		Link: "https://ops.example.gov.cn/anomaly/2026/ANO-2026-031/",
	}
}

func mustNew(t *testing.T, cfg map[string]any) Notifier {
	t.Helper()
	n, err := New(cfg)
	if err != nil {
		t.Fatalf("New(%v): %v", cfg["type"], err)
	}
	return n
}

func decodeObject(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("body is not a JSON object: %v\n%s", err, b)
	}
	return m
}

func keys(v any) []string {
	m, _ := v.(map[string]any)
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func asError(err error, target **Error) bool { return errors.As(err, target) }

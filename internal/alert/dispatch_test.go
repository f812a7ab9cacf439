package alert

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeClock is a settable clock for rate limiting and de-duplication.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newClock() *fakeClock { return &fakeClock{t: time.Date(2026, 11, 27, 8, 30, 0, 0, shanghai)} }

func fast(opts Options) Options {
	if opts.RetryDelay == 0 {
		opts.RetryDelay = 10 * time.Millisecond
	}
	if opts.Timeout == 0 {
		opts.Timeout = 5 * time.Second
	}
	return opts
}

func wecomAt(t *testing.T, rc *receiver) Notifier {
	return mustNew(t, map[string]any{"type": "wecom", "webhook": rc.URL + "/cgi-bin/webhook/send?key=KEY-SECRET-1"})
}

func TestRetryAfter500(t *testing.T) {
	rc := newReceiver(t, func(i int, _ *http.Request) (int, string) {
		if i == 1 {
			return 500, `{"errcode":-1,"errmsg":"system busy"}`
		}
		return 200, `{"errcode":0,"errmsg":"ok"}`
	})
	d := NewDispatcher(fast(Options{}), wecomAt(t, rc))
	ds, err := d.Send(context.Background(), sampleEvent())
	if err != nil {
		t.Fatal(err)
	}
	if ds[0].Status != Sent || ds[0].Attempts != 2 || rc.count() != 2 {
		t.Errorf("delivery %+v after %d requests; want sent on the 2nd", ds[0], rc.count())
	}
	first, second := rc.next(t), rc.next(t)
	if string(first.Body) != string(second.Body) {
		t.Error("the retry sent a different message")
	}
}

func TestGivesUpAfterOneRetry(t *testing.T) {
	rc := newReceiver(t, func(int, *http.Request) (int, string) { return 502, "<html>bad gateway</html>" })
	ds, err := NewDispatcher(fast(Options{}), wecomAt(t, rc)).Send(context.Background(), sampleEvent())
	if err == nil || ds[0].Status != Failed || ds[0].Attempts != 2 || rc.count() != 2 {
		t.Fatalf("delivery %+v, %d requests, err %v", ds[0], rc.count(), err)
	}
	for _, want := range []string{"告警通道 wecom 发送失败（共尝试 2 次）", "HTTP 502", "bad gateway"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "KEY-SECRET-1") {
		t.Errorf("error leaks the webhook key: %v", err)
	}
}

func TestNoRetryOnPermanentErrors(t *testing.T) {
	for name, reply := range map[string]func(int, *http.Request) (int, string){
		"errcode": func(int, *http.Request) (int, string) { return 200, `{"errcode":93000,"errmsg":"invalid webhook url"}` },
		"400": func(int, *http.Request) (int, string) {
			return 400, `{"errcode":40008,"errmsg":"invalid message type"}`
		},
	} {
		t.Run(name, func(t *testing.T) {
			rc := newReceiver(t, reply)
			ds, err := NewDispatcher(fast(Options{}), wecomAt(t, rc)).Send(context.Background(), sampleEvent())
			if err == nil || ds[0].Attempts != 1 || rc.count() != 1 {
				t.Errorf("delivery %+v after %d requests, err %v; want one attempt", ds[0], rc.count(), err)
			}
		})
	}
}

func TestNetworkErrorRetried(t *testing.T) {
	rc := newReceiver(t, ok)
	n := wecomAt(t, rc)
	rc.Close() // nothing listens there any more
	ds, err := NewDispatcher(fast(Options{}), n).Send(context.Background(), sampleEvent())
	if err == nil || ds[0].Attempts != 2 || !strings.Contains(err.Error(), "网络错误") {
		t.Errorf("delivery %+v, err %v; want two attempts and a network error", ds[0], err)
	}
}

func TestTimeout(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	rc := newReceiver(t, func(_ int, r *http.Request) (int, string) {
		select { // hang until the client gives up
		case <-r.Context().Done():
		case <-release:
		}
		return 200, `{"errcode":0,"errmsg":"ok"}`
	})
	d := NewDispatcher(fast(Options{Timeout: 150 * time.Millisecond}), wecomAt(t, rc))
	start := time.Now()
	ds, err := d.Send(context.Background(), sampleEvent())
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("Send took %v despite a 150ms timeout", el)
	}
	if err == nil || !strings.Contains(err.Error(), "超时") || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want a timeout", err)
	}
	if ds[0].Attempts != 2 {
		t.Errorf("attempts = %d, want a timeout retried once", ds[0].Attempts)
	}
}

func TestCancelledContext(t *testing.T) {
	rc := newReceiver(t, ok)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ds, err := NewDispatcher(fast(Options{}), wecomAt(t, rc)).Send(ctx, sampleEvent())
	if err == nil || ds[0].Attempts != 1 || !errors.Is(err, context.Canceled) {
		t.Errorf("delivery %+v, err %v; want one cancelled attempt", ds[0], err)
	}
}

func eventFor(check string) Event {
	e := sampleEvent()
	e.Check, e.CheckTitle = check, "检查 "+check
	return e
}

func TestRateLimit(t *testing.T) {
	rc := newReceiver(t, ok)
	clock := newClock()
	d := NewDispatcher(fast(Options{PerMinute: 3, Now: clock.Now}), wecomAt(t, rc))
	var statuses []string
	for i := range 5 {
		ds, err := d.Send(context.Background(), eventFor(fmt.Sprint("c", i)))
		if err != nil {
			t.Fatal(err)
		}
		statuses = append(statuses, string(ds[0].Status)+"/"+ds[0].Reason)
		clock.Add(time.Second)
	}
	if got, want := strings.Join(statuses, " "), "sent/ sent/ sent/ suppressed/rate suppressed/rate"; got != want {
		t.Fatalf("statuses = %s, want %s", got, want)
	}
	clock.Add(time.Minute)
	ds, _ := d.Send(context.Background(), eventFor("c5"))
	if ds[0].Status != Sent {
		t.Fatalf("after a minute: %+v", ds[0])
	}
	if rc.count() != 4 {
		t.Fatalf("%d requests, want 4", rc.count())
	}
	for range 3 {
		rc.next(t)
	}
	content := decodeObject(t, rc.next(t).Body)["markdown"].(map[string]any)["content"].(string)
	if !strings.Contains(content, "另有 2 条告警被限流或去重，未单独发送：【运维告警】共享交换平台日常巡检：检查 c3（portal-web）检查失败；【运维告警】共享交换平台日常巡检：检查 c4（portal-web）检查失败") {
		t.Errorf("the next message does not report the suppressed alerts:\n%s", content)
	}
	// Reported once: the message after it has no such line.
	clock.Add(time.Minute)
	d.Send(context.Background(), eventFor("c6"))
	if content := string(rc.next(t).Body); strings.Contains(content, "另有") {
		t.Errorf("suppressed alerts reported twice:\n%s", content)
	}
}

func TestDeduplication(t *testing.T) {
	rc := newReceiver(t, ok)
	clock := newClock()
	d := NewDispatcher(fast(Options{Now: clock.Now}), wecomAt(t, rc))
	anomaly := sampleEvent()
	recovery := sampleEvent()
	recovery.Kind = KindRecovery
	steps := []struct {
		advance time.Duration
		e       Event
		want    string
	}{
		{0, anomaly, "sent/"},
		{time.Minute, anomaly, "suppressed/duplicate"}, // same check, same kind, within 10 min
		{time.Minute, recovery, "sent/"},               // a change of state always goes out
		{time.Minute, anomaly, "sent/"},                // and so does failing again
		{time.Minute, anomaly, "suppressed/duplicate"},
		{time.Minute, eventFor("other"), "sent/"}, // another check is not a duplicate
		{10 * time.Minute, anomaly, "sent/"},      // the window has passed
	}
	for i, s := range steps {
		clock.Add(s.advance)
		ds, err := d.Send(context.Background(), s.e)
		if err != nil {
			t.Fatal(err)
		}
		if got := string(ds[0].Status) + "/" + ds[0].Reason; got != s.want {
			t.Errorf("step %d (%s %s): %s, want %s", i, s.e.Kind, s.e.Check, got, s.want)
		}
	}
	if rc.count() != 5 {
		t.Errorf("%d requests, want 5", rc.count())
	}
}

// A failed send does not mark the check as alerted, and what it would have
// reported is carried to the next message.
func TestFailedSendIsNotDeduplicated(t *testing.T) {
	rc := newReceiver(t, func(i int, _ *http.Request) (int, string) {
		if i == 2 {
			return 400, `{"errcode":40008,"errmsg":"invalid message type"}`
		}
		return 200, `{"errcode":0,"errmsg":"ok"}`
	})
	clock := newClock()
	d := NewDispatcher(fast(Options{PerMinute: 1, Now: clock.Now}), wecomAt(t, rc))
	d.Send(context.Background(), eventFor("a"))          // 1: sent
	ds, _ := d.Send(context.Background(), eventFor("b")) // over the limit
	if ds[0].Status != Suppressed {
		t.Fatalf("b: %+v", ds[0])
	}
	clock.Add(time.Minute)
	ds, _ = d.Send(context.Background(), eventFor("c")) // 2: fails, carried "1 suppressed"
	if ds[0].Status != Failed {
		t.Fatalf("c: %+v", ds[0])
	}
	clock.Add(time.Minute)
	ds, _ = d.Send(context.Background(), eventFor("c")) // 3: same again, not a duplicate
	if ds[0].Status != Sent {
		t.Fatalf("c again: %+v", ds[0])
	}
	rc.next(t)
	rc.next(t)
	if body := string(rc.next(t).Body); !strings.Contains(body, "另有 1 条告警被限流或去重") {
		t.Errorf("the suppressed alert was lost with the failed message:\n%s", body)
	}
}

// stubNotifier runs fn for Notify.
type stubNotifier struct {
	name string
	fn   func(ctx context.Context, e Event) error
}

func (s *stubNotifier) Name() string                              { return s.name }
func (s *stubNotifier) Notify(ctx context.Context, e Event) error { return s.fn(ctx, e) }

func TestFanOutIsConcurrent(t *testing.T) {
	a, b := make(chan struct{}), make(chan struct{})
	// Each notifier waits for the other to have started: a sequential
	// dispatcher would time out here.
	meet := func(mine, theirs chan struct{}) func(context.Context, Event) error {
		return func(ctx context.Context, _ Event) error {
			close(mine)
			select {
			case <-theirs:
				return nil
			case <-ctx.Done():
				return errors.New("the other notifier never started")
			}
		}
	}
	d := NewDispatcher(fast(Options{Timeout: 5 * time.Second}),
		&stubNotifier{"a", meet(a, b)}, &stubNotifier{"b", meet(b, a)})
	ds, err := d.Send(context.Background(), sampleEvent())
	if err != nil || ds[0].Status != Sent || ds[1].Status != Sent {
		t.Fatalf("%+v, %v", ds, err)
	}
}

func TestPanickingNotifier(t *testing.T) {
	rc := newReceiver(t, ok)
	boom := &stubNotifier{"boom", func(context.Context, Event) error { panic("nil map") }}
	ds, err := NewDispatcher(fast(Options{}), boom, wecomAt(t, rc)).Send(context.Background(), sampleEvent())
	if err == nil || ds[0].Status != Failed || !strings.Contains(err.Error(), "boom") {
		t.Errorf("panic not reported: %+v %v", ds, err)
	}
	if ds[1].Status != Sent {
		t.Errorf("a panic in one notifier stopped another: %+v", ds[1])
	}
}

func TestSendRejectsUnknownKind(t *testing.T) {
	e := sampleEvent()
	e.Kind = "warning"
	if _, err := NewDispatcher(Options{}).Send(context.Background(), e); err == nil || !strings.Contains(err.Error(), "warning") {
		t.Errorf("err = %v", err)
	}
}

// De-duplication state stays bounded in a long-lived daemon.
func TestDedupStateIsPruned(t *testing.T) {
	clock := newClock()
	n := &stubNotifier{"n", func(context.Context, Event) error { return nil }}
	d := NewDispatcher(Options{PerMinute: -1, DedupWindow: time.Minute, Now: clock.Now}, n)
	for i := range 1000 {
		d.Send(context.Background(), eventFor(fmt.Sprint("c", i)))
		clock.Add(time.Second)
	}
	if got := len(d.chans[0].last); got > 256+60 {
		t.Errorf("%d de-duplication marks kept for a one-minute window", got)
	}
}

package alert

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"
)

// Options tune a Dispatcher; zero values take the defaults.
type Options struct {
	Timeout     time.Duration    // per attempt; default 10s
	RetryDelay  time.Duration    // before the one retry; default 2s
	PerMinute   int              // alerts per notifier per minute; default 10, negative: no limit
	DedupWindow time.Duration    // default 10m; negative: no de-duplication
	Now         func() time.Time // clock for rate limit and de-duplication; default time.Now
}

// Defaults.
const (
	DefaultTimeout     = 10 * time.Second
	DefaultRetryDelay  = 2 * time.Second
	DefaultPerMinute   = 10
	DefaultDedupWindow = 10 * time.Minute
)

// Status is what happened to an event at one notifier.
type Status string

// Statuses of a Delivery.
const (
	Sent       Status = "sent"
	Failed     Status = "failed"
	Suppressed Status = "suppressed"
)

// Reasons a delivery was suppressed.
const (
	ReasonRate      = "rate"      // the notifier's per-minute limit was reached
	ReasonDuplicate = "duplicate" // the same kind of alert for the same check was sent within the window
)

// Delivery is the outcome of one event at one notifier.
type Delivery struct {
	Notifier string
	Status   Status
	Reason   string // for Suppressed: ReasonRate or ReasonDuplicate
	Attempts int
	Err      error // for Failed
}

// Dispatcher sends events to several notifiers. It is safe for concurrent
// use; its rate-limit and de-duplication state lives as long as it does, so
// a daemon keeps one Dispatcher for its lifetime.
type Dispatcher struct {
	opts  Options
	chans []*channel
}

// NewDispatcher returns a dispatcher over notifiers.
func NewDispatcher(opts Options, notifiers ...Notifier) *Dispatcher {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.RetryDelay <= 0 {
		opts.RetryDelay = DefaultRetryDelay
	}
	if opts.PerMinute == 0 {
		opts.PerMinute = DefaultPerMinute
	}
	if opts.DedupWindow == 0 {
		opts.DedupWindow = DefaultDedupWindow
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	d := &Dispatcher{opts: opts}
	for _, n := range notifiers {
		d.chans = append(d.chans, &channel{n: n, last: map[string]sentMark{}})
	}
	return d
}

// Send delivers e to every notifier concurrently and returns one Delivery
// per notifier, in order, with the failures joined into the error. Each
// attempt gets Options.Timeout; a transient failure (Retryable) is retried
// once after Options.RetryDelay. Alerts over a notifier's rate limit, and
// repeats of the last alert it sent for the same check within the
// de-duplication window, are suppressed and summarised in its next message.
// Send never panics, whatever a notifier does.
func (d *Dispatcher) Send(ctx context.Context, e Event) ([]Delivery, error) {
	if err := e.validate(); err != nil {
		return nil, err
	}
	out := make([]Delivery, len(d.chans))
	var wg sync.WaitGroup
	for i, c := range d.chans {
		wg.Go(func() { out[i] = d.deliver(ctx, c, e) })
	}
	wg.Wait()
	var errs []error
	for _, dl := range out {
		if dl.Err != nil {
			errs = append(errs, dl.Err)
		}
	}
	return out, errors.Join(errs...)
}

func (d *Dispatcher) deliver(ctx context.Context, c *channel, e Event) (dl Delivery) {
	dl = Delivery{Notifier: safeName(c.n)}
	defer func() {
		if r := recover(); r != nil { // a bug in our own bookkeeping; never take the runner down
			dl.Status, dl.Err = Failed, fmt.Errorf("告警通道 %s：内部错误（%s）", dl.Notifier, clean(fmt.Sprint(r), 200))
		}
	}()
	now := d.opts.Now()
	adm, reason := c.admit(e, now, d.opts)
	if reason != "" {
		dl.Status, dl.Reason = Suppressed, reason
		return dl
	}
	ev := e
	ev.Suppressed, ev.SuppressedSample = adm.suppressed, adm.sample
	var err error
	for {
		dl.Attempts++
		err = d.attempt(ctx, c.n, ev)
		if err == nil || dl.Attempts == 2 || !Retryable(err) || ctx.Err() != nil {
			break
		}
		if !wait(ctx, d.opts.RetryDelay) {
			break
		}
	}
	if err != nil {
		c.undo(e, now, adm)
		dl.Status = Failed
		dl.Err = fmt.Errorf("告警通道 %s 发送失败（共尝试 %d 次）：%w", dl.Notifier, dl.Attempts, err)
		return dl
	}
	dl.Status = Sent
	return dl
}

// attempt runs one Notify under the per-attempt timeout, turning a panic
// into an error.
func (d *Dispatcher) attempt(ctx context.Context, n Notifier, e Event) (err error) {
	actx, cancel := context.WithTimeout(ctx, d.opts.Timeout)
	defer cancel()
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("通道内部错误（%s）", clean(fmt.Sprint(r), 200))
		}
	}()
	return n.Notify(actx, e)
}

func safeName(n Notifier) (name string) {
	defer func() {
		if recover() != nil {
			name = fmt.Sprintf("%T", n)
		}
	}()
	return n.Name()
}

func wait(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// channel is one notifier with its rate-limit and de-duplication state.
type channel struct {
	n          Notifier
	mu         sync.Mutex
	sent       []time.Time         // admissions within the last minute
	last       map[string]sentMark // last alert admitted per check
	suppressed int                 // held back since the last admission
	sample     []string            // titles of up to maxSample of those
}

type sentMark struct {
	kind string
	at   time.Time
}

// admission is what admit handed to a send, for undo on failure.
type admission struct {
	key        string
	prev       sentMark
	hadPrev    bool
	suppressed int
	sample     []string
}

func dedupKey(e Event) string {
	if e.Check == "" {
		return e.Runbook + "\x00\x00" + e.AnomalyID
	}
	return e.Runbook + "\x00" + e.Check
}

// admit decides whether e may be sent now. An event is a duplicate when the
// last alert admitted for the same check was of the same kind and within
// the window; an anomaly after a recovery is never a duplicate, so the last
// message people see for a check always tells its current state.
func (c *channel) admit(e Event, now time.Time, o Options) (admission, string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	key := dedupKey(e)
	reason := ""
	if l, ok := c.last[key]; ok && o.DedupWindow > 0 && l.kind == e.Kind && now.Sub(l.at) < o.DedupWindow {
		reason = ReasonDuplicate
	}
	if reason == "" && o.PerMinute > 0 {
		keep := c.sent[:0]
		for _, t := range c.sent {
			if now.Sub(t) < time.Minute {
				keep = append(keep, t)
			}
		}
		c.sent = keep
		if len(c.sent) >= o.PerMinute {
			reason = ReasonRate
		}
	}
	if reason != "" {
		c.suppressed++
		if len(c.sample) < maxSample {
			c.sample = append(c.sample, e.Title())
		}
		return admission{}, reason
	}
	adm := admission{key: key, suppressed: c.suppressed, sample: c.sample}
	adm.prev, adm.hadPrev = c.last[key]
	c.last[key] = sentMark{kind: e.Kind, at: now}
	c.sent = append(c.sent, now)
	c.suppressed, c.sample = 0, nil
	c.prune(now, o)
	return adm, ""
}

// undo gives back what admit took when the send failed: the check is not
// marked as alerted, and the suppressed alerts are still to be reported.
// The rate-limit slot stays used: the attempt did reach for the platform.
func (c *channel) undo(e Event, now time.Time, adm admission) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cur, ok := c.last[adm.key]; ok && cur.at.Equal(now) && cur.kind == e.Kind {
		if adm.hadPrev {
			c.last[adm.key] = adm.prev
		} else {
			delete(c.last, adm.key)
		}
	}
	c.suppressed += adm.suppressed
	c.sample = slices.Concat(adm.sample, c.sample)
	if len(c.sample) > maxSample {
		c.sample = c.sample[:maxSample]
	}
}

// prune forgets de-duplication marks older than the window, so a long-lived
// daemon's state stays bounded by the checks alerted recently.
func (c *channel) prune(now time.Time, o Options) {
	if len(c.last) < 256 {
		return
	}
	for k, l := range c.last {
		if o.DedupWindow <= 0 || now.Sub(l.at) >= o.DedupWindow {
			delete(c.last, k)
		}
	}
}

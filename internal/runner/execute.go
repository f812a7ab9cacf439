package runner

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/opsbook/opsbook/internal/probe"
	"github.com/opsbook/opsbook/internal/runbook"
	"github.com/opsbook/opsbook/internal/secret"
)

// Result is the outcome of one check in a run. All strings are redacted.
type Result struct {
	Check      runbook.Check
	Category   string
	Success    bool
	Error      string // why the check could not be made, if it could not
	Security   bool
	Conditions []ConditionResult
	Attempts   int
	Duration   time.Duration
}

// ConditionResult is one condition's outcome with the actual value.
type ConditionResult = probe.ConditionResult

// Message summarises why a failed check failed.
func (r Result) Message() string {
	if r.Error != "" {
		return r.Error
	}
	for _, c := range r.Conditions {
		if !c.Success {
			if c.Reason != "" {
				return fmt.Sprintf("%s 不成立：%s", c.Condition, c.Reason)
			}
			return fmt.Sprintf("%s 不成立，实际值 %s", c.Condition, c.Actual)
		}
	}
	return ""
}

// Value is the headline measurement: the actual value of the first failed
// condition, or of the first condition.
func (r Result) Value() string {
	for _, c := range r.Conditions {
		if !c.Success {
			return c.Actual
		}
	}
	if len(r.Conditions) > 0 {
		return r.Conditions[0].Actual
	}
	return ""
}

// execution carries what executing one runbook needs.
type execution struct {
	concurrency int
	backoff     time.Duration
	redact      *secret.Redactor
	onDone      func(Result) // progress; called from worker goroutines
}

// run executes prepared checks, at most e.concurrency at a time.
func (e *execution) run(ctx context.Context, checks []prepared) []Result {
	results := make([]Result, len(checks))
	sem := make(chan struct{}, max(e.concurrency, 1))
	var wg sync.WaitGroup
	for i := range checks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
				defer func() { <-sem }()
				results[i] = e.runOne(ctx, checks[i])
			case <-ctx.Done():
				results[i] = e.failed(checks[i], fmt.Sprintf("运行时限已到，检查未执行：%v", ctx.Err()), 0, 0)
			}
			if e.onDone != nil {
				e.onDone(results[i])
			}
		}()
	}
	wg.Wait()
	return results
}

func (e *execution) failed(p prepared, msg string, attempts int, d time.Duration) Result {
	return Result{Check: p.check, Category: p.category, Error: e.redact.String(msg), Attempts: attempts, Duration: d}
}

// runOne runs a check, re-checking a failure up to its retry count with
// doubling backoff before calling it failed.
func (e *execution) runOne(ctx context.Context, p prepared) Result {
	if p.err != nil {
		return e.failed(p, "无法执行："+p.err.Error(), 0, 0)
	}
	start := time.Now()
	var res Result
	for attempt := 0; ; attempt++ {
		res = e.attempt(ctx, p)
		res.Attempts = attempt + 1
		if res.Success || attempt >= p.check.Retries || ctx.Err() != nil {
			break
		}
		wait := e.backoff << attempt
		select {
		case <-time.After(wait):
		case <-ctx.Done():
		}
	}
	res.Duration = time.Since(start)
	return res
}

func (e *execution) attempt(ctx context.Context, p prepared) Result {
	o := p.probe.Attempt(ctx, phrase)
	return Result{Check: p.check, Category: p.category, Success: o.Success, Error: o.Error, Security: o.Security, Conditions: o.Conditions}
}

// phrase words a check that could not be made; a timeout names the
// attempt's own limit.
func phrase(f probe.Failure) string {
	msg := f.Err.Error()
	if errors.Is(f.Err, context.DeadlineExceeded) || f.Expired && f.Interrupted == nil {
		msg = fmt.Sprintf("超过单次时限 %s：%s", f.Timeout, msg)
	}
	return msg
}

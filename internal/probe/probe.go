// Package probe is the one way opsbook runs a check, whether the runner
// inspects (many checks at once, failures re-checked) or a change run acts
// (steps in order, rolled back on failure):
//
//	Prepare  a check as written → a Probe: secrets expanded in memory,
//	         conditions parsed, the checker built by its registered type;
//	Attempt  run it once under its timeout and judge its conditions;
//	Outcome  what the attempt saw, every string redacted.
//
// Callers decide what to do with outcomes: the runner retries and writes
// inspections, a change run stops, rolls back and writes an execution.
package probe

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/opsbook/opsbook/internal/check"
	"github.com/opsbook/opsbook/internal/condition"
	"github.com/opsbook/opsbook/internal/secret"
)

// Spec is a check as written: secret references in Params unexpanded,
// conditions as text.
type Spec struct {
	check.Spec
	Conditions []string
}

// Secrets expands the secret references of probes, in memory only, and
// redacts the values from everything an Outcome says. It remembers every
// value it looked up, even those too short to redact, so an excerpt a check
// cut off in the middle of a secret can be trimmed. Safe for concurrent use.
type Secrets struct {
	x      *secret.Expander
	mu     sync.Mutex
	values []string
}

// NewSecrets returns Secrets looking references up in src (environment and
// files by default).
func NewSecrets(src secret.Source) *Secrets {
	s := &Secrets{}
	env, readFile := src.Env, src.ReadFile
	if env == nil {
		env = os.LookupEnv
	}
	if readFile == nil {
		readFile = os.ReadFile
	}
	src.Env = func(k string) (string, bool) {
		v, ok := env(k)
		if ok {
			s.remember(v)
		}
		return v, ok
	}
	src.ReadFile = func(p string) ([]byte, error) {
		b, err := readFile(p)
		if err == nil {
			s.remember(strings.TrimRight(string(b), "\r\n"))
		}
		return b, err
	}
	s.x = secret.NewExpander(src)
	return s
}

func (s *Secrets) remember(v string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.values = append(s.values, v)
}

// Redactor replaces every value expanded so far with its reference.
func (s *Secrets) Redactor() *secret.Redactor { return s.x.Redactor }

// Error says why a probe could not be prepared; each part is nil or empty
// when that part was fine.
type Error struct {
	Conditions []error // conditions that do not parse, each naming its text
	Secrets    error   // a secret reference cannot be expanded (names the reference, never a value)
	Check      error   // the check type rejected the parameters
}

func (e *Error) parts() []error { return slices.Concat(e.Conditions, []error{e.Secrets, e.Check}) }

// Error joins the parts, one a line: conditions, secrets, check.
func (e *Error) Error() string { return errors.Join(e.parts()...).Error() }

// Unwrap returns the parts that are set.
func (e *Error) Unwrap() []error {
	return slices.DeleteFunc(e.parts(), func(err error) bool { return err == nil })
}

// Probe is a check ready to attempt, as often as its caller likes.
type Probe struct {
	spec       check.Spec // Params expanded
	typ        check.Type
	checker    check.Checker
	conditions []*condition.Condition
	secrets    *Secrets
}

// Prepare expands s's secrets, parses its conditions and builds its
// checker, without any I/O to the target. Every problem is reported at
// once in an *Error; the checker is not built when a secret is missing.
func Prepare(s Spec, secrets *Secrets) (*Probe, error) {
	p := &Probe{secrets: secrets}
	e := &Error{}
	for _, text := range s.Conditions {
		c, err := condition.Parse(text)
		if err != nil {
			e.Conditions = append(e.Conditions, &ConditionError{Text: text, Err: err})
			continue
		}
		p.conditions = append(p.conditions, c)
	}
	params, err := secrets.x.ExpandAll(s.Params)
	e.Secrets = err
	if err == nil {
		p.spec = s.Spec
		p.spec.Params, _ = params.(map[string]any)
		p.checker, e.Check = check.New(p.spec)
		p.typ, _ = check.Lookup(s.Type)
	}
	if e.Secrets != nil || e.Check != nil || len(e.Conditions) > 0 {
		return nil, e
	}
	return p, nil
}

// ConditionError is a condition that does not parse.
type ConditionError struct {
	Text string
	Err  error
}

func (e *ConditionError) Error() string { return fmt.Sprintf("条件 %q：%v", e.Text, e.Err) }
func (e *ConditionError) Unwrap() error { return e.Err }

// Failure is what a phrasing gets to word an attempt whose check could not
// be made.
type Failure struct {
	Err         error         // the check's own error, not yet redacted
	Timeout     time.Duration // the probe's timeout
	Expired     bool          // the attempt ran out of its timeout (the caller's context did not end)
	Interrupted error         // the caller's context ended: its error
}

// Phrasing words a failure for people; the probe redacts what it returns.
type Phrasing func(Failure) string

// ConditionResult is one condition's outcome with the actual value.
// Actual and Reason are redacted; Reason is empty when the check's own
// error already says why.
type ConditionResult struct {
	Condition string // as written
	Success   bool
	Actual    string
	Reason    string
}

// Outcome is what one attempt saw. Every string in it is redacted.
type Outcome struct {
	Success    bool   // the check was made and every condition holds
	Unchecked  bool   // the check could not be made: Error says why
	Error      string // why the check could not be made, worded by the caller's phrasing
	Security   bool   // the failure may be an attack rather than an outage
	Conditions []ConditionResult
	Duration   time.Duration // of the check itself

	probe  *Probe
	values map[string]any // raw: only numbers and redacted excerpts leave
}

// Attempt runs the probe once under its timeout and evaluates every
// condition against what the check saw (a check with an error fails
// whatever its conditions).
func (p *Probe) Attempt(ctx context.Context, phrase Phrasing) Outcome {
	red := p.secrets.Redactor().String
	actx, cancel := context.WithTimeout(ctx, p.spec.Timeout)
	t0 := time.Now()
	obs := p.checker.Check(actx)
	out := Outcome{Duration: time.Since(t0), Security: obs.Security, Success: obs.Err == nil, probe: p, values: obs.Values}
	expired := actx.Err() != nil && ctx.Err() == nil
	cancel()
	if obs.Err != nil {
		out.Unchecked = true
		out.Error = red(phrase(Failure{Err: obs.Err, Timeout: p.spec.Timeout, Expired: expired, Interrupted: ctx.Err()}))
	}
	for i, r := range condition.EvalAll(p.conditions, obs.Values) { // one JSON decode of BODY for all
		cr := ConditionResult{Condition: p.conditions[i].String(), Success: r.Success, Actual: red(r.Actual), Reason: red(r.Reason)}
		if obs.Err != nil && !r.Success && r.Reason != "" {
			cr.Reason = "" // the check's own error already says why
		}
		out.Conditions = append(out.Conditions, cr)
		out.Success = out.Success && r.Success
	}
	return out
}

// Int returns the integer value the check set under name (EXIT_CODE,
// STATUS …), if it set one.
func (o Outcome) Int(name string) (int64, bool) {
	v, ok := o.values[name].(int64)
	return v, ok
}

// Excerpt is the part of the observation worth keeping, as the check type
// describes it for change steps (a command's output, a response body, a
// query's rows), redacted and with a secret's fragment trimmed off where
// the check cut its output. Empty for types that are not steps.
func (o Outcome) Excerpt() string {
	if o.probe == nil || o.probe.typ.Step == nil || o.probe.typ.Step.Excerpt == nil {
		return ""
	}
	s := o.probe.secrets
	s.mu.Lock()
	values := slices.Clone(s.values)
	s.mu.Unlock()
	return s.Redactor().String(trimSecretTail(o.probe.typ.Step.Excerpt(o.values), values))
}

// trimSecretTail drops a trailing fragment of a secret from text that a
// check cut at its output limit: the redactor only knows whole values, so
// "…padding canary-s3" would otherwise keep the secret's first characters.
// Only long texts can have been cut.
func trimSecretTail(text string, secrets []string) string {
	if len(text) < 4096 {
		return text
	}
	t := strings.TrimRight(text, "\uFFFD")
	cut := 0
	for _, s := range secrets {
		for k := len(s) - 1; k >= max(secret.MinLength, cut+1); k-- {
			if strings.HasSuffix(t, s[:k]) {
				cut = k
				break
			}
		}
	}
	if cut == 0 {
		return text
	}
	return t[:len(t)-cut] + "…"
}

// Package check defines what a check is — a Checker built from a Spec by the
// factory registered for its type — and what it reports: an Observation of
// named values (the placeholders conditions test, such as STATUS or
// RESPONSE_TIME). A target that is down is an observation, not an error;
// only a check that cannot even be attempted returns an error from New.
//
// Each check type lives in its own package under internal/check/ and
// registers itself in init; internal/check/all imports them all.
package check

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/opsbook/opsbook/internal/registry"
)

// Spec is one check of a runbook, with secrets already expanded in memory.
type Spec struct {
	Name    string         // unique within the runbook
	Title   string         // Chinese display name
	Type    string         // registered check type: http, tcp, sql, …
	Asset   string         // asset record id the check is about
	Timeout time.Duration  // per attempt; the runner enforces it through ctx
	Params  map[string]any // every other key of the check entry, type-specific
}

// Observation is what one attempt of a check saw.
type Observation struct {
	// Values are the placeholders conditions can test, by upper-case name
	// without brackets: "STATUS" → int64(200), "RESPONSE_TIME" →
	// time.Duration, "BODY" → string, "CONNECTED" → bool, "CERT_EXPIRY" →
	// time.Duration, "ROWS" → []map[string]any … Allowed value types:
	// bool, int64, float64, string, time.Duration, condition.Size, []any,
	// map[string]any, []map[string]any.
	Values map[string]any
	// Err says why the target could not be checked (connection refused,
	// timeout, TLS failure …). A check with Err set fails regardless of its
	// conditions; Values may still hold what was measured before it.
	Err error
	// Security marks a failure that may be an attack rather than an outage,
	// such as a changed SSH host key or an unexpected certificate.
	Security bool
}

// Checker performs one attempt of a check. It must honour ctx's deadline
// and be safe to call again for retries. Implementations never log secret
// parameters; the runner redacts every string it records anyway.
type Checker interface {
	Check(ctx context.Context) Observation
}

// Factory builds a Checker from a Spec, validating its parameters without
// doing any I/O. Errors name the parameter and say how to fix it (Chinese).
type Factory func(spec Spec) (Checker, error)

// Type describes a registered check type: everything the runner, change
// runs and the docs need to know about it, so none of them switch on type
// names.
type Type struct {
	Name         string
	Label        string   // Chinese name, e.g. HTTP 接口
	Placeholders []string // values the checker sets, for docs and condition validation
	// Category is the inspection category of a check of this type when the
	// runbook gives none: one of the runbook schema's categories.
	Category string
	// Step is set when a change may use this type as a step, and says how
	// such a step behaves and is shown; nil for types that only observe.
	Step *Step
	New  Factory
}

var types = registry.New[Type]("check type")

// Register adds a check type. It panics on a duplicate, a programming error.
func Register(t Type) { types.Register(t.Name, t) }

// Lookup returns the registered type named name.
func Lookup(name string) (Type, bool) { return types.Lookup(name) }

// Types lists the registered type names, sorted.
func Types() []string { return types.Names() }

// StepTypes lists the names of the types a change may use as steps, sorted.
func StepTypes() []string {
	var out []string
	for _, n := range types.Names() {
		if t, _ := types.Lookup(n); t.Step != nil {
			out = append(out, n)
		}
	}
	return out
}

// New builds the checker for spec with its type's factory.
func New(spec Spec) (Checker, error) {
	t, ok := Lookup(spec.Type)
	if !ok {
		return nil, fmt.Errorf("检查 %s：未知的检查类型 %q；可选：%v", spec.Name, spec.Type, Types())
	}
	c, err := t.New(spec)
	if err != nil {
		return nil, fmt.Errorf("检查 %s（%s）：%w", spec.Name, spec.Type, err)
	}
	return c, nil
}

// Failed is a convenience for an observation that could not be made.
func Failed(err error, values map[string]any) Observation {
	if values == nil {
		values = map[string]any{}
	}
	return Observation{Values: values, Err: err}
}

// HasPlaceholder reports whether type t documents placeholder p.
func (t Type) HasPlaceholder(p string) bool { return slices.Contains(t.Placeholders, p) }

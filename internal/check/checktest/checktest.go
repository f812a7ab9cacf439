// Package checktest is the one conformance suite every check type runs
// against its own real target (restic's backend test suite in spirit): a
// reachable target is observed without error and with only documented,
// well-typed values; an unreachable one fails with an error, promptly; a
// cancelled context stops the check; unknown parameters are rejected; the
// type describes itself (a category, and for change step types default
// conditions and how a step is shown).
package checktest

import (
	"context"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/opsbook/opsbook/internal/check"
	"github.com/opsbook/opsbook/internal/condition"
)

// Targets are the specs a check type's test provides to the suite.
type Targets struct {
	Up   check.Spec // a reachable, healthy target
	Down check.Spec // an unreachable target (closed port, NXDOMAIN …)
	// Slow, when set, is a target that accepts and then never answers; the
	// check must give up at its context deadline.
	Slow *check.Spec
}

// Run runs the conformance suite for check type typ.
func Run(t *testing.T, typ string, targets Targets) {
	t.Helper()
	ct, ok := check.Lookup(typ)
	if !ok {
		t.Fatalf("check type %q is not registered", typ)
	}
	t.Run("description", func(t *testing.T) { describes(t, ct) })
	t.Run("up", func(t *testing.T) {
		obs := observe(t, targets.Up, 10*time.Second)
		if obs.Err != nil {
			t.Fatalf("healthy target: %v", obs.Err)
		}
		if len(obs.Values) == 0 {
			t.Fatal("healthy target: no values observed")
		}
		for name, v := range obs.Values {
			if !ct.HasPlaceholder(name) {
				t.Errorf("value %s is not among the documented placeholders %v", name, ct.Placeholders)
			}
			if !allowed(v) {
				t.Errorf("value %s has type %T, not one conditions understand", name, v)
			}
		}
	})
	t.Run("down", func(t *testing.T) {
		obs := observe(t, targets.Down, 10*time.Second)
		if obs.Err == nil {
			t.Fatalf("unreachable target observed without error: %v", obs.Values)
		}
		if strings.TrimSpace(obs.Err.Error()) == "" {
			t.Error("error has no message")
		}
	})
	if targets.Slow != nil {
		t.Run("deadline", func(t *testing.T) {
			start := time.Now()
			obs := observe(t, *targets.Slow, 500*time.Millisecond)
			if obs.Err == nil {
				t.Error("a target that never answers passed")
			}
			if el := time.Since(start); el > 3*time.Second {
				t.Errorf("check ignored its deadline: took %v", el)
			}
		})
	}
	t.Run("cancelled", func(t *testing.T) {
		c, err := check.New(targets.Up)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		done := make(chan check.Observation, 1)
		go func() { done <- c.Check(ctx) }()
		select {
		case obs := <-done:
			if obs.Err == nil {
				t.Error("cancelled check reported success")
			}
		case <-time.After(3 * time.Second):
			t.Error("cancelled check did not return")
		}
	})
	t.Run("unknown parameter", func(t *testing.T) {
		spec := targets.Up
		spec.Params = maps.Clone(spec.Params)
		spec.Params["no_such_parameter"] = "x"
		if _, err := check.New(spec); err == nil || !strings.Contains(err.Error(), "no_such_parameter") {
			t.Errorf("unknown parameter accepted or not named: %v", err)
		}
	})
}

// describes checks what a type says about itself on registration: a
// label and a default category; for a step type, default conditions that
// parse and test only its placeholders, and every display function.
func describes(t *testing.T, ct check.Type) {
	if ct.Label == "" || ct.Category == "" {
		t.Errorf("type %s: Label %q and Category %q must be set", ct.Name, ct.Label, ct.Category)
	}
	st := ct.Step
	if st == nil {
		return
	}
	if st.Target == nil || st.Command == nil || st.Excerpt == nil {
		t.Errorf("step type %s: Target, Command and Excerpt must be set", ct.Name)
	}
	for _, text := range st.Conditions {
		c, err := condition.Parse(text)
		if err != nil {
			t.Errorf("step type %s: default condition %q: %v", ct.Name, text, err)
			continue
		}
		for _, p := range c.Placeholders() {
			if !ct.HasPlaceholder(p) {
				t.Errorf("step type %s: default condition %q tests [%s], which the type does not set", ct.Name, text, p)
			}
		}
	}
}

func observe(t *testing.T, spec check.Spec, timeout time.Duration) check.Observation {
	t.Helper()
	c, err := check.New(spec)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return c.Check(ctx)
}

func allowed(v any) bool {
	switch x := v.(type) {
	case bool, int64, float64, string, time.Duration, condition.Size, map[string]any, []map[string]any:
		return true
	case []any:
		for _, item := range x {
			if !allowed(item) {
				return false
			}
		}
		return true
	}
	return false
}

// RequireService skips when a service the test needs is absent on a
// laptop, and fails instead when CI=true: CI must not silently test less.
func RequireService(t testing.TB, name string, err error) {
	t.Helper()
	if err == nil {
		return
	}
	if ciMode() {
		t.Fatalf("%s is required in CI but unavailable: %v", name, err)
	}
	t.Skipf("SKIPPING: %s is unavailable (%v) — this test runs in CI", name, err)
}

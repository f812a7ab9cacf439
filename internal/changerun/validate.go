package changerun

import (
	"github.com/opsbook/opsbook/internal/diag"
	"github.com/opsbook/opsbook/internal/kind"
	"github.com/opsbook/opsbook/internal/record"
	"github.com/opsbook/opsbook/internal/rules"

	"time"
)

// A change's steps are checked by opsbook validate too (and so in the pull
// request, before anyone approves them), not only when the change runs:
// every problem ParseProcedure finds without secrets — unknown step types
// or parameters, bad timeouts, duplicate names, rollback steps undoing
// unknown steps, conditions that do not parse or name placeholders the
// type does not set. What needs the execution host (secrets, the window)
// stays with change run.
func init() { rules.RegisterKindRule("change", checkSteps) }

// stepsRule is the rule name of the steps' problems in opsbook validate.
const stepsRule = "change/steps"

func checkSteps(_ *rules.Context, r *record.Record) []diag.Violation {
	if ch, _ := kind.ChangeFrom(r, time.UTC); !ch.HasProcedure {
		return nil
	}
	_, problems := ParseProcedure(r)
	vs := make([]diag.Violation, 0, len(problems))
	for _, p := range problems {
		pos := r.At(p.Pointer)
		vs = append(vs, diag.At(r.Path, pos.Line, pos.Col, stepsRule, "%s", p.Message))
	}
	return vs
}

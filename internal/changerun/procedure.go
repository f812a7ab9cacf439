package changerun

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/opsbook/opsbook/internal/kind"
	"github.com/opsbook/opsbook/internal/record"
	"github.com/opsbook/opsbook/internal/runbook"
	"github.com/opsbook/opsbook/internal/runner"
)

// Phases of a step.
const (
	PhaseStep     = "step"
	PhaseRollback = "rollback"
)

// DefaultStepTimeout bounds a step that sets no timeout.
const DefaultStepTimeout = 10 * time.Minute

// Step is one step of a change, as written: secret references unexpanded.
type Step struct {
	Phase      string // PhaseStep or PhaseRollback
	Name       string
	Title      string
	Type       string
	Asset      string
	Undoes     string // rollback steps: the step they undo
	Timeout    time.Duration
	Conditions []string       // as written, or the type's default
	Params     map[string]any // every other key: the check type's parameters
	Pointer    string         // JSON pointer in the change, e.g. /steps/2
}

// Label is the step's display name: its title, or its name.
func (s Step) Label() string {
	if s.Title != "" {
		return s.Title
	}
	return s.Name
}

// Procedure is a change's steps and rollback steps.
type Procedure struct {
	Steps    []Step
	Rollback []Step
}

// RollbackOrder returns the rollback steps to run when step failed (an
// index into Steps) failed: those undoing step failed, then failed-1, …,
// then 0; several undoing the same step run in the order written. The
// failed step is included because it may have partly applied.
func (p *Procedure) RollbackOrder(failed int) []Step {
	var out []Step
	for i := min(failed, len(p.Steps)-1); i >= 0; i-- {
		for _, r := range p.Rollback {
			if r.Undoes == p.Steps[i].Name {
				out = append(out, r)
			}
		}
	}
	return out
}

// commonKeys are the keys every step may have; all others are parameters.
var commonKeys = []string{"name", "title", "type", "asset", "timeout", "conditions", "undoes"}

// Problem is something wrong with the steps of a change, at a JSON pointer.
type Problem = runbook.Error

// ParseProcedure reads steps and rollback from a change that passed its
// schema. It returns nil when the change has no steps. Problems are what
// the schema cannot see: duplicate names, rollback steps undoing unknown
// steps, unknown parameters, conditions naming placeholders the type does
// not set. Parameters holding a secret reference are judged once expanded.
func ParseProcedure(r *record.Record) (*Procedure, []Problem) {
	ch, _ := kind.ChangeFrom(r, time.UTC) // the window is not needed here
	steps := ch.Steps
	if len(steps) == 0 {
		return nil, nil
	}
	var problems []Problem
	p := &Procedure{}
	seen := map[string]string{}
	add := func(phase, field string, items []any) []Step {
		var out []Step
		for i, item := range items {
			m, _ := item.(map[string]any)
			ptr := "/" + field + "/" + strconv.Itoa(i)
			s := Step{Phase: phase, Name: str(m["name"]), Title: str(m["title"]), Type: str(m["type"]), Asset: str(m["asset"]),
				Undoes: str(m["undoes"]), Timeout: DefaultStepTimeout, Pointer: ptr, Params: map[string]any{}}
			if t := str(m["timeout"]); t != "" {
				d, err := time.ParseDuration(t)
				if err != nil || d <= 0 {
					problems = append(problems, Problem{Pointer: ptr + "/timeout", Message: fmt.Sprintf("%q 不是合法的时长，例如 30s、5m", t)})
				} else {
					s.Timeout = d
				}
			}
			if conds, ok := m["conditions"].([]any); ok {
				for _, c := range conds {
					s.Conditions = append(s.Conditions, str(c))
				}
			} else if st := stepType(s.Type); st != nil {
				s.Conditions = slices.Clone(st.Conditions) // the type's default
			}
			for k, v := range m {
				if !slices.Contains(commonKeys, k) {
					s.Params[k] = v
				}
			}
			if phase == PhaseStep && m["undoes"] != nil {
				problems = append(problems, Problem{Pointer: ptr + "/undoes", Message: "undoes 只用于回退步骤（rollback）；实施步骤请删除该字段"})
			}
			// A change step exists to change things: its type may set
			// defaults a check does not have (sql: statements may write).
			if st := stepType(s.Type); st != nil && st.Defaults != nil {
				st.Defaults(s.Params)
			}
			if where, dup := seen[s.Name]; dup {
				problems = append(problems, Problem{Pointer: ptr + "/name", Message: fmt.Sprintf("步骤名称 %s 与 %s 重复；实施步骤和回退步骤的名称必须各不相同", s.Name, where)})
			}
			seen[s.Name] = ptr
			out = append(out, s)
		}
		return out
	}
	p.Steps = add(PhaseStep, "steps", steps)
	p.Rollback = add(PhaseRollback, "rollback", ch.Rollback)
	for _, rb := range p.Rollback {
		if !slices.ContainsFunc(p.Steps, func(s Step) bool { return s.Name == rb.Undoes }) {
			names := make([]string, len(p.Steps))
			for i, s := range p.Steps {
				names[i] = s.Name
			}
			problems = append(problems, Problem{Pointer: rb.Pointer + "/undoes", Message: fmt.Sprintf("回退步骤 %s 要撤销的步骤 %q 不在 steps 中；可选：%v", rb.Name, rb.Undoes, names)})
		}
	}
	problems = append(problems, lint(p)...)
	return p, problems
}

// lint runs the runner's check lint over the steps: types exist,
// parameters are valid, conditions parse and use the type's placeholders.
func lint(p *Procedure) []Problem {
	rb := &runbook.Runbook{}
	for _, s := range slices.Concat(p.Steps, p.Rollback) {
		if stepType(s.Type) == nil {
			continue // the schema's enum says which types may be steps
		}
		rb.Checks = append(rb.Checks, runbook.Check{Name: s.Name, Title: s.Title, Type: s.Type, Asset: s.Asset,
			Timeout: s.Timeout, Conditions: s.Conditions, Params: maps.Clone(s.Params), Pointer: s.Pointer})
	}
	problems := runner.Lint(rb)
	for i, pr := range problems {
		// The check library says 检查 (check); here it is a step.
		for _, c := range rb.Checks {
			if strings.HasPrefix(pr.Pointer, c.Pointer+"/") || pr.Pointer == c.Pointer {
				problems[i].Message = strings.Replace(pr.Message, "检查 "+c.Name+"（", "步骤 "+c.Name+"（", 1)
				problems[i].Message = strings.Replace(problems[i].Message, c.Type+" 检查没有占位符", c.Type+" 步骤没有占位符", 1)
			}
		}
	}
	return problems
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

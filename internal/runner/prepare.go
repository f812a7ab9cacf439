package runner

import (
	"errors"
	"fmt"

	"github.com/opsbook/opsbook/internal/check"
	"github.com/opsbook/opsbook/internal/condition"
	"github.com/opsbook/opsbook/internal/runbook"
	"github.com/opsbook/opsbook/internal/secret"
)

// defaultCategory is the inspection category of a check type when the
// runbook does not say.
var defaultCategory = map[string]string{
	"http": "application", "tcp": "network", "tls": "security", "dns": "network",
	"ssh": "hardware", "sftp": "backup", "sql": "database", "exec": "application",
}

// prepared is a check ready to run, or the reason it cannot.
type prepared struct {
	check      runbook.Check
	category   string
	checker    check.Checker
	conditions []*condition.Condition
	err        error // could not be prepared: reported as a failed result
}

// prepare builds checkers with secrets expanded by x. Problems with one
// check do not stop the others: that check's result carries the reason.
func prepare(rb *runbook.Runbook, x *secret.Expander) []prepared {
	out := make([]prepared, len(rb.Checks))
	for i, c := range rb.Checks {
		p := prepared{check: c, category: c.Category}
		if p.category == "" {
			p.category = defaultCategory[c.Type]
			if p.category == "" {
				p.category = "application"
			}
		}
		var errs []error
		for _, s := range c.Conditions {
			cond, err := condition.Parse(s)
			if err != nil {
				errs = append(errs, fmt.Errorf("条件 %q：%w", s, err))
				continue
			}
			p.conditions = append(p.conditions, cond)
		}
		params, err := x.ExpandAll(c.Params)
		errs = append(errs, err)
		if err == nil {
			spec := check.Spec{Name: c.Name, Title: c.Title, Type: c.Type, Asset: c.Asset, Timeout: c.Timeout, Params: params.(map[string]any)}
			p.checker, err = check.New(spec)
			errs = append(errs, err)
		}
		p.err = errors.Join(errs...)
		out[i] = p
	}
	return out
}

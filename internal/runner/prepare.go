package runner

import (
	"github.com/opsbook/opsbook/internal/check"
	"github.com/opsbook/opsbook/internal/probe"
	"github.com/opsbook/opsbook/internal/runbook"
)

// prepared is a check ready to run, or the reason it cannot.
type prepared struct {
	check    runbook.Check
	category string
	probe    *probe.Probe
	err      error // could not be prepared: reported as a failed result
}

// prepare builds the probes of rb with secrets expanded by s. Problems with
// one check do not stop the others: that check's result carries the reason.
func prepare(rb *runbook.Runbook, s *probe.Secrets) []prepared {
	out := make([]prepared, len(rb.Checks))
	for i, c := range rb.Checks {
		p := prepared{check: c, category: c.Category}
		if p.category == "" {
			if t, ok := check.Lookup(c.Type); ok {
				p.category = t.Category // the type's default
			}
			if p.category == "" {
				p.category = "application"
			}
		}
		spec := check.Spec{Name: c.Name, Title: c.Title, Type: c.Type, Asset: c.Asset, Timeout: c.Timeout, Params: c.Params}
		p.probe, p.err = probe.Prepare(probe.Spec{Spec: spec, Conditions: c.Conditions}, s)
		out[i] = p
	}
	return out
}

package runner

import (
	"context"
	"errors"

	"github.com/opsbook/opsbook/internal/alert"
	"github.com/opsbook/opsbook/internal/secret"
)

// Alerter sends alerts; *alert.Alerter is one.
type Alerter interface {
	Alert(ctx context.Context, e alert.Event) error
}

// notify alerts on every anomaly this run opened and every one it resolved.
func notify(ctx context.Context, rep *Report, o Options, redact *secret.Redactor) []error {
	var errs []error
	for _, t := range rep.transitions {
		r := t.result
		e := alert.Event{Kind: t.kind, Runbook: rep.Runbook.ID, RunbookTitle: rep.Runbook.Title, Check: r.Check.Name,
			CheckTitle: r.Check.Label(), Asset: r.Check.Asset, AnomalyID: t.id, At: rep.End, Severity: "major",
			Security: r.Security, Error: redact.String(r.Error), Location: o.Location}
		if r.Security {
			e.Severity = "critical"
		}
		for _, c := range r.Conditions {
			if !c.Success {
				e.Failed = append(e.Failed, alert.FailedCondition{Condition: c.Condition, Actual: c.Actual})
			}
		}
		if err := o.Alerter.Alert(ctx, e); err != nil {
			errs = append(errs, errors.New(redact.String(err.Error())))
		}
	}
	return errs
}

package alert

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/opsbook/opsbook/internal/secret"
)

// Alerter is what a runner holds for one `alerts:` list: its notifiers
// behind a Dispatcher, built with the list's ${ENV} and ${file:PATH}
// references expanded in memory only, and with the platform name and time
// zone filled into every event. Keep one Alerter per list for the life of
// the process: rate limits and de-duplication live in it.
type Alerter struct {
	d        *Dispatcher
	platform string
	loc      *time.Location
	redact   *secret.Redactor
}

// AlerterOptions configure NewAlerter.
type AlerterOptions struct {
	Platform string         // platform name shown in messages (opsbook.yaml platform)
	Location *time.Location // zone messages show times in; nil: Asia/Shanghai
	Secrets  secret.Source  // where ${…} references are looked up; zero: environment and files
	Dispatch Options
}

// FromConfig builds the Alerter for a runbook's `alerts:` list, reading
// secrets from the environment and files.
func FromConfig(cfgs []map[string]any, platform string, loc *time.Location) (*Alerter, error) {
	return NewAlerter(cfgs, AlerterOptions{Platform: platform, Location: loc})
}

// NewAlerter builds an Alerter. Errors name the entry (alerts[i]), the field
// and the missing variable or file, never a secret's value.
func NewAlerter(cfgs []map[string]any, o AlerterOptions) (*Alerter, error) {
	x := secret.NewExpander(o.Secrets)
	expanded := make([]map[string]any, 0, len(cfgs))
	var errs []error
	for i, cfg := range cfgs {
		v, err := x.ExpandAll(cfg)
		if err != nil {
			errs = append(errs, &indexError{i, err})
			continue
		}
		expanded = append(expanded, v.(map[string]any))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	ns, err := NewAll(expanded)
	if err != nil {
		return nil, errors.New(x.Redactor.String(err.Error()))
	}
	return &Alerter{d: NewDispatcher(o.Dispatch, ns...), platform: o.Platform, loc: o.Location, redact: x.Redactor}, nil
}

type indexError struct {
	i   int
	err error
}

func (e *indexError) Error() string { return fmt.Sprintf("alerts[%d]：", e.i) + e.err.Error() }
func (e *indexError) Unwrap() error { return e.err }

// Alert sends e to every notifier (see Dispatcher.Send), filling in the
// platform, zone and time when e lacks them. The error, if any, joins every
// notifier's failure, redacted of the list's secrets.
func (a *Alerter) Alert(ctx context.Context, e Event) error {
	_, err := a.Send(ctx, e)
	return err
}

// Send is Alert with the per-notifier outcomes, for metrics.
func (a *Alerter) Send(ctx context.Context, e Event) ([]Delivery, error) {
	if e.Platform == "" {
		e.Platform = a.platform
	}
	if e.Location == nil {
		e.Location = a.loc
	}
	if e.At.IsZero() {
		e.At = time.Now()
	}
	ds, err := a.d.Send(ctx, e)
	if err != nil {
		for i := range ds {
			if ds[i].Err != nil {
				ds[i].Err = redacted{ds[i].Err, a.redact.String(ds[i].Err.Error())}
			}
		}
		err = redacted{err, a.redact.String(err.Error())}
	}
	return ds, err
}

// redacted keeps an error's chain for errors.Is/As and shows redacted text.
type redacted struct {
	err error
	msg string
}

func (r redacted) Error() string { return r.msg }
func (r redacted) Unwrap() error { return r.err }

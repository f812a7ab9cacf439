package kind

import (
	"time"

	"github.com/opsbook/opsbook/internal/diag"
	"github.com/opsbook/opsbook/internal/record"
)

// Change is a change record (content/change/).
type Change struct {
	ID, Title, Path string
	Type            string
	Status          string // draft, approved, done, rolled-back, cancelled
	Emergency       bool
	Justification   string // emergency_justification
	Requester       string
	Implementer     string
	Reviewers       []string // the string items of reviewers
	Window          Window
	// Steps and Rollback are the procedure's lists as written (change run
	// parses them); HasProcedure is whether either key is written at all.
	Steps, Rollback []any
	HasProcedure    bool
}

// ChangeFrom reads a change; window times without an offset are in loc.
func ChangeFrom(r *record.Record, loc *time.Location) (Change, []diag.Violation) {
	c := Change{ID: r.ID(), Title: r.Title(), Path: r.Path, Type: r.Str("type"), Status: r.Str("status"),
		Emergency: r.Bool("emergency"), Justification: r.Str("emergency_justification"),
		Requester: r.Str("requester"), Implementer: r.Str("implementer"),
		Steps: r.List("steps"), Rollback: r.List("rollback"), HasProcedure: r.Has("steps") || r.Has("rollback")}
	c.Reviewers, _ = stringList(r.List("reviewers"))
	var vs []diag.Violation
	c.Window, vs = window(r, "window", loc)
	return c, vs
}

// Execution is a change run's record (content/execution/).
type Execution struct {
	ID, Path string
	Change   string // the change executed
	Outcome  string // success, failed, rolled-back, …
}

// ExecutionFrom reads an execution record.
func ExecutionFrom(r *record.Record) (Execution, []diag.Violation) {
	return Execution{ID: r.ID(), Path: r.Path, Change: r.Str("change"), Outcome: r.Str("outcome")}, nil
}

// Event is an event record (content/event/): a period needing support,
// perhaps with a change freeze.
type Event struct {
	ID, Title, Path string
	Start, End      string // the event's dates as written
	Freeze          Window
}

// EventFrom reads an event; freeze times without an offset are in loc.
func EventFrom(r *record.Record, loc *time.Location) (Event, []diag.Violation) {
	e := Event{ID: r.ID(), Title: r.Title(), Path: r.Path, Start: r.Str("start"), End: r.Str("end")}
	var vs []diag.Violation
	e.Freeze, vs = window(r, "freeze", loc)
	return e, vs
}

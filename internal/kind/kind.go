// Package kind gives typed views of the record kinds code reasons about: a
// change with its window parsed, an event with its freeze, an inspection
// with its items, a project with its document attributes. Fields are read
// by name here, once, instead of by string key wherever they are needed.
//
// Each view is made by <Kind>From(r) (or <Kind>From(r, loc) when the kind
// holds times), returning the view and what it could not read as
// diag.Violations. Those are problems the schema check reports too, so
// callers working on validated records may ignore them. A missing or
// mistyped field leaves the view's field at its zero value.
//
// All lists the records of one kind from a repository's file index.
package kind

import (
	"iter"
	"time"

	"github.com/opsbook/opsbook/internal/calendar"
	"github.com/opsbook/opsbook/internal/diag"
	"github.com/opsbook/opsbook/internal/layout"
	"github.com/opsbook/opsbook/internal/record"
)

// Item is one file under content/<kind>/: its index entry and the record
// read from it (fields only), or the error reading it.
type Item struct {
	Entry  layout.Entry
	Record *record.Record
	Err    error
}

// All reads, in index order, every file of kind name listed in ix (fields
// only, without positions); files larger than maxSize (when > 0) are
// errors. Callers decide what to skip.
func All(ix *layout.Index, name string, maxSize int64) iter.Seq[Item] {
	return all(ix, name, maxSize, record.ReadFields)
}

// AllWithPositions is All for callers that need where each value was
// written (to report it, or to keep keys in written order).
func AllWithPositions(ix *layout.Index, name string, maxSize int64) iter.Seq[Item] {
	return all(ix, name, maxSize, record.ReadFile)
}

func all(ix *layout.Index, name string, maxSize int64, read func(file, rel string, maxSize int64) (*record.Record, error)) iter.Seq[Item] {
	return func(yield func(Item) bool) {
		for _, e := range ix.OfKind(name) {
			r, err := read(ix.Abs(e.Path), e.Path, maxSize)
			if !yield(Item{Entry: e, Record: r, Err: err}) {
				return
			}
		}
	}
}

// Window is a span of time read from an object with start and end fields
// (a change's window, an event's freeze). A bound that is missing or not a
// time is zero. Times keep the offset they were written with; without one
// they are in the repository's zone.
type Window struct {
	Start, End time.Time
	// StartText and EndText are the bounds as written ("" when missing or
	// not strings).
	StartText, EndText string
}

// OK reports whether both bounds were read.
func (w Window) OK() bool { return !w.Start.IsZero() && !w.End.IsZero() }

// In returns the window with both bounds in loc.
func (w Window) In(loc *time.Location) Window {
	w.Start, w.End = w.Start.In(loc), w.End.In(loc)
	return w
}

// window reads the object field of r as a Window: the one place a change's
// window and an event's freeze are parsed.
func window(r *record.Record, field string, loc *time.Location) (Window, []diag.Violation) {
	m := r.Object(field)
	var w Window
	var vs []diag.Violation
	w.StartText, _ = m["start"].(string)
	w.EndText, _ = m["end"].(string)
	for _, b := range []struct {
		name string
		text string
		to   *time.Time
	}{{"start", w.StartText, &w.Start}, {"end", w.EndText, &w.End}} {
		if b.text == "" {
			continue
		}
		t, _, err := calendar.ParseTime(b.text, loc)
		if err != nil {
			vs = append(vs, violation(r, "/"+field+"/"+b.name, "%s.%s：%v", field, b.name, err))
			continue
		}
		*b.to = t
	}
	return w, vs
}

func violation(r *record.Record, ptr, format string, args ...any) diag.Violation {
	p := r.At(ptr)
	return diag.At(r.Path, p.Line, p.Col, "kind/field", format, args...)
}

// stringList returns the string items of a list (other items are left out)
// and whether every item was a string.
func stringList(l []any) ([]string, bool) {
	var out []string
	for _, v := range l {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out, len(out) == len(l)
}

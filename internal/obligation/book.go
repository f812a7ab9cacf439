package obligation

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/opsbook/opsbook/internal/calendar"
	"github.com/opsbook/opsbook/internal/kind"
	"github.com/opsbook/opsbook/internal/layout"
	"github.com/opsbook/opsbook/internal/record"
)

// Book is a repository's compliance calendar: its obligations and, for each,
// the records that may prove it.
type Book struct {
	Loc         *time.Location
	Obligations []*Obligation
	Proofs      map[string][]Proof // obligation id → candidate proofs
	// Problems are obligation records that could not be read or are
	// invalid; they are left out (opsbook validate says what is wrong).
	Problems []Problem
}

// Problem is a file the book had to leave out.
type Problem struct {
	Path, Message string
}

func (p Problem) String() string { return p.Path + "：" + p.Message }

// Load reads every obligation record in the index and every record of the
// kinds they name as proof (fields only, maxSize as for validation). Dates
// are civil dates in loc.
func Load(ix *layout.Index, loc *time.Location, maxSize int64) *Book {
	var obligations []*record.Record
	var problems []Problem
	for it := range kind.All(ix, Kind, maxSize) {
		if !record.IsRecordFile(it.Entry.Path) {
			continue
		}
		if it.Err != nil {
			problems = append(problems, Problem{it.Entry.Path, it.Err.Error()})
			continue
		}
		obligations = append(obligations, it.Record)
	}
	read := map[string][]*record.Record{}
	b := NewBook(obligations, func(name string) []*record.Record {
		recs, done := read[name]
		if !done {
			for it := range kind.All(ix, name, maxSize) {
				if it.Err == nil {
					recs = append(recs, it.Record)
				}
			}
			read[name] = recs
		}
		return recs
	}, loc)
	b.Problems = append(problems, b.Problems...)
	return b
}

// NewBook builds a book from obligation records already read and a source
// of the records of a proof kind (called once per kind named as proof).
func NewBook(obligations []*record.Record, ofKind func(kind string) []*record.Record, loc *time.Location) *Book {
	b := &Book{Loc: loc, Proofs: map[string][]Proof{}}
	for _, r := range obligations {
		o, errs := Parse(r, loc)
		if len(errs) > 0 {
			b.Problems = append(b.Problems, Problem{r.Path, errs[0].Error() + "（运行 opsbook validate 查看全部问题）"})
			continue
		}
		b.Obligations = append(b.Obligations, o)
	}
	slices.SortFunc(b.Obligations, func(a, c *Obligation) int { return strings.Compare(a.ID, c.ID) })
	byKind := map[string][]*record.Record{}
	for _, o := range b.Obligations {
		recs, read := byKind[o.Proof.Kind]
		if !read {
			recs = ofKind(o.Proof.Kind)
			byKind[o.Proof.Kind] = recs
		}
		b.Proofs[o.ID] = []Proof{}
		for _, r := range recs {
			if p, ok := o.Proof.ProofFrom(r.Fields, r.Path, loc); ok {
				b.Proofs[o.ID] = append(b.Proofs[o.ID], p)
			}
		}
	}
	return b
}

// statuses expands every obligation from its start through `through` and
// states each occurrence at `at`.
func (b *Book) statuses(cal *calendar.Calendar, at time.Time, through func(*Obligation) time.Time) []Status {
	var out []Status
	for _, o := range b.Obligations {
		occs := o.Occurrences(cal, o.Start, through(o))
		out = append(out, Match(o, occs, b.Proofs[o.ID], at)...)
	}
	return out
}

// Between returns the occurrences due from `from` through `to`, each in its
// state at `at` (proofs dated after `at` do not count). Proofs are matched
// from each obligation's start, so the answer does not depend on the range.
// In due-date order.
func (b *Book) Between(cal *calendar.Calendar, at, from, to time.Time) []Status {
	all := b.statuses(cal, at, func(*Obligation) time.Time { return to })
	out := slices.DeleteFunc(all, func(s Status) bool { return s.Due.Before(s.Obligation.day(from)) })
	slices.SortStableFunc(out, func(a, c Status) int { return a.Due.Compare(c.Due) })
	return out
}

// Around is what `opsbook due` lists at `at`: every overdue occurrence and
// every open one (due), those that cannot be computed (unknown) or were done
// with a due date within `days` days before or after `at`, and each
// obligation's next upcoming occurrence when its window opens within `days`
// days. Sorted by Sort.
func (b *Book) Around(cal *calendar.Calendar, at time.Time, days int) []Status {
	all := b.statuses(cal, at, func(o *Obligation) time.Time { return at.AddDate(0, 0, days+o.LeadDays) })
	var out []Status
	next := map[*Obligation]bool{}
	for _, s := range all {
		at := s.Obligation.day(at)
		near := !s.Due.Before(at.AddDate(0, 0, -days)) && !s.Due.After(at.AddDate(0, 0, days))
		switch s.State {
		case Overdue, Due:
		case Unknown, Done:
			if !near {
				continue
			}
		case Upcoming:
			if next[s.Obligation] || s.Opens.After(at.AddDate(0, 0, days)) {
				continue
			}
			next[s.Obligation] = true
		}
		out = append(out, s)
	}
	Sort(out)
	return out
}

// Summary is a one-line Chinese count, e.g. 逾期 2 项，待办 1 项，已完成 9 项.
func Summary(st []Status) string {
	n := Count(st)
	var parts []string
	for _, s := range []State{Overdue, Due, Unknown, Upcoming, Done} {
		if n[s] > 0 {
			parts = append(parts, fmt.Sprintf("%s %d 项", s.Label(), n[s]))
		}
	}
	if len(parts) == 0 {
		return "没有需要列出的事项"
	}
	return strings.Join(parts, "，")
}

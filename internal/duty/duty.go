// Package duty reads the duty roster — duty records (content/duty/…) listing
// shifts with start, end, person, role (onsite 驻场, oncall 电话值守, backup
// 备岗) and phone — and answers who is on duty at a moment and who is next.
// `opsbook duty now` and the site's 当前值班 panel use it.
package duty

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/opsbook/opsbook/internal/kind"
	"github.com/opsbook/opsbook/internal/layout"
	"github.com/opsbook/opsbook/internal/record"
)

// Kind is the record kind of duty rosters.
const Kind = "duty"

// Roles, in the order lists show them.
var Roles = []string{"onsite", "oncall", "backup"}

var roleLabels = map[string]string{"onsite": "驻场", "oncall": "电话值守", "backup": "备岗"}

// RoleLabel is a role's Chinese name (the role itself when unknown).
func RoleLabel(role string) string {
	if l, ok := roleLabels[role]; ok {
		return l
	}
	return role
}

// Shift is one person on duty from Start until End.
type Shift struct {
	Roster string // id of the duty record
	Path   string // its file
	Index  int    // position in the record's shifts
	Start  time.Time
	End    time.Time
	Person string
	Role   string
	Phone  string
}

// Problem is a shift or file that could not be read.
type Problem struct{ Path, Message string }

func (p Problem) String() string { return p.Path + "：" + p.Message }

// Shifts reads the shifts of one duty record; times without an offset are
// in loc. Shifts with unreadable or unordered times are problems.
func Shifts(r *record.Record, loc *time.Location) ([]Shift, []Problem) {
	var out []Shift
	var problems []Problem
	d, _ := kind.DutyFrom(r, loc) // unreadable times are problems below
	for i, x := range d.Shifts {
		s := Shift{Roster: d.ID, Path: d.Path, Index: i, Person: x.Person, Role: x.Role, Phone: x.Phone, Start: x.Start, End: x.End}
		if s.Start.IsZero() || s.End.IsZero() || !s.End.After(s.Start) || s.Person == "" {
			problems = append(problems, Problem{r.Path, fmt.Sprintf("第 %d 个班次无法读取（起止时间或值班人有误；运行 opsbook validate 查看）", i+1)})
			continue
		}
		out = append(out, s)
	}
	return out, problems
}

// Load reads every duty record in the index.
func Load(ix *layout.Index, loc *time.Location, maxSize int64) ([]Shift, []Problem) {
	var out []Shift
	var problems []Problem
	for it := range kind.All(ix, Kind, maxSize) {
		if !record.IsRecordFile(it.Entry.Path) {
			continue
		}
		if it.Err != nil {
			problems = append(problems, Problem{it.Entry.Path, it.Err.Error()})
			continue
		}
		s, p := Shifts(it.Record, loc)
		out = append(out, s...)
		problems = append(problems, p...)
	}
	return out, problems
}

func roleRank(role string) int {
	if i := slices.Index(Roles, role); i >= 0 {
		return i
	}
	return len(Roles)
}

// At returns the shifts under way at t (Start ≤ t < End), by role (onsite,
// oncall, backup), then start and person. The same person in the same role
// twice (overlapping rosters) is listed once.
func At(shifts []Shift, t time.Time) []Shift {
	var out []Shift
	for _, s := range shifts {
		if !t.Before(s.Start) && t.Before(s.End) {
			out = append(out, s)
		}
	}
	slices.SortStableFunc(out, func(a, b Shift) int {
		return cmp.Or(cmp.Compare(roleRank(a.Role), roleRank(b.Role)), a.Start.Compare(b.Start), strings.Compare(a.Person, b.Person))
	})
	return slices.CompactFunc(out, func(a, b Shift) bool { return a.Role == b.Role && a.Person == b.Person })
}

// Next returns the shifts starting soonest after t (all those starting at
// that same moment), or nil.
func Next(shifts []Shift, t time.Time) []Shift {
	var first time.Time
	for _, s := range shifts {
		if s.Start.After(t) && (first.IsZero() || s.Start.Before(first)) {
			first = s.Start
		}
	}
	if first.IsZero() {
		return nil
	}
	starting := slices.DeleteFunc(slices.Clone(shifts), func(s Shift) bool { return !s.Start.Equal(first) })
	return At(starting, first)
}

// Missing lists the roles in want that nobody covers among on.
func Missing(on []Shift, want ...string) []string {
	var out []string
	for _, r := range want {
		if !slices.ContainsFunc(on, func(s Shift) bool { return s.Role == r }) {
			out = append(out, r)
		}
	}
	return out
}

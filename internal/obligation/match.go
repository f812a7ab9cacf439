package obligation

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/opsbook/opsbook/internal/calendar"
)

// State is where an occurrence stands at a date.
type State string

// States.
const (
	Done     State = "done"     // proved by one or more records
	Due      State = "due"      // window open, not proved yet
	Overdue  State = "overdue"  // window closed without proof
	Upcoming State = "upcoming" // window not open yet
	Unknown  State = "unknown"  // the date cannot be computed (no holiday data)
)

var stateLabels = map[State]string{Done: "已完成", Due: "待办", Overdue: "逾期", Upcoming: "未到期", Unknown: "无法确定"}

// Label is the state's Chinese name.
func (s State) Label() string { return stateLabels[s] }

// rank orders states for lists: what needs action first.
func (s State) rank() int {
	return map[State]int{Overdue: 0, Due: 1, Unknown: 2, Upcoming: 3, Done: 4}[s]
}

// Proof is a record that may prove occurrences of an obligation.
type Proof struct {
	ID, Path string
	Date     time.Time // civil date (midnight) in the obligation's zone
	Assets   []string  // values of the spec's AssetField
	Holiday  string    // value of the spec's HolidayField
}

// ProofFrom reads a proof from the fields of a record of kind s.Kind. ok is
// false when the record does not meet the conditions or has no readable
// date.
func (s ProofSpec) ProofFrom(fields map[string]any, path string, loc *time.Location) (Proof, bool) {
	if k, _ := fields["kind"].(string); k != s.Kind {
		return Proof{}, false
	}
	for _, c := range s.Match {
		if !slices.ContainsFunc(values(fields, c.Field), func(v string) bool { return slices.Contains(c.Values, v) }) {
			return Proof{}, false
		}
	}
	dates := values(fields, s.DateField)
	if len(dates) != 1 {
		return Proof{}, false
	}
	t, _, err := calendar.ParseTime(dates[0], loc)
	if err != nil {
		return Proof{}, false
	}
	t = t.In(loc)
	id, _ := fields["id"].(string)
	p := Proof{ID: id, Path: path, Date: time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)}
	if s.AssetField != "" {
		p.Assets = values(fields, s.AssetField)
	}
	if s.HolidayField != "" {
		if h := values(fields, s.HolidayField); len(h) > 0 {
			p.Holiday = h[0]
		}
	}
	return p, true
}

// values returns the scalar values at a dotted path ("*" steps into every
// array item; an array at the end yields its items), as strings.
func values(v any, field string) []string {
	cur := []any{v}
	for _, part := range strings.Split(field, ".") {
		var next []any
		for _, c := range cur {
			switch x := c.(type) {
			case map[string]any:
				if child, ok := x[part]; ok && child != nil {
					next = append(next, child)
				}
			case []any:
				if part == "*" {
					next = append(next, x...)
				}
			}
		}
		cur = next
	}
	var out []string
	for _, c := range cur {
		if a, ok := c.([]any); ok {
			for _, item := range a {
				if s, ok := scalar(item); ok {
					out = append(out, s)
				}
			}
		} else if s, ok := scalar(c); ok {
			out = append(out, s)
		}
	}
	return out
}

func scalar(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case bool:
		return fmt.Sprint(x), true
	case json.Number:
		return x.String(), true
	case float64, int, int64:
		return fmt.Sprint(x), true
	}
	return "", false
}

// Status is an occurrence and where it stands at a date.
type Status struct {
	Occurrence
	State   State
	Proofs  []string  // ids of the records proving it, in date order
	Missing []string  // assets no proof covers yet (when the spec has an AssetField)
	Late    bool      // done, but by a proof dated after the window closed
	DoneOn  time.Time // date of the proof that completed it
}

// Match assigns proofs to the occurrences of o (in date order) and states
// each occurrence at date `at`. Proofs dated after `at` are ignored. A
// proof counts for the first occurrence whose window [Opens, Closes] holds
// its date and that still needs it; when the spec names an AssetField and o
// lists assets, an occurrence is done only when its proofs cover them all.
// A proof dated after an overdue occurrence's window but before the next
// window opens makes that occurrence done late.
func Match(o *Obligation, occs []Occurrence, proofs []Proof, at time.Time) []Status {
	at = o.day(at)
	ps := slices.Clone(proofs)
	slices.SortStableFunc(ps, func(a, b Proof) int { return cmp.Or(a.Date.Compare(b.Date), strings.Compare(a.ID, b.ID)) })
	ps = slices.DeleteFunc(ps, func(p Proof) bool { return p.Date.After(at) })
	used := make([]bool, len(ps))
	out := make([]Status, len(occs))
	checkAssets := o.Proof.AssetField != "" && len(o.Assets) > 0
	for i, occ := range occs {
		st := Status{Occurrence: occ}
		if checkAssets {
			st.Missing = slices.Clone(o.Assets)
		}
		take(&st, ps, used, checkAssets, func(p Proof) bool { return !p.Date.Before(occ.Opens) && !p.Date.After(occ.Closes) })
		out[i] = st
	}
	// Late proofs: after the window, before the next occurrence's window.
	for i := range out {
		st := &out[i]
		if st.complete(checkAssets) || st.Unknown || !st.Closes.Before(at) {
			continue
		}
		limit := at
		if i+1 < len(out) {
			limit = minTime(limit, out[i+1].Opens.AddDate(0, 0, -1))
		}
		before := len(st.Proofs)
		take(st, ps, used, checkAssets, func(p Proof) bool { return p.Date.After(st.Closes) && !p.Date.After(limit) })
		if len(st.Proofs) > before && st.complete(checkAssets) {
			st.Late = true
		}
	}
	for i := range out {
		out[i].State = out[i].state(at, checkAssets)
	}
	return out
}

// take gives st the unused proofs that fit, until it is complete.
func take(st *Status, ps []Proof, used []bool, checkAssets bool, fits func(Proof) bool) {
	for j, p := range ps {
		if st.complete(checkAssets) {
			return
		}
		if used[j] || !fits(p) || !holidayFits(st.Occurrence, p) {
			continue
		}
		if checkAssets {
			n := len(st.Missing)
			st.Missing = slices.DeleteFunc(st.Missing, func(a string) bool { return slices.Contains(p.Assets, a) })
			if len(st.Missing) == n {
				continue // covers nothing this occurrence still needs
			}
		}
		used[j] = true
		st.Proofs = append(st.Proofs, p.ID)
		st.DoneOn = p.Date
	}
}

func holidayFits(occ Occurrence, p Proof) bool {
	if occ.Obligation.Proof.HolidayField == "" || occ.Holiday == "" {
		return true
	}
	return sameHoliday(occ.Holiday, p.Holiday)
}

func (st *Status) complete(checkAssets bool) bool {
	if checkAssets {
		return len(st.Missing) == 0
	}
	return len(st.Proofs) > 0
}

func (st *Status) state(at time.Time, checkAssets bool) State {
	switch {
	case st.complete(checkAssets):
		return Done
	case st.Unknown:
		return Unknown
	case at.After(st.Closes):
		return Overdue
	case !at.Before(st.Opens):
		return Due
	}
	return Upcoming
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// Sort orders statuses for a to-do list: overdue, due, unknown, upcoming,
// done; then by due date and obligation id.
func Sort(st []Status) {
	slices.SortStableFunc(st, func(a, b Status) int {
		return cmp.Or(cmp.Compare(a.State.rank(), b.State.rank()), a.Due.Compare(b.Due), strings.Compare(a.Obligation.ID, b.Obligation.ID))
	})
}

// Count counts statuses by state.
func Count(st []Status) map[State]int {
	n := map[State]int{}
	for _, s := range st {
		n[s.State]++
	}
	return n
}

// Row is a status as plain strings, for tables, JSON and site data.
type Row struct {
	Obligation string   `json:"obligation"`
	Title      string   `json:"title"`
	Owner      string   `json:"owner"`
	Path       string   `json:"path"`
	Rule       string   `json:"rule"`
	Due        string   `json:"due"`
	Opens      string   `json:"opens"`
	Closes     string   `json:"closes"`
	Holiday    string   `json:"holiday,omitempty"`
	State      State    `json:"state"`
	StateLabel string   `json:"state_label"`
	ProofKind  string   `json:"proof_kind"`
	Proofs     []string `json:"proofs"`
	DoneOn     string   `json:"done_on,omitempty"`
	Late       bool     `json:"late,omitempty"`
	Missing    []string `json:"missing,omitempty"`
	Estimated  bool     `json:"estimated,omitempty"`
	Note       string   `json:"note,omitempty"`
}

// Row renders the status as a Row.
func (s Status) Row() Row {
	o := s.Obligation
	r := Row{Obligation: o.ID, Title: o.Title, Owner: o.Owner, Path: o.Path, Rule: o.Rule.Describe(),
		Due: s.Due.Format(time.DateOnly), Opens: s.Opens.Format(time.DateOnly), Closes: s.Closes.Format(time.DateOnly),
		Holiday: s.Holiday, State: s.State, StateLabel: s.State.Label(), ProofKind: o.Proof.Kind,
		Proofs: s.Proofs, Late: s.Late, Missing: s.Missing, Estimated: s.Estimated, Note: s.Note}
	if r.Proofs == nil {
		r.Proofs = []string{}
	}
	if !s.DoneOn.IsZero() && s.State == Done {
		r.DoneOn = s.DoneOn.Format(time.DateOnly)
	}
	return r
}

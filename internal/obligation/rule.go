package obligation

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/opsbook/opsbook/internal/calendar"
)

// Occurrence is one time an obligation falls due.
type Occurrence struct {
	Obligation *Obligation
	Due        time.Time // the due date (midnight, obligation's zone)
	Opens      time.Time // first day a proof counts: Due − LeadDays
	Closes     time.Time // last day before it is overdue: Due + GraceDays
	Holiday    string    // holiday rules: the holiday's name, e.g. 春节
	// Estimated is set when the date depends on a year the calendar has no
	// holiday data for: it was computed with Monday–Friday as workdays.
	Estimated bool
	// Unknown is set when the date cannot be computed at all (a holiday rule
	// in a year without data); Due is then the first day of that year in range.
	Unknown bool
	Note    string // why Estimated or Unknown, or a clamped day; Chinese
}

// Key identifies the occurrence: <obligation id>@<due date>.
func (o Occurrence) Key() string { return o.Obligation.ID + "@" + o.Due.Format(time.DateOnly) }

// Occurrences expands the rule into the occurrences due from `from` through
// `to` (dates in o.Loc; times of day are ignored), limited to the
// obligation's start and end, in date order. Workday rules consult cal; for a
// year cal has no data for, see Occurrence.Estimated and Unknown.
func (o *Obligation) Occurrences(cal *calendar.Calendar, from, to time.Time) []Occurrence {
	from, to = o.day(from), o.day(to)
	if from.Before(o.Start) {
		from = o.Start
	}
	if !o.End.IsZero() && to.After(o.End) {
		to = o.End
	}
	if to.Before(from) {
		return nil
	}
	x := expander{o: o, cal: cal}
	if o.Rule.Type == Holiday {
		x.holidays(from, to)
	} else {
		// Base dates a little beyond the range, since adjusting to a workday
		// can move a date across either end.
		for _, b := range x.bases(from.AddDate(0, 0, -40), to.AddDate(0, 0, 40)) {
			x.add(b, from, to)
		}
	}
	slices.SortStableFunc(x.out, func(a, b Occurrence) int { return a.Due.Compare(b.Due) })
	return slices.CompactFunc(x.out, func(a, b Occurrence) bool { return a.Due.Equal(b.Due) })
}

// day is the civil date of t in the obligation's zone, at midnight.
func (o *Obligation) day(t time.Time) time.Time {
	t = t.In(o.Loc)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, o.Loc)
}

// base is a date the rule names before adjusting.
type base struct {
	date  time.Time
	est   bool   // computed without holiday data
	note  string // a clamped day
	final bool   // already a workday by construction (workday rules)
}

// bases lists the rule's dates in [from, to], not before the start.
func (x *expander) bases(from, to time.Time) []base {
	o := x.o
	var out []base
	r := o.Rule
	switch r.Type {
	case EveryNDays:
		k := 0
		if d := daysBetween(o.Start, from); d > 0 {
			k = d / r.Every
		}
		for t := o.Start.AddDate(0, 0, k*r.Every); !t.After(to); t = o.Start.AddDate(0, 0, k*r.Every) {
			if !t.Before(from) {
				out = append(out, base{date: t})
			}
			k++
		}
	case Weekly:
		t := from
		for t.Weekday() != r.Weekday {
			t = t.AddDate(0, 0, 1)
		}
		for ; !t.After(to); t = t.AddDate(0, 0, 7) {
			out = append(out, base{date: t})
		}
	default: // monthly … yearly
		step, first := map[RuleType]int{Monthly: 1, Quarterly: 3, HalfYearly: 6, Yearly: 12}[r.Type], 1
		for m := time.Date(from.Year(), time.January, 1, 0, 0, 0, 0, o.Loc); !m.After(to); m = m.AddDate(0, step, 0) {
			month := m.AddDate(0, r.Month-first, 0)
			var b base
			if r.Workday != 0 {
				b = x.nthWorkday(month.Year(), month.Month(), r.Workday)
			} else {
				b = base{date: dayOfMonth(month.Year(), month.Month(), r.Day, o.Loc)}
			}
			if !b.date.Before(from) && !b.date.After(to) {
				out = append(out, b)
			}
		}
	}
	// The obligation starts at Start: nothing falls due before it.
	return slices.DeleteFunc(out, func(b base) bool { return b.date.Before(o.Start) })
}

// nthWorkday is the nth workday of a month (negative: from its end),
// clamped to the month's workdays.
func (x *expander) nthWorkday(year int, month time.Month, n int) base {
	var days []time.Time
	est := false
	for d := time.Date(year, month, 1, 0, 0, 0, 0, x.o.Loc); d.Month() == month; d = d.AddDate(0, 0, 1) {
		info := dayInfoOf(x.cal, d)
		est = est || info.noData
		if info.work {
			days = append(days, d)
		}
	}
	b := base{est: est, final: true}
	if len(days) == 0 { // no workday at all: only conceivable with odd data
		b.date, b.note = time.Date(year, month, 1, 0, 0, 0, 0, x.o.Loc), fmt.Sprintf("%d 年 %d 月没有工作日", year, month)
		return b
	}
	i := n - 1
	if n < 0 {
		i = len(days) + n
	}
	if i < 0 || i >= len(days) {
		i = min(max(i, 0), len(days)-1)
		b.note = fmt.Sprintf("%d 年 %d 月只有 %d 个工作日，取%s一个", year, month, len(days), map[bool]string{true: "第", false: "最后"}[i == 0])
	}
	b.date = days[i]
	if est {
		b.note = joinNotes(b.note, noDataNote(year))
	}
	return b
}

func dayOfMonth(year int, month time.Month, day int, loc *time.Location) time.Time {
	last := time.Date(year, month+1, 0, 0, 0, 0, 0, loc).Day()
	d := day
	if day < 0 {
		d = last + 1 + day
	}
	return time.Date(year, month, min(max(d, 1), last), 0, 0, 0, 0, loc)
}

func daysBetween(a, b time.Time) int {
	// Civil dates: count calendar days, immune to DST (China has none, but
	// a repository may set another zone).
	ua := time.Date(a.Year(), a.Month(), a.Day(), 0, 0, 0, 0, time.UTC)
	ub := time.Date(b.Year(), b.Month(), b.Day(), 0, 0, 0, 0, time.UTC)
	return int(ub.Sub(ua).Hours() / 24)
}

type dayInfo struct {
	work    bool   // people work that day
	holiday string // the statutory holiday's name, on days off of a holiday
	noData  bool   // the calendar has no data for the year: work is Monday–Friday
}

func dayInfoOf(cal *calendar.Calendar, d time.Time) dayInfo {
	day, err := cal.DayOf(d)
	if err != nil {
		wd := d.Weekday()
		return dayInfo{work: wd != time.Saturday && wd != time.Sunday, noData: true}
	}
	info := dayInfo{work: day.Type.IsWorkday()}
	if day.Type == calendar.Holiday {
		info.holiday = day.Name
	}
	return info
}

func noDataNote(year int) string {
	return fmt.Sprintf("没有 %d 年的节假日数据，按周一至周五为工作日估算；国务院通知发布后更新 internal/calendar/data/%d.json", year, year)
}

func joinNotes(a, b string) string {
	if a == "" {
		return b
	}
	if b == "" {
		return a
	}
	return a + "；" + b
}

type expander struct {
	o   *Obligation
	cal *calendar.Calendar
	out []Occurrence
}

func (x *expander) occurrence(due time.Time) Occurrence {
	return Occurrence{Obligation: x.o, Due: due, Opens: due.AddDate(0, 0, -x.o.LeadDays), Closes: due.AddDate(0, 0, x.o.GraceDays)}
}

// add adjusts a base date to a workday when the rule says so and keeps it
// when it lands in [from, to].
func (x *expander) add(b base, from, to time.Time) {
	due, est, note := b.date, b.est, b.note
	if step := map[Adjust]int{NextWorkday: 1, PreviousWorkday: -1}[x.o.Rule.Adjust]; step != 0 && !b.final {
		for i := 0; i < 31; i++ {
			info := dayInfoOf(x.cal, due)
			if info.noData && !est {
				est, note = true, joinNotes(note, noDataNote(due.Year()))
			}
			if info.work {
				break
			}
			due = due.AddDate(0, 0, step)
		}
	}
	if due.Before(from) || due.After(to) {
		return
	}
	occ := x.occurrence(due)
	occ.Estimated, occ.Note = est, note
	x.out = append(x.out, occ)
}

// holidays adds the first day (or every day off) of each statutory holiday
// in [from, to]; a year without data adds one Unknown occurrence.
func (x *expander) holidays(from, to time.Time) {
	r := x.o.Rule
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		info := dayInfoOf(x.cal, d)
		if info.noData {
			occ := x.occurrence(d)
			occ.Unknown = true
			occ.Note = fmt.Sprintf("没有 %d 年的节假日数据，无法确定节假日；国务院通知发布后更新 internal/calendar/data/%d.json", d.Year(), d.Year())
			x.out = append(x.out, occ)
			d = time.Date(d.Year(), time.December, 31, 0, 0, 0, 0, x.o.Loc) // skip the rest of the year
			continue
		}
		if info.holiday == "" || !wanted(r.Holidays, info.holiday) {
			continue
		}
		if !r.EveryHolidayDay {
			if prev := dayInfoOf(x.cal, d.AddDate(0, 0, -1)); prev.holiday == info.holiday {
				continue // not the first day
			}
		}
		occ := x.occurrence(d)
		occ.Holiday = info.holiday
		x.out = append(x.out, occ)
	}
}

// wanted reports whether a holiday named name (which may be combined, as in
// 国庆节、中秋节) is among names; every holiday is when names is empty.
func wanted(names []string, name string) bool {
	if len(names) == 0 {
		return true
	}
	return slices.ContainsFunc(names, func(n string) bool { return sameHoliday(name, n) })
}

// sameHoliday reports whether two holiday names refer to the same holiday:
// equal, or one is part of a combined name (国庆节、中秋节).
func sameHoliday(a, b string) bool {
	a, b = strings.TrimSpace(a), strings.TrimSpace(b)
	if a == "" || b == "" {
		return false
	}
	if a == b {
		return true
	}
	split := func(s string) []string {
		return strings.FieldsFunc(s, func(r rune) bool { return r == '、' || r == ',' || r == '，' || r == '/' })
	}
	as, bs := split(a), split(b)
	return slices.ContainsFunc(as, func(x string) bool { return slices.Contains(bs, x) })
}

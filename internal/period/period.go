// Package period names the reporting periods of the contract — ISO weeks,
// months, quarters, half-years and years — in the repository's time zone:
// parsing `2026-W48`, `2026-11`, `2026-Q4`, `2026-H2`, `2026` (of a given
// kind with Parse, of any kind with ParseAny), the last complete period
// before a moment, the previous period, ids and titles.
package period

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Type is a period kind, as written in report and stats records.
type Type string

// Period kinds.
const (
	Week    Type = "week"
	Month   Type = "month"
	Quarter Type = "quarter"
	Half    Type = "half"
	Year    Type = "year"
)

// Types lists the kinds from shortest to longest.
var Types = []Type{Week, Month, Quarter, Half, Year}

// Label is the Chinese name of a report of this kind.
func (t Type) Label() string {
	switch t {
	case Week:
		return "周报"
	case Month:
		return "月报"
	case Quarter:
		return "季报"
	case Half:
		return "半年报"
	case Year:
		return "年报"
	}
	return string(t)
}

// ParseType accepts week|month|quarter|half|year.
func ParseType(s string) (Type, error) {
	for _, t := range Types {
		if string(t) == s {
			return t, nil
		}
	}
	return "", fmt.Errorf("未知周期类型 %q：可选 week（周）、month（月）、quarter（季）、half（半年）、year（年）", s)
}

// Period is a closed range of calendar days [Start, End] (both at midnight
// in Loc) of one kind.
type Period struct {
	Type       Type
	Start, End time.Time // first and last day, midnight in the repository's zone
	Year       int       // the ISO week-year for weeks, the calendar year otherwise
	N          int       // week, month, quarter or half number; 0 for a year
}

// Loc is the period's time zone.
func (p Period) Loc() *time.Location { return p.Start.Location() }

// Until is the first instant after the period.
func (p Period) Until() time.Time { return p.End.AddDate(0, 0, 1) }

// Contains reports whether t falls inside the period.
func (p Period) Contains(t time.Time) bool {
	return !t.Before(p.Start) && t.Before(p.Until())
}

// ContainsDate reports whether a YYYY-MM-DD… date falls inside the period.
func (p Period) ContainsDate(d string) bool {
	if len(d) < 10 {
		return false
	}
	d = d[:10]
	return d >= p.Start.Format(time.DateOnly) && d <= p.End.Format(time.DateOnly)
}

// Days is the number of days in the period.
func (p Period) Days() int { return int(p.Until().Sub(p.Start).Hours()/24 + 0.5) }

// Suffix is the id suffix: W48, M11, Q4, H2 or Y.
func (p Period) Suffix() string {
	switch p.Type {
	case Week:
		return fmt.Sprintf("W%02d", p.N)
	case Month:
		return fmt.Sprintf("M%02d", p.N)
	case Quarter:
		return fmt.Sprintf("Q%d", p.N)
	case Half:
		return fmt.Sprintf("H%d", p.N)
	}
	return "Y"
}

// String is the --at form: 2026-W48, 2026-11, 2026-Q4, 2026-H2, 2026.
func (p Period) String() string {
	switch p.Type {
	case Week:
		return fmt.Sprintf("%d-W%02d", p.Year, p.N)
	case Month:
		return fmt.Sprintf("%d-%02d", p.Year, p.N)
	case Quarter:
		return fmt.Sprintf("%d-Q%d", p.Year, p.N)
	case Half:
		return fmt.Sprintf("%d-H%d", p.Year, p.N)
	}
	return strconv.Itoa(p.Year)
}

// Name is the Chinese name of the period, e.g. 2026 年第 48 周，11 月 23 日—11 月 29 日.
func (p Period) Name() string {
	switch p.Type {
	case Week:
		return fmt.Sprintf("%d 年第 %d 周，%s—%s", p.Year, p.N, monthDay(p.Start, p.Start.Year() != p.Year), monthDay(p.End, p.End.Year() != p.Year))
	case Month:
		return fmt.Sprintf("%d 年 %d 月", p.Year, p.N)
	case Quarter:
		return fmt.Sprintf("%d 年第%s季度", p.Year, []string{"", "一", "二", "三", "四"}[p.N])
	case Half:
		return fmt.Sprintf("%d 年%s", p.Year, []string{"", "上半年", "下半年"}[p.N])
	}
	return fmt.Sprintf("%d 年", p.Year)
}

func monthDay(t time.Time, withYear bool) string {
	if withYear {
		return fmt.Sprintf("%d 年 %d 月 %d 日", t.Year(), t.Month(), t.Day())
	}
	return fmt.Sprintf("%d 月 %d 日", t.Month(), t.Day())
}

// New returns period number n of kind t in year (ISO week-year for weeks).
func New(t Type, year, n int, loc *time.Location) (Period, error) {
	p := Period{Type: t, Year: year, N: n}
	if year < 1970 || year > 9999 {
		return p, fmt.Errorf("年份 %d 超出范围", year)
	}
	switch t {
	case Week:
		if n < 1 || n > weeksIn(year) {
			return p, fmt.Errorf("%d 年只有 %d 个 ISO 周，没有第 %d 周", year, weeksIn(year), n)
		}
		p.Start = isoWeekStart(year, loc).AddDate(0, 0, 7*(n-1))
		p.End = p.Start.AddDate(0, 0, 6)
	case Month:
		if n < 1 || n > 12 {
			return p, fmt.Errorf("月份 %d 不在 1—12 之间", n)
		}
		p.Start = time.Date(year, time.Month(n), 1, 0, 0, 0, 0, loc)
		p.End = p.Start.AddDate(0, 1, -1)
	case Quarter:
		if n < 1 || n > 4 {
			return p, fmt.Errorf("季度 %d 不在 1—4 之间", n)
		}
		p.Start = time.Date(year, time.Month(3*(n-1)+1), 1, 0, 0, 0, 0, loc)
		p.End = p.Start.AddDate(0, 3, -1)
	case Half:
		if n < 1 || n > 2 {
			return p, fmt.Errorf("半年 H%d 只能是 H1 或 H2", n)
		}
		p.Start = time.Date(year, time.Month(6*(n-1)+1), 1, 0, 0, 0, 0, loc)
		p.End = p.Start.AddDate(0, 6, -1)
	case Year:
		p.N = 0
		p.Start = time.Date(year, 1, 1, 0, 0, 0, 0, loc)
		p.End = time.Date(year, 12, 31, 0, 0, 0, 0, loc)
	default:
		return p, fmt.Errorf("未知周期类型 %q", t)
	}
	return p, nil
}

// isoWeekStart is the Monday of ISO week 1 of year: the week with 4 January.
func isoWeekStart(year int, loc *time.Location) time.Time {
	jan4 := time.Date(year, 1, 4, 0, 0, 0, 0, loc)
	off := (int(jan4.Weekday()) + 6) % 7 // days since Monday
	return jan4.AddDate(0, 0, -off)
}

func weeksIn(year int) int {
	_, w := time.Date(year, 12, 28, 12, 0, 0, 0, time.UTC).ISOWeek()
	return w
}

// Parse reads the --at form of a period of kind t.
func Parse(t Type, at string, loc *time.Location) (Period, error) {
	bad := func(format string) (Period, error) {
		return Period{}, fmt.Errorf("--at %q 不是%s的写法：应为 %s", at, t.Label(), format)
	}
	y, rest, _ := strings.Cut(at, "-")
	year, err := strconv.Atoi(y)
	if err != nil || len(y) != 4 {
		return bad(example(t))
	}
	num := func(prefix string) (int, bool) {
		if !strings.HasPrefix(strings.ToUpper(rest), prefix) {
			return 0, false
		}
		n, err := strconv.Atoi(rest[len(prefix):])
		return n, err == nil && len(rest) > len(prefix)
	}
	var n int
	var ok bool
	switch t {
	case Week:
		n, ok = num("W")
	case Month:
		n, ok = num("")
	case Quarter:
		n, ok = num("Q")
	case Half:
		n, ok = num("H")
	case Year:
		ok = rest == "" && !strings.Contains(at, "-")
	}
	if !ok {
		return bad(example(t))
	}
	p, err := New(t, year, n, loc)
	if err != nil {
		return p, fmt.Errorf("--at %q：%w", at, err)
	}
	return p, nil
}

// anyForms names the forms ParseAny reads, for messages naming the fix.
const anyForms = "2026-W48（ISO 周）、2026-11 或 2026-M11（月）、2026-Q4（季度）、2026-H2（半年）、2026（年）"

// anyForm is YYYY, or YYYY- and a number with an optional kind letter.
var anyForm = regexp.MustCompile(`^([0-9]{4})(?:-([WMQH]?)([0-9]{1,2}))?$`)

// ParseAny reads a period of any kind, telling the kind from the form:
// 2026-W48 (ISO week), 2026-11 or 2026-M11 (month), 2026-Q4 (quarter),
// 2026-H2 (half) or 2026 (year); letters in either case. Its errors quote
// at and list the forms.
func ParseAny(at string, loc *time.Location) (Period, error) {
	m := anyForm.FindStringSubmatch(strings.ToUpper(at))
	if m == nil {
		return Period{}, fmt.Errorf("周期 %q 无法识别：可写 %s", at, anyForms)
	}
	year, _ := strconv.Atoi(m[1])
	n, _ := strconv.Atoi(m[3])
	t := map[string]Type{"W": Week, "": Month, "M": Month, "Q": Quarter, "H": Half}[m[2]]
	if m[3] == "" {
		t = Year
	}
	p, err := New(t, year, n, loc)
	if err != nil {
		return Period{}, fmt.Errorf("周期 %q：%v；可写 %s", at, err, anyForms)
	}
	return p, nil
}

func example(t Type) string {
	switch t {
	case Week:
		return "YYYY-Www，例如 2026-W48（ISO 周）"
	case Month:
		return "YYYY-MM，例如 2026-11"
	case Quarter:
		return "YYYY-Qn，例如 2026-Q4"
	case Half:
		return "YYYY-Hn，例如 2026-H2"
	}
	return "YYYY，例如 2026"
}

// Of returns the period of kind t containing now.
func Of(t Type, now time.Time, loc *time.Location) Period {
	now = now.In(loc)
	var p Period
	switch t {
	case Week:
		y, w := now.ISOWeek()
		p, _ = New(Week, y, w, loc)
	case Month:
		p, _ = New(Month, now.Year(), int(now.Month()), loc)
	case Quarter:
		p, _ = New(Quarter, now.Year(), (int(now.Month())-1)/3+1, loc)
	case Half:
		p, _ = New(Half, now.Year(), (int(now.Month())-1)/6+1, loc)
	default:
		p, _ = New(Year, now.Year(), 0, loc)
	}
	return p
}

// Last returns the last complete period of kind t before now.
func Last(t Type, now time.Time, loc *time.Location) Period {
	return Of(t, now, loc).Prev()
}

// Prev is the period of the same kind just before p.
func (p Period) Prev() Period {
	return Of(p.Type, p.Start.AddDate(0, 0, -1), p.Loc())
}

// Complete reports whether the period has ended before now.
func (p Period) Complete(now time.Time) bool { return !now.Before(p.Until()) }

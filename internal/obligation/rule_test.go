package obligation

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/opsbook/opsbook/internal/calendar"
	"github.com/opsbook/opsbook/internal/record"
)

var shanghai = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return time.FixedZone("CST", 8*3600)
	}
	return loc
}()

var cal = calendar.Default()

func date(s string) time.Time {
	t, err := time.ParseInLocation(time.DateOnly, s, shanghai)
	if err != nil {
		panic(err)
	}
	return t
}

// parse builds an obligation from the YAML of its record; the
// kind/id/title/owner header is added.
func parse(t *testing.T, body string) *Obligation {
	t.Helper()
	src := "id: ob-test\nkind: obligation\ntitle: 测试事项\nowner: 张伟\n" + body
	r, err := record.Parse("content/obligation/2026/ob-test.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	o, errs := Parse(r, shanghai)
	if len(errs) > 0 {
		t.Fatalf("parse: %v", errs)
	}
	return o
}

func dues(occs []Occurrence) []string {
	var out []string
	for _, o := range occs {
		s := o.Due.Format(time.DateOnly)
		if o.Holiday != "" {
			s += " " + o.Holiday
		}
		if o.Estimated {
			s += " 估算"
		}
		if o.Unknown {
			s += " 未知"
		}
		out = append(out, s)
	}
	return out
}

func expect(t *testing.T, name string, got []Occurrence, want ...string) {
	t.Helper()
	if g := dues(got); !slices.Equal(g, want) {
		t.Errorf("%s:\n got  %q\n want %q", name, g, want)
	}
}

// The embedded calendar is what the tests below rely on; check the days
// they are about first, so a data change fails here, plainly.
func TestCalendarFacts(t *testing.T) {
	for d, want := range map[string]calendar.DayType{
		"2026-01-01": calendar.Holiday, "2026-01-03": calendar.Holiday, "2026-01-04": calendar.AdjustedWorkday,
		"2026-02-14": calendar.AdjustedWorkday, "2026-02-15": calendar.Holiday, "2026-02-23": calendar.Holiday,
		"2026-02-28": calendar.AdjustedWorkday, "2025-12-28": calendar.Weekend, "2026-01-05": calendar.Workday,
	} {
		day, err := cal.DayOf(date(d))
		if err != nil || day.Type != want {
			t.Errorf("%s: %v %v, want %v", d, day.Type, err, want)
		}
	}
	if cal.HasYear(2027) {
		t.Skip("2027 holiday data has arrived: move the no-data cases to the next year")
	}
}

func TestEveryNDaysOverYearBoundary(t *testing.T) {
	o := parse(t, "start: 2025-12-15\nrule: {type: every-n-days, every_days: 30}\nproof: {kind: security}\n")
	expect(t, "from the start", o.Occurrences(cal, date("2025-12-01"), date("2026-03-31")),
		"2025-12-15", "2026-01-14", "2026-02-13", "2026-03-15")
	// A range starting mid-way still counts from the start.
	expect(t, "mid-range", o.Occurrences(cal, date("2026-02-01"), date("2026-04-30")),
		"2026-02-13", "2026-03-15", "2026-04-14")
	// Adjusted: 2026-03-15 is a Sunday.
	o.Rule.Adjust = NextWorkday
	expect(t, "next workday", o.Occurrences(cal, date("2025-12-01"), date("2026-03-31")),
		"2025-12-15", "2026-01-14", "2026-02-13", "2026-03-16")
	// Every 1 day with next-workday collapses a weekend onto Monday once.
	o = parse(t, "start: 2026-01-01\nrule: {type: every-n-days, every_days: 1, adjust: next-workday}\nproof: {kind: security}\n")
	expect(t, "daily on workdays", o.Occurrences(cal, date("2026-01-01"), date("2026-01-07")),
		"2026-01-04", "2026-01-05", "2026-01-06", "2026-01-07")
}

func TestWeeklyOverYearBoundary(t *testing.T) {
	o := parse(t, "start: 2025-12-01\nrule: {type: weekly, weekday: 1}\nproof: {kind: report}\n")
	expect(t, "Mondays", o.Occurrences(cal, date("2025-12-24"), date("2026-01-12")),
		"2025-12-29", "2026-01-05", "2026-01-12")
	// Sundays, moved to the next workday: 2026-01-04 is a 调休 working
	// Sunday and stays; 2025-12-28 moves to Monday.
	o = parse(t, "start: 2025-12-01\nrule: {type: weekly, weekday: 7, adjust: next-workday}\nproof: {kind: report}\n")
	expect(t, "Sundays adjusted", o.Occurrences(cal, date("2025-12-24"), date("2026-01-12")),
		"2025-12-29", "2026-01-04", "2026-01-12")
	// The Monday of the Spring Festival moves past the whole holiday.
	o = parse(t, "start: 2026-01-01\nrule: {type: weekly, adjust: next-workday}\nproof: {kind: report}\n")
	expect(t, "Spring Festival Monday", o.Occurrences(cal, date("2026-02-09"), date("2026-03-02")),
		"2026-02-09", "2026-02-24", "2026-03-02")
	o.Rule.Adjust = PreviousWorkday
	expect(t, "Spring Festival Monday, earlier", o.Occurrences(cal, date("2026-02-09"), date("2026-03-02")),
		"2026-02-09", "2026-02-14", "2026-03-02")
}

func TestMonthlyWorkdays(t *testing.T) {
	// January 2026: 1–3 are 元旦 holidays and Sunday the 4th is a 调休
	// working day, so the 4th is the first workday and Monday the 5th the second.
	o := parse(t, "start: 2025-11-01\nrule: {type: monthly, workday: 1}\nproof: {kind: report}\n")
	expect(t, "1st workday", o.Occurrences(cal, date("2025-11-01"), date("2026-03-31")),
		"2025-11-03", "2025-12-01", "2026-01-04", "2026-02-02", "2026-03-02")
	o.Rule.Workday = 2
	expect(t, "2nd workday", o.Occurrences(cal, date("2025-12-01"), date("2026-02-28")),
		"2025-12-02", "2026-01-05", "2026-02-03")
	// February 2026 around the Spring Festival (15–23 off; Saturdays 14 and
	// 28 worked): workdays 2,3,4,5,6,9,10,11,12,13,14 | 24,25,26,27,28.
	feb := func(n int) string {
		o.Rule.Workday = n
		d := dues(o.Occurrences(cal, date("2026-02-01"), date("2026-02-28")))
		if len(d) != 1 {
			return strings.Join(d, ",")
		}
		return d[0]
	}
	for n, want := range map[int]string{2: "2026-02-03", 10: "2026-02-13", 11: "2026-02-14", 12: "2026-02-24", 16: "2026-02-28", -1: "2026-02-28", -2: "2026-02-27", -5: "2026-02-24", -6: "2026-02-14"} {
		if got := feb(n); got != want {
			t.Errorf("workday %d of February 2026 = %s, want %s", n, got, want)
		}
	}
	// More workdays than the month has: the last one, with a note.
	o.Rule.Workday = 20
	occ := o.Occurrences(cal, date("2026-02-01"), date("2026-02-28"))
	if len(occ) != 1 || occ[0].Due != date("2026-02-28") || !strings.Contains(occ[0].Note, "只有 16 个工作日") {
		t.Errorf("workday 20 of February: %+v", occ)
	}
	// Calendar days, moved off the holiday.
	o = parse(t, "start: 2026-01-01\nrule: {type: monthly, day: 16, adjust: next-workday}\nproof: {kind: report}\n")
	expect(t, "16th, next workday", o.Occurrences(cal, date("2026-02-01"), date("2026-03-31")), "2026-02-24", "2026-03-16")
	o = parse(t, "start: 2026-01-01\nrule: {type: monthly, day: 15, adjust: previous-workday}\nproof: {kind: report}\n")
	expect(t, "15th, previous workday", o.Occurrences(cal, date("2026-02-01"), date("2026-03-31")), "2026-02-14", "2026-03-13")
	o = parse(t, "start: 2026-01-01\nrule: {type: monthly, day: 31}\nproof: {kind: report}\n")
	expect(t, "31st clamps", o.Occurrences(cal, date("2026-02-01"), date("2026-04-30")), "2026-02-28", "2026-03-31", "2026-04-30")
	o = parse(t, "start: 2026-01-01\nrule: {type: monthly, day: -1}\nproof: {kind: report}\n")
	expect(t, "last day", o.Occurrences(cal, date("2026-02-01"), date("2026-03-31")), "2026-02-28", "2026-03-31")
}

func TestQuarterHalfYear(t *testing.T) {
	o := parse(t, "start: 2026-01-01\nrule: {type: quarterly, month: 1, workday: 10}\nproof: {kind: security}\n")
	// October 2026: 1–7 国庆节, Saturday the 10th worked.
	expect(t, "quarterly", o.Occurrences(cal, date("2026-01-01"), date("2026-12-31")),
		"2026-01-15", "2026-04-15", "2026-07-14", "2026-10-20")
	o = parse(t, "start: 2026-01-01\nrule: {type: quarterly, month: 3, day: 28, adjust: next-workday}\nproof: {kind: security}\n")
	expect(t, "quarterly, last month", o.Occurrences(cal, date("2026-01-01"), date("2026-12-31")),
		"2026-03-30", "2026-06-29", "2026-09-28", "2026-12-28")
	o = parse(t, "start: 2026-01-01\nrule: {type: half-yearly, day: 1}\nproof: {kind: report}\n")
	expect(t, "half-yearly", o.Occurrences(cal, date("2026-01-01"), date("2027-12-31")),
		"2026-01-01", "2026-07-01", "2027-01-01", "2027-07-01")
	o = parse(t, "start: 2026-01-01\nrule: {type: yearly, month: 12, workday: -1}\nproof: {kind: report}\n")
	expect(t, "yearly", o.Occurrences(cal, date("2026-01-01"), date("2026-12-31")), "2026-12-31")
}

func TestHolidays(t *testing.T) {
	o := parse(t, "start: 2025-09-01\nrule: {type: holiday}\nproof: {kind: backup}\n")
	// 2025 combined 国庆节 and 中秋节 into one holiday.
	expect(t, "first days", o.Occurrences(cal, date("2025-09-01"), date("2026-05-31")),
		"2025-10-01 国庆节、中秋节", "2026-01-01 元旦", "2026-02-15 春节", "2026-04-04 清明节", "2026-05-01 劳动节")
	o = parse(t, "start: 2026-01-01\nrule: {type: holiday, holidays: [春节, 国庆节]}\nproof: {kind: backup}\n")
	expect(t, "named", o.Occurrences(cal, date("2026-01-01"), date("2026-12-31")), "2026-02-15 春节", "2026-10-01 国庆节")
	o = parse(t, "start: 2025-01-01\nrule: {type: holiday, holidays: [中秋节]}\nproof: {kind: backup}\n")
	expect(t, "combined name matches a part", o.Occurrences(cal, date("2025-09-01"), date("2026-12-31")),
		"2025-10-01 国庆节、中秋节", "2026-09-25 中秋节")
	o = parse(t, "start: 2026-01-01\nrule: {type: holiday, holiday_days: every, holidays: [春节]}\nproof: {kind: backup}\n")
	got := o.Occurrences(cal, date("2026-02-01"), date("2026-02-28"))
	if len(got) != 9 || got[0].Due != date("2026-02-15") || got[8].Due != date("2026-02-23") {
		t.Errorf("every day of the Spring Festival: %q", dues(got))
	}
	// A range starting inside a holiday: its first day is outside.
	o = parse(t, "start: 2026-01-01\nrule: {type: holiday}\nproof: {kind: backup}\n")
	expect(t, "inside", o.Occurrences(cal, date("2026-02-16"), date("2026-03-31")))
}

func TestYearWithoutData(t *testing.T) {
	o := parse(t, "start: 2026-01-01\nrule: {type: holiday}\nproof: {kind: backup}\n")
	expect(t, "holiday rule", o.Occurrences(cal, date("2026-09-01"), date("2027-12-31")),
		"2026-09-25 中秋节", "2026-10-01 国庆节", "2027-01-01 未知")
	occ := o.Occurrences(cal, date("2027-03-01"), date("2027-03-31"))
	if len(occ) != 1 || !occ[0].Unknown || !strings.Contains(occ[0].Note, "internal/calendar/data/2027.json") {
		t.Errorf("no data: %+v", occ)
	}
	o = parse(t, "start: 2026-01-01\nrule: {type: monthly, workday: 1}\nproof: {kind: report}\n")
	expect(t, "workday rule", o.Occurrences(cal, date("2026-12-01"), date("2027-02-28")),
		"2026-12-01", "2027-01-01 估算", "2027-02-01 估算")
	if n := o.Occurrences(cal, date("2027-01-01"), date("2027-01-31"))[0].Note; !strings.Contains(n, "没有 2027 年的节假日数据") {
		t.Errorf("note %q", n)
	}
	// Rules that need no calendar are not estimates.
	o = parse(t, "start: 2026-01-01\nrule: {type: weekly, weekday: 5}\nproof: {kind: report}\n")
	expect(t, "weekly", o.Occurrences(cal, date("2026-12-28"), date("2027-01-10")), "2027-01-01", "2027-01-08")
	o.Rule.Adjust = NextWorkday
	expect(t, "weekly adjusted", o.Occurrences(cal, date("2026-12-28"), date("2027-01-10")), "2027-01-01 估算", "2027-01-08 估算")
}

func TestStartAndEnd(t *testing.T) {
	o := parse(t, "start: 2026-01-07\nend: 2026-02-10\nrule: {type: weekly}\nproof: {kind: report}\n")
	expect(t, "bounded", o.Occurrences(cal, date("2025-12-01"), date("2026-12-31")),
		"2026-01-12", "2026-01-19", "2026-01-26", "2026-02-02", "2026-02-09")
	if got := o.Occurrences(cal, date("2026-03-01"), date("2026-02-01")); got != nil {
		t.Errorf("empty range: %v", dues(got))
	}
}

func TestDescribe(t *testing.T) {
	for src, want := range map[string]string{
		"{type: monthly, workday: 1}":                      "每月第 1 个工作日",
		"{type: monthly, workday: -1}":                     "每月最后一个工作日",
		"{type: weekly, weekday: 1, adjust: next-workday}": "每周一（非工作日顺延）",
		"{type: every-n-days, every_days: 90}":             "每隔 90 天",
		"{type: quarterly, month: 1, workday: 10}":         "每季度第 1 个月第 10 个工作日",
		"{type: holiday, holiday_days: every}":             "每个法定节假日放假的每一天",
		"{type: holiday, holidays: [春节]}":                  "春节的第一天",
		"{type: yearly, month: 1, day: 5}":                 "每年 1 月 5 日",
		"{type: half-yearly, month: 1, day: -1}":           "每半年第 1 个月最后一天",
		"{type: monthly, day: 5}":                          "每月 5 日",
	} {
		o := parse(t, "start: 2026-01-01\nrule: "+src+"\nproof: {kind: report}\n")
		if got := o.Rule.Describe(); got != want {
			t.Errorf("%s: %q, want %q", src, got, want)
		}
	}
}

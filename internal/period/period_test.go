package period

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

var shanghai = time.FixedZone("CST", 8*3600)

func day(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02", s, shanghai)
	if err != nil {
		panic(err)
	}
	return t
}

func TestParse(t *testing.T) {
	cases := []struct {
		typ        Type
		at         string
		start, end string
		suffix     string
	}{
		{Week, "2026-W01", "2025-12-29", "2026-01-04", "W01"}, // ISO week 1 starts in the previous year
		{Week, "2026-W48", "2026-11-23", "2026-11-29", "W48"},
		{Week, "2026-W53", "2026-12-28", "2027-01-03", "W53"}, // 2026 has 53 ISO weeks
		{Week, "2027-w01", "2027-01-04", "2027-01-10", "W01"},
		{Month, "2026-02", "2026-02-01", "2026-02-28", "M02"},
		{Month, "2024-2", "2024-02-01", "2024-02-29", "M02"}, // leap year
		{Quarter, "2026-Q1", "2026-01-01", "2026-03-31", "Q1"},
		{Quarter, "2026-Q4", "2026-10-01", "2026-12-31", "Q4"},
		{Half, "2026-H1", "2026-01-01", "2026-06-30", "H1"},
		{Half, "2026-H2", "2026-07-01", "2026-12-31", "H2"},
		{Year, "2026", "2026-01-01", "2026-12-31", "Y"},
	}
	for _, c := range cases {
		p, err := Parse(c.typ, c.at, shanghai)
		if err != nil {
			t.Fatalf("Parse(%s, %q): %v", c.typ, c.at, err)
		}
		if got := p.Start.Format("2006-01-02"); got != c.start {
			t.Errorf("%s start = %s, want %s", c.at, got, c.start)
		}
		if got := p.End.Format("2006-01-02"); got != c.end {
			t.Errorf("%s end = %s, want %s", c.at, got, c.end)
		}
		if p.Suffix() != c.suffix {
			t.Errorf("%s suffix = %s, want %s", c.at, p.Suffix(), c.suffix)
		}
		back, err := Parse(c.typ, p.String(), shanghai)
		if err != nil || !back.Start.Equal(p.Start) {
			t.Errorf("%s: String() %q does not parse back: %v", c.at, p.String(), err)
		}
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct {
		typ  Type
		at   string
		want string
	}{
		{Week, "2025-W53", "只有 52 个 ISO 周"},
		{Week, "2026-48", "2026-W48"},
		{Month, "2026-13", "1—12"},
		{Quarter, "2026-Q5", "1—4"},
		{Half, "2026-H3", "H1 或 H2"},
		{Year, "2026-01", "例如 2026"},
		{Month, "26-01", "YYYY-MM"},
	}
	for _, c := range cases {
		_, err := Parse(c.typ, c.at, shanghai)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Parse(%s, %q) = %v, want an error mentioning %q", c.typ, c.at, err, c.want)
		}
	}
	if _, err := ParseType("fortnight"); err == nil || !strings.Contains(err.Error(), "week（周）") {
		t.Errorf("ParseType(fortnight) = %v", err)
	}
}

func TestLastAndPrev(t *testing.T) {
	now := time.Date(2026, 1, 2, 9, 0, 0, 0, shanghai) // Friday of 2026-W01
	cases := []struct {
		typ  Type
		want string
	}{
		{Week, "2025-W52"}, {Month, "2025-12"}, {Quarter, "2025-Q4"}, {Half, "2025-H2"}, {Year, "2025"},
	}
	for _, c := range cases {
		if got := Last(c.typ, now, shanghai).String(); got != c.want {
			t.Errorf("Last(%s) = %s, want %s", c.typ, got, c.want)
		}
	}
	p, _ := Parse(Week, "2026-W01", shanghai)
	if got := p.Prev().String(); got != "2025-W52" {
		t.Errorf("prev of 2026-W01 = %s", got)
	}
	q, _ := Parse(Quarter, "2026-Q1", shanghai)
	if got := q.Prev().String(); got != "2025-Q4" {
		t.Errorf("prev of 2026-Q1 = %s", got)
	}
	// A moment in UTC late on Sunday is already Monday in Shanghai.
	utc := time.Date(2026, 11, 22, 17, 0, 0, 0, time.UTC)
	if got := Of(Week, utc, shanghai).String(); got != "2026-W48" {
		t.Errorf("Of(week, %v) = %s, want 2026-W48", utc, got)
	}
}

func TestContains(t *testing.T) {
	p, _ := Parse(Half, "2026-H1", shanghai)
	if !p.Contains(day("2026-06-30").Add(23*time.Hour+59*time.Minute)) || p.Contains(day("2026-07-01")) {
		t.Error("H1 must contain 06-30 23:59 and not 07-01 00:00")
	}
	if !p.ContainsDate("2026-06-30") || p.ContainsDate("2026-07-01") || !p.ContainsDate("2026-01-01 00:10") {
		t.Error("ContainsDate boundaries wrong")
	}
	if p.Days() != 181 || !p.Complete(day("2026-07-01")) || p.Complete(day("2026-06-30")) {
		t.Errorf("Days=%d Complete wrong", p.Days())
	}
}

func TestNames(t *testing.T) {
	p, _ := Parse(Week, "2026-W01", shanghai)
	if got := p.Name(); got != "2026 年第 1 周，2025 年 12 月 29 日—1 月 4 日" {
		t.Errorf("name = %q", got)
	}
	q, _ := Parse(Quarter, "2026-Q1", shanghai)
	if got := q.Name(); got != "2026 年第一季度" {
		t.Errorf("name = %q", got)
	}
}

func TestParseAny(t *testing.T) {
	cases := []struct {
		at         string
		typ        Type
		start, end string
		suffix     string
	}{
		{"2026-W48", Week, "2026-11-23", "2026-11-29", "W48"},
		{"2026-w01", Week, "2025-12-29", "2026-01-04", "W01"}, // ISO week 1 starts in the previous year
		{"2026-W53", Week, "2026-12-28", "2027-01-03", "W53"},
		{"2026-11", Month, "2026-11-01", "2026-11-30", "M11"},
		{"2026-M02", Month, "2026-02-01", "2026-02-28", "M02"},
		{"2028-2", Month, "2028-02-01", "2028-02-29", "M02"}, // leap year
		{"2026-q1", Quarter, "2026-01-01", "2026-03-31", "Q1"},
		{"2026-Q4", Quarter, "2026-10-01", "2026-12-31", "Q4"},
		{"2026-H1", Half, "2026-01-01", "2026-06-30", "H1"},
		{"2026-H2", Half, "2026-07-01", "2026-12-31", "H2"},
		{"2026", Year, "2026-01-01", "2026-12-31", "Y"},
	}
	for _, c := range cases {
		p, err := ParseAny(c.at, shanghai)
		if err != nil {
			t.Errorf("ParseAny(%q): %v", c.at, err)
			continue
		}
		if p.Type != c.typ || p.Suffix() != c.suffix || p.Start.Format(time.DateOnly) != c.start || p.End.Format(time.DateOnly) != c.end {
			t.Errorf("ParseAny(%q) = %s %s %s..%s, want %s %s %s..%s", c.at, p.Type, p.Suffix(),
				p.Start.Format(time.DateOnly), p.End.Format(time.DateOnly), c.typ, c.suffix, c.start, c.end)
		}
		if p.Start.Location() != shanghai {
			t.Errorf("ParseAny(%q) is in %v, want the given zone", c.at, p.Start.Location())
		}
		// The same period as Parse of its kind, and String parses back.
		if q, err := Parse(c.typ, p.String(), shanghai); err != nil || q != p {
			t.Errorf("ParseAny(%q) = %+v, Parse(%s, %q) = %+v, %v", c.at, p, c.typ, p.String(), q, err)
		}
		if q, err := ParseAny(p.String(), shanghai); err != nil || q != p {
			t.Errorf("%q: String %q does not parse back: %+v, %v", c.at, p.String(), q, err)
		}
	}
	errs := []struct{ at, want string }{
		{"", "无法识别"},
		{"26-11", "无法识别"},
		{"2026/11", "无法识别"},
		{"2026-11-01", "无法识别"},
		{"2026-X1", "无法识别"},
		{"2026-Q", "无法识别"},
		{" 2026-11", "无法识别"},
		{"2026-13", "月份 13 不在 1—12 之间"},
		{"2026-M0", "月份 0 不在 1—12 之间"},
		{"2027-W53", "2027 年只有 52 个 ISO 周"},
		{"2026-W00", "没有第 0 周"},
		{"2026-Q5", "1—4"},
		{"2026-H3", "H1 或 H2"},
		{"1969", "超出范围"},
	}
	for _, c := range errs {
		_, err := ParseAny(c.at, shanghai)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "2026-M11") ||
			!strings.Contains(err.Error(), "2026-W48") || !strings.Contains(err.Error(), fmt.Sprintf("%q", c.at)) {
			t.Errorf("ParseAny(%q) = %v, want an error quoting it, mentioning %q and listing the forms", c.at, err, c.want)
		}
	}
}

package calendar

import (
	"errors"
	"testing"
	"time"
)

var shanghai = mustLoc("Asia/Shanghai")

func mustLoc(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, shanghai)
	if err != nil {
		panic(err)
	}
	return t
}

func TestDayOf(t *testing.T) {
	c := Default()
	cases := map[string]DayType{
		"2026-10-01 00:00": Holiday,         // 国庆
		"2026-10-10 00:00": AdjustedWorkday, // Saturday worked for 国庆
		"2026-10-09 00:00": Workday,         // Friday
		"2026-10-11 00:00": Weekend,         // Sunday
		"2026-02-14 00:00": AdjustedWorkday, // Saturday worked for 春节
		"2020-01-01 00:00": Holiday,
	}
	for s, want := range cases {
		d, err := c.DayOf(at(s))
		if err != nil || d.Type != want {
			t.Errorf("%s: got %v %v, want %v", s, d.Type, err, want)
		}
	}
	var nd *NoDataError
	if _, err := c.DayOf(at("2031-03-02 00:00")); !errors.As(err, &nd) || nd.Year != 2031 {
		t.Errorf("2031: got %v, want NoDataError", err)
	}
	// 2027.json is in the data but empty: the State Council has not published
	// 2027's arrangement yet, so 2027 must be "no data", not "all workdays".
	if _, err := c.DayOf(at("2027-01-01 00:00")); !errors.As(err, &nd) || nd.Year != 2027 {
		t.Errorf("2027 (unpublished): got %v, want NoDataError", err)
	}
	if first, last := c.Years(); first != 2020 || last != 2026 {
		t.Errorf("years %d–%d", first, last)
	}
}

func TestBusinessHourConflict(t *testing.T) {
	c := Default()
	cases := []struct {
		start, end string
		conflict   bool
	}{
		{"2026-10-09 19:00", "2026-10-09 23:00", false}, // Friday evening
		{"2026-10-09 17:30", "2026-10-09 19:00", false}, // starts as business hours end
		{"2026-10-09 17:00", "2026-10-09 19:00", true},  // overlaps the last half hour
		{"2026-10-09 12:00", "2026-10-09 13:30", false}, // lunch break
		{"2026-10-09 11:59", "2026-10-09 12:30", true},
		{"2026-10-02 09:00", "2026-10-02 17:00", false}, // 国庆 holiday
		{"2026-10-10 09:00", "2026-10-10 10:00", true},  // 调休 working Saturday
		{"2026-10-11 09:00", "2026-10-11 10:00", false}, // plain Sunday
		{"2026-10-16 22:00", "2026-10-19 08:00", false}, // weekend-long, ends before Monday opens
		{"2026-10-16 22:00", "2026-10-19 09:00", true},  // runs into Monday
		{"2026-10-09 22:00", "2026-10-10 09:00", true},  // runs into the 调休 Saturday
	}
	for _, tc := range cases {
		got, err := c.BusinessHourConflict(at(tc.start), at(tc.end), DefaultBusinessHours)
		if err != nil {
			t.Fatal(err)
		}
		if (got != nil) != tc.conflict {
			t.Errorf("%s – %s: conflict %+v, want %v", tc.start, tc.end, got, tc.conflict)
		}
	}
	if _, err := c.BusinessHourConflict(at("2028-01-03 20:00"), at("2028-01-03 22:00"), DefaultBusinessHours); err == nil {
		t.Error("2028 has no data: want an error")
	}
}

func TestParseSpan(t *testing.T) {
	if s, err := ParseSpan("08:30", "12:00"); err != nil || s != (Span{510, 720}) {
		t.Errorf("got %v %v", s, err)
	}
	for _, bad := range [][2]string{{"8h", "12:00"}, {"12:00", "08:00"}, {"25:00", "26:00"}} {
		if _, err := ParseSpan(bad[0], bad[1]); err == nil {
			t.Errorf("%v: want error", bad)
		}
	}
}

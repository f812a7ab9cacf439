package runner

import (
	"testing"
	"time"

	"github.com/opsbook/opsbook/internal/calendar"
)

func TestScheduleDayFilters(t *testing.T) {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	cal := calendar.Default()
	at := func(s string) time.Time { t, _ := time.ParseInLocation("2006-01-02 15:04", s, loc); return t }
	cases := []struct {
		days, from, want string
	}{
		{"all", "2026-09-30 09:00", "2026-10-01 08:30"},
		{"holidays", "2026-09-28 09:00", "2026-10-01 08:30"}, // 国庆 starts Oct 1
		{"holidays", "2026-10-01 09:00", "2026-10-02 08:30"}, // every day of the break
		{"workdays", "2026-09-30 09:00", "2026-10-08 08:30"}, // skips the whole 国庆 break
		{"workdays", "2026-10-08 09:00", "2026-10-09 08:30"}, // Friday
		{"workdays", "2026-10-09 09:00", "2026-10-10 08:30"}, // 调休 Saturday is a workday
		{"offdays", "2026-10-09 09:00", "2026-10-11 08:30"},  // not the 调休 Saturday; Sunday
		{"workdays", "2026-09-18 09:00", "2026-09-20 08:30"}, // Sunday 2026-09-20 is worked
	}
	for _, c := range cases {
		s, err := NewSchedule("30 8 * * *", c.days, cal, loc)
		if err != nil {
			t.Fatal(err)
		}
		got := s.Next(at(c.from))
		if !got.Equal(at(c.want)) {
			t.Errorf("%s after %s: got %s, want %s", c.days, c.from, got.Format("2006-01-02 15:04 Mon"), c.want)
		}
	}
	if _, err := NewSchedule("30 8 * *", "all", cal, loc); err == nil {
		t.Error("4-field cron accepted")
	}
	if _, err := NewSchedule("30 8 * * *", "weekends", cal, loc); err == nil {
		t.Error("unknown filter accepted")
	}
	// Past the calendar's data the schedule stops instead of guessing.
	s, _ := NewSchedule("30 8 * * *", "workdays", cal, loc)
	if !s.Stalled(at("2026-12-31 09:00")) {
		t.Errorf("without 2027 data: got %s, want no next run", s.Next(at("2026-12-31 09:00")))
	}
	// Nor does a holiday schedule guess: after 国庆 2026 the next holiday is in unpublished 2027.
	h, _ := NewSchedule("30 8 * * *", "holidays", cal, loc)
	if !h.Stalled(at("2026-10-07 09:00")) {
		t.Errorf("holidays after 国庆 2026: got %s, want no next run until 2027 data exists", h.Next(at("2026-10-07 09:00")))
	}
}

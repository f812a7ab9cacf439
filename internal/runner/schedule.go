package runner

import (
	"fmt"
	"strings"
	"time"

	"github.com/go-co-op/gocron/v2"

	"github.com/opsbook/opsbook/internal/calendar"
	"github.com/opsbook/opsbook/internal/runbook"
)

// Schedule is a cron expression restricted to the days a filter accepts;
// it implements gocron.Cron so the scheduler can use it directly.
type Schedule struct {
	crontab string
	days    string
	cal     *calendar.Calendar
	inner   gocron.Cron
}

// ParseSchedule checks a 5-field cron expression and a day filter.
func ParseSchedule(crontab, days string) (*Schedule, error) {
	return NewSchedule(crontab, days, calendar.Default(), time.Local)
}

// NewSchedule builds a schedule in loc with calendar cal.
func NewSchedule(crontab, days string, cal *calendar.Calendar, loc *time.Location) (*Schedule, error) {
	switch days {
	case "", runbook.DaysAll, runbook.DaysWorkdays, runbook.DaysOffdays, runbook.DaysHolidays:
	default:
		return nil, fmt.Errorf("未知的日期过滤 %q；可选 all、workdays、offdays、holidays", days)
	}
	s := &Schedule{crontab: crontab, days: days, cal: cal, inner: gocron.NewDefaultCron(false)}
	if err := s.inner.IsValid(crontab, loc, time.Now().In(loc)); err != nil {
		lines := strings.Split(strings.TrimSpace(err.Error()), "\n")
		return nil, fmt.Errorf("cron 表达式 %q 无效（应为 5 段：分 时 日 月 周）：%s", crontab, lines[len(lines)-1])
	}
	return s, nil
}

// IsValid implements gocron.Cron.
func (s *Schedule) IsValid(crontab string, loc *time.Location, now time.Time) error {
	return s.inner.IsValid(crontab, loc, now)
}

// Never is how far Next pushes a schedule that has no next run: gocron
// spins on a zero time, so "no run" is a time a century away.
const Never = 100 * 365 * 24 * time.Hour

// Next implements gocron.Cron: the next cron time on an accepted day. A
// year without holiday data stops the schedule (a run a century away)
// rather than guessing, except for the "all" filter.
func (s *Schedule) Next(last time.Time) time.Time {
	t := last
	for range 3000 { // enough for any cron over years of days
		t = s.inner.Next(t)
		if t.IsZero() {
			break
		}
		ok, err := s.Accepts(t)
		if err != nil {
			break
		}
		if ok {
			return t
		}
	}
	return last.Add(Never)
}

// Stalled reports whether the schedule has no run after now (its days
// reach past the holiday data).
func (s *Schedule) Stalled(now time.Time) bool { return s.Next(now).Sub(now) >= Never }

// Accepts reports whether the filter runs on t's day.
func (s *Schedule) Accepts(t time.Time) (bool, error) {
	if s.days == "" || s.days == runbook.DaysAll {
		return true, nil
	}
	d, err := s.cal.DayOf(t)
	if err != nil {
		return false, err
	}
	switch s.days {
	case runbook.DaysWorkdays:
		return d.Type.IsWorkday(), nil
	case runbook.DaysOffdays:
		return !d.Type.IsWorkday(), nil
	case runbook.DaysHolidays:
		return d.Type == calendar.Holiday, nil
	}
	return true, nil
}

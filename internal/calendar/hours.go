package calendar

import (
	"fmt"
	"strings"
	"time"
)

// Span is a daily interval of business hours, in minutes after midnight.
type Span struct{ Start, End int }

// String renders the span as "08:30–12:00".
func (s Span) String() string {
	return fmt.Sprintf("%02d:%02d–%02d:%02d", s.Start/60, s.Start%60, s.End/60, s.End%60)
}

// DefaultBusinessHours are 08:30–12:00 and 13:30–17:30.
var DefaultBusinessHours = []Span{{8*60 + 30, 12 * 60}, {13*60 + 30, 17*60 + 30}}

// ParseSpan parses "HH:MM" start and end into a Span.
func ParseSpan(start, end string) (Span, error) {
	s, err := parseClock(start)
	if err != nil {
		return Span{}, err
	}
	e, err := parseClock(end)
	if err != nil {
		return Span{}, err
	}
	if e <= s {
		return Span{}, fmt.Errorf("营业时间 %s–%s：结束必须晚于开始", start, end)
	}
	return Span{s, e}, nil
}

func parseClock(s string) (int, error) {
	t, err := time.Parse("15:04", strings.TrimSpace(s))
	if err != nil {
		return 0, fmt.Errorf("时间 %q 应为 HH:MM 格式", s)
	}
	return t.Hour()*60 + t.Minute(), nil
}

// Conflict is the first stretch of business hours a window overlaps.
type Conflict struct {
	Day   time.Time // midnight of the offending day
	Type  DayType
	Name  string // holiday name for adjusted workdays
	Hours Span
}

// BusinessHourConflict returns the first business-hours interval on a
// workday that [start, end) overlaps, or nil. Days are taken in start's
// location. A day without calendar data is a *NoDataError.
func (c *Calendar) BusinessHourConflict(start, end time.Time, hours []Span) (*Conflict, error) {
	loc := start.Location()
	end = end.In(loc)
	day := time.Date(start.Year(), start.Month(), start.Day(), 0, 0, 0, 0, loc)
	for ; day.Before(end); day = day.AddDate(0, 0, 1) {
		d, err := c.DayOf(day)
		if err != nil {
			return nil, err
		}
		if !d.Type.IsWorkday() {
			continue
		}
		for _, h := range hours {
			hs := day.Add(time.Duration(h.Start) * time.Minute)
			he := day.Add(time.Duration(h.End) * time.Minute)
			if start.Before(he) && hs.Before(end) {
				return &Conflict{Day: day, Type: d.Type, Name: d.Name, Hours: h}, nil
			}
		}
	}
	return nil, nil
}

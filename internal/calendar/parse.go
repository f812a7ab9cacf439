package calendar

import (
	"fmt"
	"strings"
	"time"
)

var dateTimeLayouts = []string{
	"2006-01-02 15:04", "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02T15:04:05",
}

var zonedLayouts = []string{
	"2006-01-02T15:04Z07:00", "2006-01-02 15:04Z07:00", time.RFC3339, "2006-01-02 15:04:05Z07:00",
}

// ParseTime parses the two time shapes records use: a date ("2026-10-01",
// midnight in loc, dateOnly true) or a local date-time ("2026-10-01 22:00",
// "2026-10-01T22:00:00", optionally with Z or +08:00; without an offset it
// is in loc).
func ParseTime(s string, loc *time.Location) (t time.Time, dateOnly bool, err error) {
	s = strings.TrimSpace(s)
	if len(s) == len(time.DateOnly) {
		t, err = time.ParseInLocation(time.DateOnly, s, loc)
		return t, true, err
	}
	for _, l := range dateTimeLayouts {
		if t, err = time.ParseInLocation(l, s, loc); err == nil {
			return t, false, nil
		}
	}
	for _, l := range zonedLayouts {
		if t, err = time.Parse(l, s); err == nil {
			return t, false, nil
		}
	}
	return time.Time{}, false, fmt.Errorf("%q 不是合法的时间，应为 YYYY-MM-DD HH:MM（可带 :SS 和 +08:00）", s)
}

// Package calendar knows which days are workdays in mainland China — State
// Council holidays and the 调休 weekends worked in exchange — and which
// minutes of a workday are business hours. A year with no published data is
// an error, never silently a plain workday.
package calendar

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"time"
)

// The data is NateScarlet/holiday-cn (MIT; see data/LICENSE).
//
//go:embed data/*.json data/LICENSE
var dataFS embed.FS

// DayType classifies a date.
type DayType int

const (
	Workday         DayType = iota // an ordinary Monday–Friday
	Weekend                        // an ordinary Saturday or Sunday
	Holiday                        // a statutory holiday (放假)
	AdjustedWorkday                // a weekend worked in exchange for a holiday (调休上班)
)

// String names the day type in Chinese.
func (t DayType) String() string {
	return [...]string{"工作日", "周末", "法定节假日", "调休工作日"}[t]
}

// IsWorkday reports whether people work on a day of this type.
func (t DayType) IsWorkday() bool { return t == Workday || t == AdjustedWorkday }

// Day is what the calendar knows about one date.
type Day struct {
	Type DayType
	Name string // the holiday's name (e.g. 国庆节) for holidays and adjusted workdays
}

// Calendar answers day-type questions for the years it has data for.
type Calendar struct {
	special map[string]Day // "2006-01-02" → holiday or adjusted workday
	years   map[int]bool
}

// NoDataError reports a date in a year the calendar has no data for.
type NoDataError struct{ Year int }

func (e *NoDataError) Error() string {
	return fmt.Sprintf("没有 %d 年的节假日数据（国务院通知发布后更新 internal/calendar/data/%d.json）", e.Year, e.Year)
}

// Default returns the calendar built from the embedded data.
func Default() *Calendar {
	c, err := Load(dataFS, "data")
	if err != nil {
		panic(err) // the embedded data is tested
	}
	return c
}

type yearFile struct {
	Year int `json:"year"`
	Days []struct {
		Name     string `json:"name"`
		Date     string `json:"date"`
		IsOffDay bool   `json:"isOffDay"`
	} `json:"days"`
}

// Load reads every holiday-cn style YYYY.json file in dir of fsys.
func Load(fsys fs.FS, dir string) (*Calendar, error) {
	files, err := fs.Glob(fsys, path.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	c := &Calendar{special: map[string]Day{}, years: map[int]bool{}}
	for _, f := range files {
		data, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, fmt.Errorf("read holiday data: %w", err)
		}
		var y yearFile
		if err := json.Unmarshal(data, &y); err != nil {
			return nil, fmt.Errorf("parse holiday data %s: %w", f, err)
		}
		if y.Year == 0 || len(y.Days) == 0 {
			continue // not a year file, or a year whose arrangement is not published yet
		}
		c.years[y.Year] = true
		for _, d := range y.Days {
			if _, err := time.Parse(time.DateOnly, d.Date); err != nil {
				return nil, fmt.Errorf("holiday data %s: bad date %q", f, d.Date)
			}
			t := AdjustedWorkday
			if d.IsOffDay {
				t = Holiday
			}
			c.special[d.Date] = Day{Type: t, Name: d.Name}
		}
	}
	return c, nil
}

// HasYear reports whether the calendar has data for year.
func (c *Calendar) HasYear(year int) bool { return c.years[year] }

// Years returns the first and last year with data.
func (c *Calendar) Years() (first, last int) {
	for y := range c.years {
		if first == 0 || y < first {
			first = y
		}
		if y > last {
			last = y
		}
	}
	return first, last
}

// DayOf classifies the calendar date of t (in t's location).
func (c *Calendar) DayOf(t time.Time) (Day, error) {
	if !c.years[t.Year()] {
		return Day{}, &NoDataError{Year: t.Year()}
	}
	if d, ok := c.special[t.Format(time.DateOnly)]; ok {
		return d, nil
	}
	if wd := t.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return Day{Type: Weekend}, nil
	}
	return Day{Type: Workday}, nil
}

package kind

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/opsbook/opsbook/internal/calendar"
	"github.com/opsbook/opsbook/internal/diag"
	"github.com/opsbook/opsbook/internal/record"
)

// Duty is a duty roster (content/duty/).
type Duty struct {
	ID, Path string
	Shifts   []DutyShift
}

// DutyShift is one shift of a roster as written; Start and End are zero
// when missing or not times.
type DutyShift struct {
	Person, Role, Phone string
	Start, End          time.Time
}

// DutyFrom reads a roster; shift times without an offset are in loc.
func DutyFrom(r *record.Record, loc *time.Location) (Duty, []diag.Violation) {
	d := Duty{ID: r.ID(), Path: r.Path}
	var vs []diag.Violation
	for i, x := range r.List("shifts") {
		m, _ := x.(map[string]any)
		var s DutyShift
		s.Person, _ = m["person"].(string)
		s.Role, _ = m["role"].(string)
		s.Phone, _ = m["phone"].(string)
		for _, b := range []struct {
			name string
			to   *time.Time
		}{{"start", &s.Start}, {"end", &s.End}} {
			text, _ := m[b.name].(string)
			t, _, err := calendar.ParseTime(text, loc)
			if err != nil {
				vs = append(vs, violation(r, "/shifts/"+strconv.Itoa(i)+"/"+b.name, "shifts[%d].%s：%v", i, b.name, err))
				continue
			}
			*b.to = t
		}
		d.Shifts = append(d.Shifts, s)
	}
	return d, vs
}

// Stats is a statistics record (content/stats/) of one period.
type Stats struct {
	ID, Path    string
	PeriodType  string // week, month, quarter, half, year
	PeriodStart string // period.start as written
	PeriodEnd   string
	// Tags are the tags; HasTags whether they are a list of strings only.
	// Notes are the notes; HasNotes whether they are a string.
	Tags     []string
	HasTags  bool
	Notes    string
	HasNotes bool
}

// StatsFrom reads a statistics record.
func StatsFrom(r *record.Record) (Stats, []diag.Violation) {
	per := r.Object("period")
	s := Stats{ID: r.ID(), Path: r.Path, PeriodType: r.Str("period_type")}
	s.PeriodStart, _ = per["start"].(string)
	s.PeriodEnd, _ = per["end"].(string)
	if tags, ok := r.Fields["tags"].([]any); ok {
		if l, all := stringList(tags); all {
			s.Tags, s.HasTags = l, true
		}
	}
	s.Notes, s.HasNotes = r.Fields["notes"].(string)
	return s, nil
}

// Training is a training record (content/training/).
type Training struct {
	ID, Title, Path string
	Date            string
	// Attendees and Hours are the numbers written; HasAttendees and
	// HasHours whether they were numbers.
	Attendees, Hours       float64
	HasAttendees, HasHours bool
}

// TrainingFrom reads a training record.
func TrainingFrom(r *record.Record) (Training, []diag.Violation) {
	t := Training{ID: r.ID(), Title: r.Title(), Path: r.Path, Date: r.Str("date")}
	t.Attendees, t.HasAttendees = Number(r.Fields["attendees"])
	t.Hours, t.HasHours = Number(r.Fields["duration_hours"])
	return t, nil
}

// Backup is a backup record (content/backup/).
type Backup struct {
	ID, Path string
	Status   string
	Verified bool // a restore was tried and worked
}

// BackupFrom reads a backup record.
func BackupFrom(r *record.Record) (Backup, []diag.Violation) {
	return Backup{ID: r.ID(), Path: r.Path, Status: r.Str("status"), Verified: r.Bool("verified")}, nil
}

// Report is a report record (content/report/).
type Report struct {
	ID, Title, Path string
	Author          string
	Status          string // draft, final
}

// ReportFrom reads a report record.
func ReportFrom(r *record.Record) (Report, []diag.Violation) {
	return Report{ID: r.ID(), Title: r.Title(), Path: r.Path, Author: r.Str("author"), Status: r.Str("status")}, nil
}

// Department is a department record (content/department/).
type Department struct {
	ID, Title, Path string
	ShortName       string
}

// DepartmentFrom reads a department.
func DepartmentFrom(r *record.Record) (Department, []diag.Violation) {
	return Department{ID: r.ID(), Title: r.Title(), Path: r.Path, ShortName: r.Str("short_name")}, nil
}

// Number reads a YAML number (or a numeric string) as a float64.
func Number(v any) (float64, bool) {
	switch x := v.(type) {
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case float64:
		return x, true
	case uint64:
		return float64(x), true
	case string:
		f, err := strconv.ParseFloat(x, 64)
		return f, err == nil
	}
	return 0, false
}

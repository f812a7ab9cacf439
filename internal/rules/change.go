package rules

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/opsbook/opsbook/internal/calendar"
	"github.com/opsbook/opsbook/internal/diag"
	"github.com/opsbook/opsbook/internal/kind"
	"github.com/opsbook/opsbook/internal/record"
)

// Freeze is an event's change-freeze period.
type Freeze struct {
	EventID, Title, Path string
	Start, End           time.Time
}

// checkChangeWindow keeps a change's window outside business hours on
// workdays and outside every event freeze, unless it is an emergency with a
// written justification. Cancelled changes are not checked: they never ran.
func checkChangeWindow(c *Context, r *record.Record) []diag.Violation {
	var vs []diag.Violation
	ch, _ := kind.ChangeFrom(r, c.Config.Location) // unreadable times are reported by the schema
	justified := ch.Emergency && strings.TrimSpace(ch.Justification) != ""
	if ch.Emergency && !justified {
		p := r.At("/emergency")
		vs = append(vs, diag.At(r.Path, p.Line, p.Col, "change/emergency-justification", "紧急变更必须填写 emergency_justification，说明为何不能等到非业务时间"))
	}
	if ch.Status == "cancelled" {
		return vs
	}
	w := ch.Window.In(c.Config.Location)
	start, end := w.Start, w.End
	if !w.OK() || !end.After(start) {
		return vs // unparsable or reversed windows are reported by the schema and time/order
	}
	at := r.At("/window/start")
	if !justified {
		conflict, err := c.Calendar.BusinessHourConflict(start, end, c.Config.BusinessHours)
		var nd *calendar.NoDataError
		switch {
		case errors.As(err, &nd):
			vs = append(vs, diag.At(r.Path, at.Line, at.Col, "calendar/no-data", "无法判断变更窗口是否在业务时间内：%v", err))
		case err != nil:
			vs = append(vs, diag.At(r.Path, at.Line, at.Col, "calendar/no-data", "%v", err))
		case conflict != nil:
			vs = append(vs, diag.At(r.Path, at.Line, at.Col, "change/business-hours", "变更窗口与 %s（%s）的业务时间 %s 重叠；请改到非业务时间，或标记 emergency: true 并写明 emergency_justification",
				conflict.Day.Format("2006-01-02"), dayLabel(conflict), conflict.Hours))
		}
		for _, f := range c.Freezes {
			if start.Before(f.End) && f.Start.Before(end) {
				vs = append(vs, diag.At(r.Path, at.Line, at.Col, "change/freeze", "变更窗口与 %s「%s」的封网期 %s 至 %s 重叠（%s）；封网期内只允许写明理由的紧急变更",
					f.EventID, f.Title, f.Start.Format("2006-01-02 15:04"), f.End.Format("2006-01-02 15:04"), f.Path))
			}
		}
	}
	return vs
}

func dayLabel(c *calendar.Conflict) string {
	if c.Type == calendar.AdjustedWorkday {
		return fmt.Sprintf("%s调休工作日", c.Name)
	}
	return weekdays[c.Day.Weekday()]
}

var weekdays = [...]string{"星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"}

// SuggestWindow returns the first 20:00–22:00 window after now that lies
// outside business hours and every freeze, for templates of new changes.
func (c *Context) SuggestWindow(now time.Time) (time.Time, time.Time) {
	now = now.In(c.Config.Location)
	day := time.Date(now.Year(), now.Month(), now.Day(), 20, 0, 0, 0, c.Config.Location)
	for range 366 {
		day = day.AddDate(0, 0, 1)
		start, end := day, day.Add(2*time.Hour)
		if conflict, err := c.Calendar.BusinessHourConflict(start, end, c.Config.BusinessHours); err != nil || conflict != nil {
			continue
		}
		if !slices.ContainsFunc(c.Freezes, func(f Freeze) bool { return start.Before(f.End) && f.Start.Before(end) }) {
			return start, end
		}
	}
	return day, day.Add(2 * time.Hour)
}

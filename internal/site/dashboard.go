package site

import (
	"sort"
	"time"

	"github.com/opsbook/opsbook/internal/kind"
)

// dashboard is the home page's data.
type dashboard struct {
	Now         string        `json:"now"`
	Systems     []systemState `json:"systems"`
	Inspection  *item         `json:"inspection,omitempty"`
	Anomalies   []item        `json:"anomalies"`
	BySeverity  []countView   `json:"bySeverity"`
	Changes     []item        `json:"changes"`
	Overdue     []item        `json:"overdue"`
	OnDuty      []dutyView    `json:"onDuty"`
	Reports     []item        `json:"reports"`
	OpenTickets int           `json:"openTickets"`
	Counts      []countView   `json:"counts"`
}

type systemState struct {
	ID, Title, URL, Status, StatusLabel, Note, Date string
}

type countView struct {
	Key, Label string
	Count      int
	URL        string
}

type dutyView struct {
	Person, Role, Phone, Until string
}

func (s *stage) dashboard() dashboard {
	loc := s.rp.Config.Location
	now := s.now.In(loc)
	d := dashboard{Now: now.Format("2006-01-02 15:04")}
	// Latest status per asset: the newest inspection item about it.
	seen := map[string]bool{}
	for i, ins := range s.byKind["inspection"] {
		if i == 0 {
			it := s.itemOf(ins)
			d.Inspection = &it
		}
		in, _ := kind.InspectionFrom(ins.Record)
		for _, x := range in.Items {
			asset, st, msg := x.Asset, x.Status, x.Message
			a, ok := s.byID[asset]
			if !ok || seen[asset] {
				continue
			}
			seen[asset] = true
			d.Systems = append(d.Systems, systemState{ID: asset, Title: a.Title(), URL: a.url(), Status: st,
				StatusLabel: map[string]string{"ok": "正常", "warning": "告警", "failed": "失败", "skipped": "跳过"}[st], Note: msg, Date: short(ins.str("date"))})
		}
	}
	rank := map[string]int{"failed": 0, "warning": 1, "skipped": 2, "ok": 3}
	sort.SliceStable(d.Systems, func(i, j int) bool { return rank[d.Systems[i].Status] < rank[d.Systems[j].Status] })
	// Open anomalies, worst first.
	sev := map[string]int{"critical": 0, "major": 1, "minor": 2}
	counts := map[string]int{}
	for _, a := range s.byKind["anomaly"] {
		if st := a.str("status"); st == "open" {
			it := s.itemOf(a)
			it.Note = s.value(a, "/severity", a.str("severity"))
			d.Anomalies = append(d.Anomalies, it)
			counts[a.str("severity")]++
		}
	}
	sort.SliceStable(d.Anomalies, func(i, j int) bool {
		return sev[s.byID[d.Anomalies[i].ID].str("severity")] < sev[s.byID[d.Anomalies[j].ID].str("severity")]
	})
	if k, ok := s.rp.Schemas.Kinds["anomaly"]; ok {
		for _, key := range []string{"critical", "major", "minor"} {
			d.BySeverity = append(d.BySeverity, countView{Key: key, Label: k.EnumLabels["/severity"][key], Count: counts[key]})
		}
	}
	// Changes whose window starts within the coming 7 days (or is running).
	for _, c := range s.byKind["change"] {
		start, end, ok := window(c, loc)
		if !ok || c.str("status") == "cancelled" {
			continue
		}
		if end.After(now) && start.Before(now.AddDate(0, 0, 7)) {
			it := s.itemOf(c)
			it.Note = start.Format("01-02 15:04") + " – " + end.Format("01-02 15:04")
			d.Changes = append(d.Changes, it)
		}
	}
	sort.Slice(d.Changes, func(i, j int) bool { return d.Changes[i].Date < d.Changes[j].Date }) // full window start
	// Overdue and due obligations from the compliance calendar; without one,
	// security tasks past their date and not done, or whose next_due passed.
	if book := s.obligationBook(); book != nil {
		d.Overdue = s.dueItems(book, now)
	} else {
		d.Overdue = s.overdueSecurity(now.Format(time.DateOnly))
	}
	// Who is on duty now.
	d.OnDuty = s.onDuty(now)
	d.Reports = s.latestReports()
	for _, t := range s.byKind["ticket"] {
		if st := t.str("status"); st == "open" || st == "in-progress" {
			d.OpenTickets++
		}
	}
	for _, name := range s.rp.Schemas.KindNames() {
		d.Counts = append(d.Counts, countView{Key: name, Label: s.rp.Schemas.Kinds[name].Label, Count: len(s.byKind[name]), URL: name + "/"})
	}
	return d
}

// overdueSecurity are security tasks past their date and not done, or whose
// next_due passed without a later task of the type (repositories without a
// compliance calendar).
func (s *stage) overdueSecurity(today string) []item {
	var out []item
	for _, t := range s.byKind["security"] {
		due := ""
		switch {
		case t.str("status") != "done" && t.str("date") != "" && t.str("date") < today:
			due = t.str("date")
		case t.str("next_due") != "" && t.str("next_due") < today && !s.followedUp(t):
			due = t.str("next_due")
		}
		if due != "" {
			it := s.itemOf(t)
			it.Note = "应于 " + due + " 完成"
			out = append(out, it)
		}
	}
	return out
}

// followedUp reports whether a later task of the same type exists.
func (s *stage) followedUp(t *rec) bool {
	for _, o := range s.byKind["security"] {
		if o != t && o.str("type") == t.str("type") && o.str("date") > t.str("date") {
			return true
		}
	}
	return false
}

func window(c *rec, loc *time.Location) (time.Time, time.Time, bool) {
	ch, _ := kind.ChangeFrom(c.Record, loc)
	return ch.Window.Start, ch.Window.End, ch.Window.OK()
}

// calendarMonth is one month of the change calendar.
type calendarMonth struct {
	Month string   `json:"month"`
	Days  []calDay `json:"days"`
}

type calDay struct {
	Date    string `json:"date"`
	Weekday string `json:"weekday"`
	Type    string `json:"type"` // 工作日, 周末, 法定节假日, 调休工作日
	Holiday string `json:"holiday,omitempty"`
	Changes []item `json:"changes"`
	Duties  []item `json:"duties,omitempty"` // obligations due that day
	Freeze  string `json:"freeze,omitempty"`
}

var weekdays = [...]string{"日", "一", "二", "三", "四", "五", "六"}

// changeCalendar lists, per month with changes, the days that have a
// change, a freeze or an obligation due (60 days around now), with their
// day type from the holiday calendar.
func (s *stage) changeCalendar() []calendarMonth {
	loc := s.rp.Config.Location
	duties := map[string][]item{}
	if book := s.obligationBook(); book != nil {
		duties = s.calendarDuties(book, s.now.In(loc))
	}
	byDay := map[string][]item{}
	for _, c := range s.byKind["change"] {
		st, en, ok := window(c, loc)
		if !ok {
			continue
		}
		for d := time.Date(st.Year(), st.Month(), st.Day(), 0, 0, 0, 0, loc); d.Before(en); d = d.AddDate(0, 0, 1) {
			it := s.itemOf(c)
			it.Note = st.Format("15:04") + "–" + en.Format("15:04")
			byDay[d.Format(time.DateOnly)] = append(byDay[d.Format(time.DateOnly)], it)
		}
	}
	freeze := map[string]string{}
	for _, f := range s.rp.Rules.Freezes {
		for d := time.Date(f.Start.Year(), f.Start.Month(), f.Start.Day(), 0, 0, 0, 0, loc); d.Before(f.End); d = d.AddDate(0, 0, 1) {
			freeze[d.Format(time.DateOnly)] = f.Title
		}
	}
	var days []string
	for d := range byDay {
		days = append(days, d)
	}
	for d := range freeze {
		if _, ok := byDay[d]; !ok {
			days = append(days, d)
		}
	}
	for d := range duties {
		if _, ok := byDay[d]; !ok && freeze[d] == "" {
			days = append(days, d)
		}
	}
	sort.Sort(sort.Reverse(sort.StringSlice(days)))
	var out []calendarMonth
	cal := s.rp.Rules.Calendar
	for _, d := range days {
		t, _ := time.ParseInLocation(time.DateOnly, d, loc)
		day := calDay{Date: d, Weekday: "星期" + weekdays[t.Weekday()], Changes: byDay[d], Duties: duties[d], Freeze: freeze[d]}
		if info, err := cal.DayOf(t); err == nil {
			day.Type, day.Holiday = info.Type.String(), info.Name
		}
		if n := len(out); n == 0 || out[n-1].Month != d[:7] {
			out = append(out, calendarMonth{Month: d[:7]})
		}
		out[len(out)-1].Days = append(out[len(out)-1].Days, day)
	}
	return out
}

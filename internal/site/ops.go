package site

import (
	"html/template"
	"sort"
	"strings"
	"time"

	"github.com/opsbook/opsbook/internal/approval"
	"github.com/opsbook/opsbook/internal/duty"
	"github.com/opsbook/opsbook/internal/kind"
	"github.com/opsbook/opsbook/internal/obligation"
	"github.com/opsbook/opsbook/internal/period"
	"github.com/opsbook/opsbook/internal/record"
	"github.com/opsbook/opsbook/internal/report"
)

// hiddenFields are record fields the article does not list as rows: the
// report's figures are its body's tables already.
// A document's files and a project's attribute definitions have sections
// of their own.
var hiddenFields = map[string]map[string]bool{
	"report":   {"figures": true},
	"document": {"files": true},
	"project":  {"document_schema": true, "document_attributes": true},
}

// reportData is every record as the report package sees it, built once.
func (s *stage) reportData() *report.Data {
	s.reportOnce.Do(func() {
		labels := map[string]map[string]map[string]string{}
		for name, k := range s.rp.Schemas.Kinds {
			labels[name] = k.EnumLabels
		}
		recs := make([]*record.Record, 0, len(s.recs))
		for _, r := range s.recs {
			recs = append(recs, r.Record)
		}
		s.reports = report.NewData(s.rp.Config.Location, labels, recs)
	})
	return s.reports
}

// reportPeriod is the period a report record covers.
func (s *stage) reportPeriod(r *rec) (period.Period, bool) {
	t, err := period.ParseType(r.str("period_type"))
	if err != nil {
		return period.Period{}, false
	}
	st, _ := kind.StatsFrom(r.Record)
	day, err := time.ParseInLocation(time.DateOnly, st.PeriodStart, s.rp.Config.Location)
	if err != nil {
		return period.Period{}, false
	}
	return period.Of(t, day, s.rp.Config.Location), true
}

// reportCharts are a report page's charts of its period, as inline SVG.
func (s *stage) reportCharts(r *rec) template.HTML {
	p, ok := s.reportPeriod(r)
	if !ok {
		return ""
	}
	key := string(p.Type) + " " + p.String()
	if html, ok := s.periodCharts.Load(key); ok {
		return html.(template.HTML) // another report of the same period
	}
	var b strings.Builder
	for _, c := range report.PeriodCharts(s.reportData(), p) {
		b.WriteString(`<figure class="chart">` + c.SVG + "</figure>")
	}
	html := template.HTML(b.String()) // SVG from internal/chart: every text escaped there
	s.periodCharts.Store(key, html)
	return html
}

// latestReports is the newest report of each period kind, shortest first.
func (s *stage) latestReports() []item {
	var out []item
	for _, t := range period.Types {
		var best *rec
		bestEnd := ""
		for _, r := range s.byKind["report"] {
			if r.str("period_type") != string(t) {
				continue
			}
			st, _ := kind.StatsFrom(r.Record)
			end := st.PeriodEnd
			if best == nil || end > bestEnd {
				best, bestEnd = r, end
			}
		}
		if best != nil {
			it := s.itemOf(best)
			it.Note = t.Label()
			out = append(out, it)
		}
	}
	return out
}

// obligationBook is the compliance calendar over the records in memory,
// built once; nil when the repository keeps none.
func (s *stage) obligationBook() *obligation.Book {
	s.bookOnce.Do(func() {
		var obls []*record.Record
		for _, r := range s.byKind[obligation.Kind] {
			obls = append(obls, r.Record)
		}
		if len(obls) == 0 {
			return
		}
		s.book = obligation.NewBook(obls, func(kind string) []*record.Record {
			var out []*record.Record
			for _, r := range s.byKind[kind] {
				out = append(out, r.Record)
			}
			return out
		}, s.rp.Config.Location)
	})
	return s.book
}

// dueItems are the obligations overdue or due now, for the dashboard.
func (s *stage) dueItems(book *obligation.Book, now time.Time) []item {
	var out []item
	for _, st := range book.Around(s.rp.Rules.Calendar, now, 7) {
		if st.State != obligation.Overdue && st.State != obligation.Due {
			continue
		}
		it := item{ID: st.Obligation.ID, Title: st.Obligation.Title, URL: pageURL(obligation.Kind, st.Obligation.ID),
			Date: st.Due.Format(time.DateOnly), Status: st.State.Label(), StatusKey: string(st.State)}
		it.Note = "应于 " + st.Closes.Format("01-02") + " 前完成（" + st.State.Label() + "）"
		if len(st.Missing) > 0 {
			it.Note += "；未覆盖：" + strings.Join(st.Missing, "、")
		}
		out = append(out, it)
	}
	return out
}

// calendarDuties are obligation due dates from 60 days back to 60 days
// ahead, by day, leaving out duties due every day (they would fill the
// calendar).
func (s *stage) calendarDuties(book *obligation.Book, now time.Time) map[string][]item {
	out := map[string][]item{}
	from, to := now.AddDate(0, 0, -60), now.AddDate(0, 0, 60)
	for _, st := range book.Between(s.rp.Rules.Calendar, now, from, to) {
		if r := st.Obligation.Rule; r.Type == obligation.EveryNDays && r.Every <= 1 {
			continue
		}
		day := st.Due.Format(time.DateOnly)
		out[day] = append(out[day], item{ID: st.Obligation.ID, Title: st.Obligation.Title, URL: pageURL(obligation.Kind, st.Obligation.ID),
			Status: st.State.Label(), StatusKey: string(st.State)})
	}
	return out
}

// onDuty is who is rostered now.
func (s *stage) onDuty(now time.Time) []dutyView {
	var shifts []duty.Shift
	for _, r := range s.byKind["duty"] {
		sh, _ := duty.Shifts(r.Record, s.rp.Config.Location)
		shifts = append(shifts, sh...)
	}
	var out []dutyView
	for _, sh := range duty.At(shifts, now) {
		out = append(out, dutyView{Person: sh.Person, Role: duty.RoleLabel(sh.Role), Phone: sh.Phone, Until: sh.End.Format("01-02 15:04")})
	}
	return out
}

// changeState is a change's lifecycle state as opsbook change status
// derives it, from the page's git audit, its status and the execution
// records referring to it.
func (s *stage) changeState(r *rec) string {
	c := &approval.Change{Status: r.str("status")}
	if a := s.audit[r.Path]; a != nil {
		c.OnMain = true
		c.Approved = a.Independent && len(a.Approvals) > 0
	} else if len(s.audit) == 0 {
		return "" // no git history: nothing to say
	}
	for _, e := range s.byKind["execution"] {
		if e.str("change") == r.id {
			c.Executions = append(c.Executions, approval.Execution{ID: e.id})
		}
	}
	sort.Slice(c.Executions, func(i, j int) bool { return c.Executions[i].ID < c.Executions[j].ID })
	return approval.StateOf(c).Label()
}

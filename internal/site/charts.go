package site

import (
	"fmt"
	"sort"
	"strings"

	"github.com/opsbook/opsbook/internal/calendar"
	"github.com/opsbook/opsbook/internal/chart"
	"github.com/opsbook/opsbook/internal/kind"
	"github.com/opsbook/opsbook/internal/search"
)

// charts renders the dashboard's charts as inline SVG.
func (s *stage) charts() map[string]string {
	return map[string]string{
		"passRate":      s.passRateChart(),
		"anomalies":     s.anomalyChart(),
		"ticketsByDept": s.ticketDeptChart(),
		"ticketsByCat":  s.ticketCategoryChart(),
		"mttr":          s.mttrChart(),
	}
}

// passRateChart: inspection pass rate per day over the last 60 days with data.
func (s *stage) passRateChart() string {
	o := chart.Options{Title: "巡检通过率（按日）", Percent: true}
	type agg struct{ passed, total float64 }
	days := map[string]*agg{}
	for _, ins := range s.byKind["inspection"] {
		d := dateOnly(ins.str("date"))
		in, _ := kind.InspectionFrom(ins.Record)
		if d == "" || len(in.Items) == 0 {
			continue
		}
		a := days[d]
		if a == nil {
			a = &agg{}
			days[d] = a
		}
		for _, x := range in.Items {
			if x.Status == "skipped" {
				continue
			}
			a.total++
			if x.Status == "ok" {
				a.passed++
			}
		}
	}
	keys := sortedDays(days)
	if len(keys) > 60 {
		keys = keys[len(keys)-60:]
	}
	if len(keys) == 0 {
		return chart.Empty(o, "暂无巡检数据")
	}
	var labels []string
	var vals []float64
	for _, k := range keys {
		labels = append(labels, k[5:])
		vals = append(vals, days[k].passed/max(days[k].total, 1))
	}
	return chart.Line(labels, []chart.Series{{Name: "通过率", Values: vals}}, o)
}

func sortedDays[T any](m map[string]T) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// anomalyChart: anomalies detected per ISO week by severity.
func (s *stage) anomalyChart() string {
	o := chart.Options{Title: "每周新增异常（按严重程度）", Unit: "条"}
	sevs := []string{"critical", "major", "minor"}
	weeks := map[string]map[string]float64{}
	for _, a := range s.byKind["anomaly"] {
		t, _, err := calendar.ParseTime(a.str("detected_at"), s.rp.Config.Location)
		if err != nil {
			continue
		}
		y, w := t.ISOWeek()
		key := fmt.Sprintf("%d-W%02d", y, w)
		if weeks[key] == nil {
			weeks[key] = map[string]float64{}
		}
		weeks[key][a.str("severity")]++
	}
	keys := sortedDays(weeks)
	if len(keys) == 0 {
		return chart.Empty(o, "暂无异常")
	}
	labels := s.rp.Schemas.Kinds["anomaly"].EnumLabels["/severity"]
	var series []chart.Series
	for _, sev := range sevs {
		sr := chart.Series{Name: labels[sev]}
		for _, k := range keys {
			sr.Values = append(sr.Values, weeks[k][sev])
		}
		series = append(series, sr)
	}
	return chart.StackedBar(keys, series, o)
}

// ticketDeptChart: tickets per department, most first.
func (s *stage) ticketDeptChart() string {
	o := chart.Options{Title: "各部门工单数", Unit: "件"}
	counts := map[string]float64{}
	for _, t := range s.byKind["ticket"] {
		name := "（未指明部门）"
		if d, ok := s.byID[t.str("department")]; ok {
			name = d.str("short_name")
			if name == "" {
				name = d.Title()
			}
		}
		counts[name]++
	}
	return chart.HBarCounts(counts, o, "暂无工单")
}

func (s *stage) ticketCategoryChart() string {
	o := chart.Options{Title: "工单类别分布", Unit: "件"}
	counts := map[string]float64{}
	for _, t := range s.byKind["ticket"] {
		counts[s.value(t, "/category", t.str("category"))]++
	}
	return chart.HBarCounts(counts, o, "暂无工单")
}

// mttrChart: mean time from report to resolution per category, in hours.
func (s *stage) mttrChart() string {
	o := chart.Options{Title: "平均解决时长（按类别）", Unit: "小时"}
	sum, n := map[string]float64{}, map[string]float64{}
	for _, t := range s.byKind["ticket"] {
		rep, _, err1 := calendar.ParseTime(t.str("reported_at"), s.rp.Config.Location)
		res, _, err2 := calendar.ParseTime(t.str("resolved_at"), s.rp.Config.Location)
		if err1 != nil || err2 != nil || res.Before(rep) {
			continue
		}
		c := s.value(t, "/category", t.str("category"))
		sum[c] += res.Sub(rep).Hours()
		n[c]++
	}
	mean := map[string]float64{}
	for c := range sum {
		mean[c] = sum[c] / n[c]
	}
	return chart.HBarCounts(mean, o, "暂无已解决的工单")
}

// searchDocs is what the search index covers: every record page, with all
// its field values and body as text. Build has them from staging.
func (s *stage) searchDocs() []search.Doc {
	if len(s.docs) == len(s.recs) {
		return s.docs
	}
	docs := make([]search.Doc, 0, len(s.recs))
	for _, r := range s.recs {
		rows, tables := s.display(r)
		docs = append(docs, searchDoc(r, rows, tables))
	}
	return docs
}

// searchDoc is a record page's search document, from its display rows.
func searchDoc(r *rec, rows []Row, tables []Table) search.Doc {
	var b strings.Builder
	b.WriteString(r.id)
	for _, row := range rows {
		b.WriteString("\n" + row.Label + "：" + row.Value)
		for _, l := range row.Links {
			b.WriteString(" " + l.Text)
		}
	}
	for _, t := range tables {
		for _, row := range t.Rows {
			b.WriteString("\n" + strings.Join(row, " "))
		}
	}
	if r.Body != "" {
		b.WriteString("\n" + plainMarkdown(r.Body))
	}
	return search.Doc{URL: r.url(), Title: r.Title(), Kind: r.kind.Name, KindLabel: r.kind.Label, Date: dateOnly(r.date), Text: b.String()}
}

// plainMarkdown drops Markdown syntax characters that carry no words.
func plainMarkdown(md string) string { return markdownMarks.Replace(md) }

var markdownMarks = strings.NewReplacer("#", "", "*", "", "`", "", ">", "", "|", " ", "---", "")

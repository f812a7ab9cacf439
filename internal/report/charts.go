package report

import (
	"fmt"
	"sort"
	"time"

	"github.com/opsbook/opsbook/internal/chart"
	"github.com/opsbook/opsbook/internal/period"
)

// Chart is one SVG chart of the report period.
type Chart struct {
	Name string // passRate, anomalies, ticketsByDept, mttr
	SVG  string
}

// Charts draws the period's charts: inspection pass rate per day (per week
// for periods longer than a quarter), anomalies by severity per week (per
// month for long periods), tickets per department, mean resolution time by
// ticket category.
func (r *Report) Charts() []Chart {
	return []Chart{
		{"passRate", r.passRateChart()},
		{"anomalies", r.anomalyChart()},
		{"ticketsByDept", r.ticketDeptChart()},
		{"mttr", r.mttrChart()},
	}
}

// bucket names the chart column of a day: MM-DD, an ISO week or a month.
func (r *Report) bucket(t time.Time) string {
	_, w := t.ISOWeek()
	switch {
	case r.Period.Days() <= 62:
		return t.Format("01-02")
	case r.Period.Days() <= 184:
		return fmt.Sprintf("W%02d", w)
	}
	return t.Format("2006-01")
}

func sortedKeys[T any](m map[string]T) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func (r *Report) passRateChart() string {
	o := chart.Options{Title: "巡检通过率", Percent: true}
	type agg struct{ ok, total float64 }
	by := map[string]*agg{}
	order := map[string]string{}
	for _, ins := range inspectionsIn(r.data, r.Period) {
		t, ok := r.data.time(ins, "date")
		if !ok {
			continue
		}
		k := r.bucket(t)
		if by[k] == nil {
			by[k] = &agg{}
			order[t.Format("2006-01-02")+k] = k
		}
		for _, it := range items(ins) {
			if it["status"] == "skipped" {
				continue
			}
			by[k].total++
			if it["status"] == "ok" {
				by[k].ok++
			}
		}
	}
	if len(by) == 0 {
		return chart.Empty(o, "本期暂无巡检数据")
	}
	var labels []string
	var vals []float64
	seen := map[string]bool{}
	for _, ok := range sortedKeys(order) {
		k := order[ok]
		if seen[k] {
			continue
		}
		seen[k] = true
		labels = append(labels, k)
		vals = append(vals, by[k].ok/max(by[k].total, 1))
	}
	return chart.Line(labels, []chart.Series{{Name: "通过率", Values: vals}}, o)
}

func (r *Report) anomalyChart() string {
	o := chart.Options{Title: "新增异常（按严重程度）", Unit: "条"}
	by := map[string]map[string]float64{}
	for _, a := range r.data.inPeriod(anomalyDetected, r.Period) {
		t, _ := r.data.time(a, "detected_at")
		y, w := t.ISOWeek()
		k := fmt.Sprintf("%d-W%02d", y, w)
		if r.Period.Days() > 184 {
			k = t.Format("2006-01")
		}
		if by[k] == nil {
			by[k] = map[string]float64{}
		}
		by[k][str(a, "severity")]++
	}
	if len(by) == 0 {
		return chart.Empty(o, "本期无新增异常")
	}
	keys := sortedKeys(by)
	var series []chart.Series
	for _, sev := range severities {
		s := chart.Series{Name: r.data.label("anomaly", "/severity", sev)}
		for _, k := range keys {
			s.Values = append(s.Values, by[k][sev])
		}
		series = append(series, s)
	}
	return chart.StackedBar(keys, series, o)
}

func (r *Report) ticketDeptChart() string {
	o := chart.Options{Title: "各部门工单数", Unit: "件"}
	counts := map[string]float64{}
	for _, t := range ticketsIn(r.data, r.Period) {
		counts[r.data.deptName(str(t, "department"))]++
	}
	return chart.HBarCounts(counts, o, "本期无工单")
}

func (r *Report) mttrChart() string {
	o := chart.Options{Title: "工单平均解决时长（按类别）", Unit: "小时"}
	sum, n := map[string]float64{}, map[string]float64{}
	for _, t := range ticketsIn(r.data, r.Period) {
		rep, ok1 := r.data.time(t, "reported_at")
		res, ok2 := r.data.time(t, "resolved_at")
		if !ok1 || !ok2 || res.Before(rep) {
			continue
		}
		c := r.data.label("ticket", "/category", str(t, "category"))
		sum[c] += res.Sub(rep).Hours()
		n[c]++
	}
	mean := map[string]float64{}
	for c := range sum {
		mean[c] = round(sum[c]/n[c], 1)
	}
	return chart.HBarCounts(mean, o, "本期无已解决的工单")
}

// PeriodCharts draws the charts of p without computing the report's figures
// (the site draws them on every report page).
func PeriodCharts(d *Data, p period.Period) []Chart {
	r := &Report{Period: p, Prev: p.Prev(), data: d}
	return r.Charts()
}

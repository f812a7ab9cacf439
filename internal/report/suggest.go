package report

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/opsbook/opsbook/internal/period"
	"github.com/opsbook/opsbook/internal/record"
)

// Suggestion is one rule-based optimisation advice with the records behind it.
type Suggestion struct {
	Rule    string // tablespace-trend, flapping-check, repeated-tickets, late-obligations, failing-backups
	Text    string
	Records []string
}

// Thresholds of the suggestion rules.
const (
	TablespaceLimit    = 85.0 // percent
	TablespaceHorizon  = 30   // days ahead
	trendLookbackDays  = 60
	flapTransitions    = 4 // status changes ok↔not ok in one period
	repeatedTickets    = 3 // same department and category in one period
	lateObligations    = 2 // late security tasks of one type in twelve months
	failingBackupCount = 2
)

func suggestions(d *Data, p period.Period, now time.Time) []Suggestion {
	var out []Suggestion
	out = append(out, tablespaceTrends(d, p)...)
	out = append(out, flappingChecks(d, p)...)
	out = append(out, repeatedTicketSuggestions(d, p)...)
	out = append(out, lateSecurity(d, p, now)...)
	out = append(out, failingBackups(d, p)...)
	return out
}

type point struct {
	day float64 // days since the period end
	v   float64
	id  string
}

// tablespaceTrends fits a least-squares line to each tablespace usage series
// (inspection items named 表空间 or checks named tablespace) over the last 60
// days up to the period end and warns when it reaches 85 % within 30 days.
func tablespaceTrends(d *Data, p period.Period) []Suggestion {
	series := map[string][]point{}
	names := map[string]string{}
	from := p.Until().AddDate(0, 0, -trendLookbackDays)
	for _, r := range d.ByKind["inspection"] {
		t, ok := d.time(r, "date")
		if !ok || t.Before(from) || !t.Before(p.Until()) {
			continue
		}
		for _, it := range items(r) {
			name, _ := it["name"].(string)
			check, _ := it["check"].(string)
			if !strings.Contains(name, "表空间") && !strings.Contains(strings.ToLower(check), "tablespace") {
				continue
			}
			if strings.Contains(name, "临时") {
				continue // temporary tablespace usage swings with queries, not growth
			}
			v, ok := num(it["value"])
			if !ok {
				continue
			}
			asset, _ := it["asset"].(string)
			key := asset + "\x00" + name
			names[key] = name
			series[key] = append(series[key], point{day: t.Sub(p.Until()).Hours() / 24, v: v, id: r.ID()})
		}
	}
	keys := sortedKeys(series)
	var out []Suggestion
	for _, k := range keys {
		pts := series[k]
		if len(pts) < 3 {
			continue
		}
		sort.Slice(pts, func(i, j int) bool { return pts[i].day < pts[j].day })
		slope, icept := fitLine(pts)
		last := pts[len(pts)-1]
		asset, _, _ := strings.Cut(k, "\x00")
		who := names[k]
		if asset != "" {
			who = d.title(asset) + " " + names[k]
		}
		cite := []string{pts[0].id, last.id}
		switch {
		case last.v >= TablespaceLimit:
			out = append(out, Suggestion{Rule: "tablespace-trend", Records: cite,
				Text: fmt.Sprintf("%s 已达 %.1f%%，超过 %.0f%% 警戒线，建议尽快扩容或清理历史数据。", who, last.v, TablespaceLimit)})
		case slope > 0:
			days := (TablespaceLimit - (icept + slope*last.day)) / slope // from the last observation
			if days <= TablespaceHorizon {
				when := p.Until().AddDate(0, 0, int(last.day+days))
				out = append(out, Suggestion{Rule: "tablespace-trend", Records: cite,
					Text: fmt.Sprintf("%s 当前 %.1f%%，近 %d 次巡检平均每天上升 %.2f 个百分点，按趋势约 %s 前后超过 %.0f%%（%d 天内），建议提前扩容或清理。",
						who, last.v, len(pts), slope, when.Format("2006-01-02"), TablespaceLimit, int(days+0.999))})
			}
		}
	}
	return out
}

// fitLine is the least-squares line v = icept + slope·day.
func fitLine(pts []point) (slope, icept float64) {
	var sx, sy, sxx, sxy float64
	n := float64(len(pts))
	for _, p := range pts {
		sx += p.day
		sy += p.v
		sxx += p.day * p.day
		sxy += p.day * p.v
	}
	den := n*sxx - sx*sx
	if den == 0 {
		return 0, sy / n
	}
	slope = (n*sxy - sx*sy) / den
	return slope, (sy - slope*sx) / n
}

// flappingChecks finds checks whose outcome switched between normal and not
// normal at least four times in the period.
func flappingChecks(d *Data, p period.Period) []Suggestion {
	type obs struct {
		date string
		ok   bool
		id   string
	}
	series := map[string][]obs{}
	for _, r := range inspectionsIn(d, p) {
		for _, it := range items(r) {
			if it["status"] == "skipped" {
				continue
			}
			name, _ := it["name"].(string)
			asset, _ := it["asset"].(string)
			key := name + "\x00" + asset
			series[key] = append(series[key], obs{date: str(r, "date") + "\x00" + r.ID(), ok: it["status"] == "ok", id: r.ID()})
		}
	}
	keys := sortedKeys(series)
	var out []Suggestion
	for _, k := range keys {
		s := series[k]
		sort.Slice(s, func(i, j int) bool { return s[i].date < s[j].date })
		var changed []string
		for i := 1; i < len(s); i++ {
			if s[i].ok != s[i-1].ok {
				changed = append(changed, s[i].id)
			}
		}
		if len(changed) < flapTransitions {
			continue
		}
		name, asset, _ := strings.Cut(k, "\x00")
		who := name
		if asset != "" {
			who = d.title(asset) + " " + name
		}
		out = append(out, Suggestion{Rule: "flapping-check", Records: firstN(changed, 6),
			Text: fmt.Sprintf("检查项「%s」本期在正常与异常之间切换 %d 次（共 %d 次巡检），结果不稳定：建议排查间歇性故障，或调整检查阈值与重试次数以免误报。", who, len(changed), len(s))})
	}
	return out
}

// repeatedTicketSuggestions: one department asking about the same category
// three or more times in a period needs training or a fix, not more answers.
// Leadership assignments and the category other are not counted.
func repeatedTicketSuggestions(d *Data, p period.Period) []Suggestion {
	groups := map[string][]string{}
	for _, r := range ticketsIn(d, p) {
		dept := str(r, "department")
		// Leadership assignments and uncategorised requests are work, not symptoms.
		if dept == "" || str(r, "channel") == "leadership" || str(r, "category") == "other" {
			continue
		}
		k := dept + "\x00" + str(r, "category")
		groups[k] = append(groups[k], r.ID())
	}
	keys := sortedKeys(groups)
	var out []Suggestion
	for _, k := range keys {
		ids := groups[k]
		if len(ids) < repeatedTickets {
			continue
		}
		dept, cat, _ := strings.Cut(k, "\x00")
		out = append(out, Suggestion{Rule: "repeated-tickets", Records: ids,
			Text: fmt.Sprintf("%s 本期提交「%s」类工单 %d 件：建议安排专项培训或排查该部门前置机与配置，减少重复问题。", d.deptName(dept), d.label("ticket", "/category", cat), len(ids))})
	}
	return out
}

// lateSecurity: security obligations of one type done after the due date
// the previous one set (next_due), or not done in time, twice or more in
// the twelve months up to the period end.
func lateSecurity(d *Data, p period.Period, now time.Time) []Suggestion {
	asOf := p.Until()
	if now.Before(asOf) {
		asOf = now
	}
	from := p.Until().AddDate(-1, 0, 0)
	byType := map[string][]*record.Record{}
	for _, r := range d.ByKind["security"] {
		byType[str(r, "type")] = append(byType[str(r, "type")], r)
	}
	types := sortedKeys(byType)
	var out []Suggestion
	for _, typ := range types {
		rs := byType[typ]
		sort.Slice(rs, func(i, j int) bool { return str(rs[i], "date") < str(rs[j], "date") })
		var late []string
		for i, r := range rs {
			t, ok := d.time(r, "date")
			if !ok || t.Before(from) || !t.Before(p.Until()) {
				continue
			}
			if overdue(d, r, asOf) {
				late = append(late, r.ID())
				continue
			}
			if i > 0 {
				if due, ok := d.time(rs[i-1], "next_due"); ok && t.After(due) {
					late = append(late, r.ID())
				}
			}
		}
		if len(late) >= lateObligations {
			out = append(out, Suggestion{Rule: "late-obligations", Records: late,
				Text: fmt.Sprintf("「%s」近 12 个月有 %d 次未按期完成：建议在值班表和合规日历中提前排期，并设置到期提醒。", d.label("security", "/type", typ), len(late))})
		}
	}
	return out
}

// failingBackups: the same asset's backup failing twice in a period.
func failingBackups(d *Data, p period.Period) []Suggestion {
	byAsset := map[string][]string{}
	for _, r := range d.ByKind["backup"] {
		if p.ContainsDate(str(r, "date")) && str(r, "status") != "success" {
			byAsset[str(r, "asset")] = append(byAsset[str(r, "asset")], r.ID())
		}
	}
	assets := sortedKeys(byAsset)
	var out []Suggestion
	for _, a := range assets {
		if ids := byAsset[a]; len(ids) >= failingBackupCount {
			out = append(out, Suggestion{Rule: "failing-backups", Records: ids,
				Text: fmt.Sprintf("%s 本期备份失败或不完整 %d 次：建议检查备份空间、网络与备份窗口，并补做一次恢复验证。", d.title(a), len(ids))})
		}
	}
	return out
}

func firstN(s []string, n int) []string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

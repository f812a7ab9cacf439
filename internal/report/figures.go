package report

import (
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/opsbook/opsbook/internal/config"
	"github.com/opsbook/opsbook/internal/kind"
	"github.com/opsbook/opsbook/internal/obligation"
	"github.com/opsbook/opsbook/internal/period"
	"github.com/opsbook/opsbook/internal/record"
)

// Figure is one KPI of a period with its value in the previous period.
type Figure struct {
	Key     string
	Label   string
	Unit    string   // 次、项、%、小时、分钟、件、人…
	Value   *float64 // nil: not defined in the period (e.g. no resolved anomaly → no mean time)
	Prev    *float64
	Formula string
}

// Percent reports whether the figure is a rate in percent.
func (f *Figure) Percent() bool { return f.Unit == "%" }

// SLA is the response and resolution target for one ticket priority.
type SLA = config.SLA

// DefaultSLA is used for priorities opsbook.yaml does not set.
var DefaultSLA = map[string]SLA{
	"urgent": {Respond: 15 * time.Minute, Resolve: 4 * time.Hour},
	"high":   {Respond: 30 * time.Minute, Resolve: 8 * time.Hour},
	"normal": {Respond: 2 * time.Hour, Resolve: 24 * time.Hour},
	"low":    {Respond: 4 * time.Hour, Resolve: 72 * time.Hour},
}

// figureSet accumulates the figures of one period in order.
type figureSet struct {
	order []string
	byKey map[string]*Figure
}

func newFigureSet() *figureSet { return &figureSet{byKey: map[string]*Figure{}} }

func (s *figureSet) set(key, label, unit, formula string, v *float64) {
	if _, ok := s.byKey[key]; !ok {
		s.order = append(s.order, key)
	}
	s.byKey[key] = &Figure{Key: key, Label: label, Unit: unit, Formula: formula, Value: v}
}

func (s *figureSet) count(key, label, unit, formula string, n int) {
	v := float64(n)
	s.set(key, label, unit, formula, &v)
}

// ratio sets a percentage; undefined when the denominator is zero.
func (s *figureSet) ratio(key, label, formula string, num, den int) {
	if den == 0 {
		s.set(key, label, "%", formula, nil)
		return
	}
	v := round(100*float64(num)/float64(den), 1)
	s.set(key, label, "%", formula, &v)
}

// mean sets the mean of xs rounded to one decimal; undefined when empty.
func (s *figureSet) mean(key, label, unit, formula string, xs []float64) {
	if len(xs) == 0 {
		s.set(key, label, unit, formula, nil)
		return
	}
	sum := 0.0
	for _, x := range xs {
		sum += x
	}
	v := round(sum/float64(len(xs)), 1)
	s.set(key, label, unit, formula, &v)
}

func round(x float64, places int) float64 {
	p := math.Pow(10, float64(places))
	return math.Round(x*p) / p
}

// computeFigures computes every scalar KPI of p. Tables and lists are
// built separately (sections.go); this is what is compared period to period.
func computeFigures(d *Data, p period.Period, now time.Time, sla map[string]SLA) *figureSet {
	s := newFigureSet()
	inspectionFigures(s, d, p)
	anomalyFigures(s, d, p)
	changeFigures(s, d, p)
	ticketFigures(s, d, p, now, sla)
	securityFigures(s, d, p, now)
	backupFigures(s, d, p)
	trainingFigures(s, d, p)
	eventFigures(s, d, p)
	statsFigures(s, d, p)
	obligationFigures(s, d, p, now)
	return s
}

// itemCounts tallies inspection items by status, skipped items left out.
type itemCounts struct{ runs, items, ok, warning, failed int }

func inspectionsIn(d *Data, p period.Period) []*record.Record {
	return d.inPeriod(inspectionDate, p)
}

func items(r *record.Record) []map[string]any {
	var out []map[string]any
	for _, x := range list(r, "items") {
		if m, ok := x.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

func inspectionFigures(s *figureSet, d *Data, p period.Period) {
	var c itemCounts
	for _, r := range inspectionsIn(d, p) {
		c.runs++
		for _, it := range items(r) {
			switch it["status"] {
			case "ok":
				c.ok++
			case "warning":
				c.warning++
			case "failed":
				c.failed++
			default:
				continue
			}
			c.items++
		}
	}
	s.count("inspection_runs", "巡检次数", "次", "报告期内日期（date）落在本期的巡检记录数", c.runs)
	s.count("inspection_items", "检查项次", "项次", "本期巡检记录中状态为 正常/告警/失败 的检查项之和（跳过的不计）", c.items)
	s.count("inspection_passed", "通过项次", "项次", "状态为 正常（ok）的检查项数", c.ok)
	s.count("inspection_warnings", "告警项次", "项次", "状态为 告警（warning）的检查项数", c.warning)
	s.count("inspection_failed", "失败项次", "项次", "状态为 失败（failed）的检查项数", c.failed)
	s.ratio("inspection_pass_rate", "巡检通过率", "通过项次 ÷ 检查项次 × 100%", c.ok, c.items)
	avail := systemAvailability(d, p)
	var rates []float64
	for _, a := range avail {
		if a.runs > 0 {
			rates = append(rates, 100*float64(a.runs-a.downRuns)/float64(a.runs))
		}
	}
	s.mean("availability_mean", "系统平均可用率", "%", "各系统可用率的算术平均；某系统可用率 = 该系统无失败检查项的巡检次数 ÷ 涉及该系统的巡检次数 × 100%", rates)
}

// systemStat is one system's inspection outcome in a period.
type systemStat struct {
	system                     string
	runs, downRuns             int // inspections touching the system; those with a failed item of it
	items, ok, warning, failed int
}

// systemAvailability groups inspection items by the system their asset
// belongs to (the root of its parent chain), sorted by system id.
func systemAvailability(d *Data, p period.Period) []*systemStat {
	by := map[string]*systemStat{}
	for _, r := range inspectionsIn(d, p) {
		touched, down := map[string]bool{}, map[string]bool{}
		for _, it := range items(r) {
			asset, _ := it["asset"].(string)
			if asset == "" || it["status"] == "skipped" {
				continue
			}
			sys := d.system(asset)
			st := by[sys]
			if st == nil {
				st = &systemStat{system: sys}
				by[sys] = st
			}
			touched[sys] = true
			st.items++
			switch it["status"] {
			case "ok":
				st.ok++
			case "warning":
				st.warning++
			case "failed":
				st.failed++
				down[sys] = true
			}
		}
		for sys := range touched {
			by[sys].runs++
			if down[sys] {
				by[sys].downRuns++
			}
		}
	}
	out := make([]*systemStat, 0, len(by))
	for _, st := range by {
		out = append(out, st)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].system < out[j].system })
	return out
}

var severities = []string{"critical", "major", "minor"}

func anomalyFigures(s *figureSet, d *Data, p period.Period) {
	opened, resolved := map[string]int{}, map[string]int{}
	var hours []float64
	open := 0
	for _, r := range d.ByKind["anomaly"] {
		det, ok := d.time(r, "detected_at")
		if !ok {
			continue
		}
		res, hasRes := d.time(r, "resolved_at")
		sev := str(r, "severity")
		if p.Contains(det) {
			opened[sev]++
			opened[""]++
		}
		if hasRes && p.Contains(res) {
			resolved[sev]++
			resolved[""]++
			if !res.Before(det) {
				hours = append(hours, res.Sub(det).Hours())
			}
		}
		if det.Before(p.Until()) && openAt(r, hasRes, res, p.Until()) {
			open++
		}
	}
	s.count("anomalies_opened", "新增异常", "条", "发现时间（detected_at）在本期的异常记录数", opened[""])
	for _, sev := range severities {
		s.count("anomalies_opened_"+sev, "新增异常·"+d.label("anomaly", "/severity", sev), "条", "其中严重程度为 "+sev+" 的", opened[sev])
	}
	s.count("anomalies_resolved", "解决异常", "条", "解决时间（resolved_at）在本期的异常记录数", resolved[""])
	for _, sev := range severities {
		s.count("anomalies_resolved_"+sev, "解决异常·"+d.label("anomaly", "/severity", sev), "条", "其中严重程度为 "+sev+" 的", resolved[sev])
	}
	s.mean("anomalies_mttr_hours", "异常平均解决时长", "小时", "本期解决的异常（resolved_at − detected_at）的平均值", hours)
	s.count("anomalies_open_at_end", "期末未解决异常", "条", "期末之前发现、期末时仍未解决（无 resolved_at 或其晚于期末，且状态不是已关闭）的异常数", open)
}

// openAt reports whether an anomaly or ticket was still open at instant t.
func openAt(r *record.Record, hasRes bool, res, t time.Time) bool {
	if hasRes {
		return !res.Before(t)
	}
	st := str(r, "status")
	return st != "closed" && st != "resolved"
}

var changeTypes = []string{"os-change", "optimization", "fault-repair", "upgrade", "security-remediation", "config", "data-migration"}

// changesIn are the changes whose window starts in p.
func changesIn(d *Data, p period.Period) []*record.Record {
	return d.inPeriod(changeWindowStart, p)
}

// inWindow reports whether a change's window avoids business hours on
// workdays (statutory holidays and 调休 working days considered).
func inWindow(d *Data, r *record.Record) (bool, bool) {
	ch, _ := kind.ChangeFrom(r, d.Loc)
	start, end := ch.Window.Start, ch.Window.End
	if !ch.Window.OK() {
		return false, false
	}
	c, err := d.Cal.BusinessHourConflict(start, end, d.Hours)
	if err != nil {
		return false, false // no calendar data for that year: not counted
	}
	return c == nil, true
}

func changeFigures(s *figureSet, d *Data, p period.Period) {
	byType, byStatus := map[string]int{}, map[string]int{}
	total, emergency, inWin, judged := 0, 0, 0, 0
	for _, r := range changesIn(d, p) {
		total++
		byType[str(r, "type")]++
		byStatus[str(r, "status")]++
		if c, _ := kind.ChangeFrom(r, d.Loc); c.Emergency {
			emergency++
		}
		if str(r, "status") == "cancelled" {
			continue
		}
		if ok, known := inWindow(d, r); known {
			judged++
			if ok {
				inWin++
			}
		}
	}
	s.count("changes_total", "变更总数", "项", "变更窗口开始时间（window.start）在本期的变更记录数", total)
	for _, t := range changeTypes {
		s.count("changes_type_"+t, "变更·"+d.label("change", "/type", t), "项", "其中类型为 "+t+" 的", byType[t])
	}
	s.count("changes_done", "变更成功", "项", "状态为 已完成（done）的变更数", byStatus["done"])
	s.count("changes_rolled_back", "变更回退", "项", "状态为 已回退（rolled-back）的变更数", byStatus["rolled-back"])
	s.count("changes_cancelled", "变更取消", "项", "状态为 已取消（cancelled）的变更数", byStatus["cancelled"])
	s.count("changes_emergency", "紧急变更", "项", "标记为紧急（emergency: true）的变更数", emergency)
	s.ratio("changes_success_rate", "变更成功率", "已完成 ÷ （已完成 + 已回退）× 100%", byStatus["done"], byStatus["done"]+byStatus["rolled-back"])
	s.ratio("changes_in_window_rate", "窗口合规率", "未取消的变更中窗口避开工作日业务时间（按法定节假日和调休判断）的项数 ÷ 未取消的变更数 × 100%", inWin, judged)
}

// ticketsIn are the tickets reported in p.
func ticketsIn(d *Data, p period.Period) []*record.Record {
	return d.inPeriod(ticketReported, p)
}

var ticketChannels = []string{"hotline", "onsite", "consulting", "leadership"}

// slaBreach says whether a ticket missed its response or resolution target,
// judged at the end of the period (or now, if earlier) for open tickets.
func slaBreach(d *Data, r *record.Record, sla map[string]SLA, asOf time.Time) (respond, resolve bool) {
	target, ok := sla[str(r, "priority")]
	if !ok {
		return false, false
	}
	rep, _ := d.time(r, "reported_at")
	if t, ok := d.time(r, "responded_at"); ok {
		respond = t.Sub(rep) > target.Respond
	} else {
		respond = asOf.Sub(rep) > target.Respond && !isDone(r)
	}
	if t, ok := d.time(r, "resolved_at"); ok {
		resolve = t.Sub(rep) > target.Resolve
	} else {
		resolve = asOf.Sub(rep) > target.Resolve && !isDone(r)
	}
	return respond, resolve
}

func isDone(r *record.Record) bool { s := str(r, "status"); return s == "resolved" || s == "closed" }

func ticketFigures(s *figureSet, d *Data, p period.Period, now time.Time, sla map[string]SLA) {
	asOf := p.Until()
	if now.Before(asOf) {
		asOf = now
	}
	byChannel := map[string]int{}
	total, resolved, breaches, open := 0, 0, 0, 0
	var respMin, resHours []float64
	for _, r := range ticketsIn(d, p) {
		total++
		byChannel[str(r, "channel")]++
		rep, _ := d.time(r, "reported_at")
		if t, ok := d.time(r, "responded_at"); ok && !t.Before(rep) {
			respMin = append(respMin, t.Sub(rep).Minutes())
		}
		res, hasRes := d.time(r, "resolved_at")
		if hasRes && !res.Before(rep) {
			resHours = append(resHours, res.Sub(rep).Hours())
		}
		if hasRes && res.Before(p.Until()) {
			resolved++
		}
		if openAt(r, hasRes, res, p.Until()) {
			open++
		}
		if a, b := slaBreach(d, r, sla, asOf); a || b {
			breaches++
		}
	}
	s.count("tickets_total", "受理工单", "件", "报告时间（reported_at）在本期的工单数", total)
	for _, c := range ticketChannels {
		s.count("tickets_channel_"+c, "工单·"+d.label("ticket", "/channel", c), "件", "其中受理渠道为 "+c+" 的", byChannel[c])
	}
	s.count("tickets_resolved", "本期办结", "件", "本期受理且在期末前有解决时间（resolved_at）的工单数", resolved)
	s.count("tickets_open_at_end", "期末未办结", "件", "本期受理、期末时仍未解决的工单数", open)
	s.mean("tickets_response_minutes", "平均响应时长", "分钟", "本期受理工单（responded_at − reported_at）的平均值", respMin)
	s.mean("tickets_resolution_hours", "平均解决时长", "小时", "本期受理且已解决工单（resolved_at − reported_at）的平均值", resHours)
	s.count("tickets_sla_breaches", "超出服务时限", "件", "响应或解决用时超过 opsbook.yaml reports.sla 中该优先级目标的工单数（未响应/未解决的按期末或当前时刻计）", breaches)
	s.ratio("tickets_sla_rate", "服务时限达标率", "（受理工单 − 超出服务时限）÷ 受理工单 × 100%", total-breaches, total)
}

// securityDue are the security obligations dated in p.
func securityDue(d *Data, p period.Period) []*record.Record {
	var out []*record.Record
	for _, r := range d.ByKind["security"] {
		if p.ContainsDate(str(r, "date")) {
			out = append(out, r)
		}
	}
	return out
}

// overdue reports whether a security obligation dated before asOf is not done.
func overdue(d *Data, r *record.Record, asOf time.Time) bool {
	t, ok := d.time(r, "date")
	return ok && str(r, "status") != "done" && t.Add(24*time.Hour).Before(asOf.Add(time.Nanosecond))
}

func securityFigures(s *figureSet, d *Data, p period.Period, now time.Time) {
	asOf := p.Until()
	if now.Before(asOf) {
		asOf = now
	}
	done, late, findings := 0, 0, 0
	for _, r := range securityDue(d, p) {
		if str(r, "status") == "done" {
			done++
		} else if overdue(d, r, asOf) {
			late++
		}
		for _, f := range list(r, "findings") {
			if m, ok := f.(map[string]any); ok && m["status"] == "open" && (m["severity"] == "high" || m["severity"] == "medium") {
				findings++
			}
		}
	}
	s.count("security_done", "安全任务完成", "项", "日期在本期、状态为 已完成（done）的安全任务数（口令更换、漏洞扫描、病毒查杀、策略检查、等保整改）", done)
	s.count("security_overdue", "安全任务逾期", "项", "日期在本期、该日已过（以期末或当前时刻计）而状态仍不是 已完成 的安全任务数", late)
	s.count("security_open_findings", "未整改中高危问题", "个", "本期安全任务发现、状态仍为 未处理（open）的高危和中危问题数", findings)
}

func backupFigures(s *figureSet, d *Data, p period.Period) {
	total, ok, failed, verified := 0, 0, 0, 0
	for _, r := range d.ByKind["backup"] {
		if !p.ContainsDate(str(r, "date")) {
			continue
		}
		total++
		if str(r, "status") == "success" {
			ok++
		} else {
			failed++
		}
		if b, _ := kind.BackupFrom(r); b.Verified {
			verified++
		}
	}
	s.count("backups_total", "备份次数", "次", "日期在本期的备份记录数", total)
	s.count("backups_success", "备份成功", "次", "状态为 成功（success）的备份数", ok)
	s.count("backups_failed", "备份失败或部分成功", "次", "状态为 失败（failed）或 部分成功（partial）的备份数", failed)
	s.count("backups_verified", "已验证备份", "次", "标记为已验证恢复（verified: true）的备份数", verified)
	s.ratio("backups_success_rate", "备份成功率", "备份成功 ÷ 备份次数 × 100%", ok, total)
	s.ratio("backups_verified_rate", "备份验证率", "已验证备份 ÷ 备份次数 × 100%", verified, total)
}

func trainingFigures(s *figureSet, d *Data, p period.Period) {
	held, attendees := 0, 0
	hours := 0.0
	for _, r := range d.ByKind["training"] {
		if !p.ContainsDate(str(r, "date")) {
			continue
		}
		held++
		t, _ := kind.TrainingFrom(r)
		if t.HasAttendees {
			attendees += int(t.Attendees)
		}
		if t.HasHours {
			hours += t.Hours
		}
	}
	s.count("trainings_held", "培训场次", "场", "日期在本期的培训记录数", held)
	s.count("trainings_attendees", "培训人次", "人次", "本期培训参加人数（attendees）之和", attendees)
	h := round(hours, 1)
	s.set("trainings_hours", "培训课时", "小时", "本期培训时长（duration_hours）之和", &h)
}

// eventsIn are the major events overlapping p.
func eventsIn(d *Data, p period.Period) []*record.Record {
	var out []*record.Record
	from, to := p.Start.Format(time.DateOnly), p.End.Format(time.DateOnly)
	for _, r := range d.ByKind["event"] {
		if s, e := str(r, "start"), str(r, "end"); s != "" && e != "" && s[:min(10, len(s))] <= to && e[:min(10, len(e))] >= from {
			out = append(out, r)
		}
	}
	return out
}

func eventFigures(s *figureSet, d *Data, p period.Period) {
	s.count("events_supported", "重大活动保障", "次", "起止日期与本期有交集的重大活动记录数", len(eventsIn(d, p)))
}

// fmtValue formats a figure value for a table cell.
func fmtValue(v *float64, unit string) string {
	if v == nil {
		return "—"
	}
	x := *v
	s := ""
	if x == math.Trunc(x) && math.Abs(x) < 1e15 {
		s = fmt.Sprintf("%d", int64(x))
	} else {
		s = fmt.Sprintf("%.1f", x)
	}
	if unit == "%" {
		return s + "%"
	}
	return s
}

// fmtDelta formats the change against the previous period.
func fmtDelta(f *Figure) string {
	if f.Value == nil || f.Prev == nil {
		return "—"
	}
	dv := round(*f.Value-*f.Prev, 1)
	if dv == 0 {
		return "持平"
	}
	sign := "+"
	if dv < 0 {
		sign = "−"
		dv = -dv
	}
	s := fmtValue(&dv, "")
	if f.Unit == "%" {
		return sign + s + " 个百分点"
	}
	if f.Unit != "" {
		return sign + s + " " + f.Unit
	}
	return sign + s
}

// obligationsIn are the compliance calendar's occurrences due in p, in their
// state at the end of p (or now, if earlier).
func obligationsIn(d *Data, p period.Period, now time.Time) []obligation.Status {
	if d.Obligations == nil {
		return nil
	}
	asOf := p.End
	if now.Before(p.Until()) {
		asOf = now
	}
	return d.Obligations.Between(d.Cal, asOf, p.Start, p.End)
}

func obligationFigures(s *figureSet, d *Data, p period.Period, now time.Time) {
	st := obligationsIn(d, p, now)
	n := obligation.Count(st)
	late := 0
	for _, x := range st {
		if x.State == obligation.Done && x.Late {
			late++
		}
	}
	s.count("obligations_due", "合规事项应办", "次", "合规日历（content/obligation）中到期日在本期的事项次数", len(st))
	s.count("obligations_done", "合规事项已办", "次", "其中已有证明记录的次数（含逾期后补办）", n[obligation.Done])
	s.count("obligations_done_late", "合规事项逾期补办", "次", "已办但证明记录晚于办理期限的次数", late)
	s.count("obligations_overdue", "合规事项逾期未办", "次", "办理期限已过（以期末或当前时刻计）仍无证明记录的次数", n[obligation.Overdue])
	s.ratio("obligations_on_time_rate", "合规事项按期完成率", "（已办 − 逾期补办）÷ 已过期限的应办次数 × 100%", n[obligation.Done]-late, n[obligation.Done]+n[obligation.Overdue])
}

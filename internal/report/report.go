// Package report computes the period reports of the contract (周报、月报、
// 季报、半年报、年报) from the records in git: KPIs with their formulas and
// the change against the previous period, department assessment from the
// imported statistics, rule-based optimisation suggestions, and the report
// record itself — Markdown whose generated parts sit between markers so that
// regenerating never touches what people wrote around them.
package report

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/opsbook/opsbook/internal/kind"
	"github.com/opsbook/opsbook/internal/obligation"
	"github.com/opsbook/opsbook/internal/period"
)

// Options tune a report computation.
type Options struct {
	Now      time.Time      // when the report is made (decides overdue and "period not over")
	Platform string         // platform name for the overview sentence
	SLA      map[string]SLA // ticket targets by priority; DefaultSLA fills the gaps
}

// Report is a computed period report.
type Report struct {
	Period, Prev period.Period
	Now          time.Time
	Platform     string
	Figures      []*Figure
	byKey        map[string]*Figure
	Suggestions  []Suggestion
	data         *Data
	sla          map[string]SLA
}

// Figure returns the figure with key, or nil.
func (r *Report) Figure(key string) *Figure { return r.byKey[key] }

// Compute computes the report of period p.
func Compute(d *Data, p period.Period, o Options) *Report {
	sla := map[string]SLA{}
	for k, v := range DefaultSLA {
		sla[k] = v
	}
	for k, v := range o.SLA {
		sla[k] = v
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	cur := computeFigures(d, p, o.Now, sla)
	prev := computeFigures(d, p.Prev(), o.Now, sla)
	r := &Report{Period: p, Prev: p.Prev(), Now: o.Now, Platform: o.Platform, byKey: map[string]*Figure{}, data: d, sla: sla}
	for _, k := range cur.order {
		f := cur.byKey[k]
		if pf := prev.byKey[k]; pf != nil {
			f.Prev = pf.Value
		}
		r.Figures = append(r.Figures, f)
		r.byKey[k] = f
	}
	r.Suggestions = suggestions(d, p, o.Now)
	return r
}

// ID is the report record's id, e.g. RPT-2026-W48.
func ID(p period.Period) string { return fmt.Sprintf("RPT-%d-%s", p.Year, p.Suffix()) }

// Title is the default report title, e.g. 运维周报（2026 年第 48 周，11 月 23 日—11 月 29 日）.
func Title(p period.Period) string { return "运维" + p.Type.Label() + "（" + p.Name() + "）" }

// Block is one generated part of the report body.
type Block struct {
	Name     string // marker name, stable across regenerations
	Markdown string
}

// Blocks renders the generated parts of the body in order.
func (r *Report) Blocks() []Block {
	return []Block{
		{"概况", r.overview()},
		{"巡检", r.inspections()},
		{"异常", r.anomalies()},
		{"变更", r.changes()},
		{"工单", r.tickets()},
		{"安全与备份", r.securityBackups()},
		{"合规日历", r.obligations()},
		{"培训与重大活动保障", r.trainingsEvents()},
		{"部门考核", r.assessment()},
		{"优化建议", r.suggestionsBlock()},
		{"附录", r.appendix()},
	}
}

// HumanSections are written once, on first generation, between the
// generated parts and the appendix; regeneration never touches them.
var HumanSections = []struct{ Heading, Hint string }{
	{"领导交办事项", "（列出本期领导交办事项及办理进展，例如：陈建国副局长交办：……，已于 11 月 20 日办结。）"},
	{"问题与建议", "（本期发现的问题、需协调的事项和对平台运行的建议。）"},
	{"下期计划", "（下期计划开展的工作：变更、巡检重点、培训、重大活动保障等。）"},
	{"其他说明", "（其他需要说明的情况。）"},
}

// table renders a Markdown table; cells are escaped.
func table(head []string, rows [][]string) string {
	var b strings.Builder
	b.WriteString("| " + strings.Join(escapeAll(head), " | ") + " |\n|")
	for range head {
		b.WriteString(" --- |")
	}
	b.WriteString("\n")
	for _, row := range rows {
		b.WriteString("| " + strings.Join(escapeAll(row), " | ") + " |\n")
	}
	return b.String()
}

// maxListed caps the record lists of a report: an annual report over a
// busy year would otherwise list thousands of rows. The figures always
// count everything.
const maxListed = 30

// ranked is a table row with an importance rank (lower first).
type ranked struct {
	rank int
	row  []string
}

// listTable renders at most maxListed rows, the most important ones, in
// their original order, with a note of how many were left out.
func listTable(head []string, rows []ranked, what string) string {
	total := len(rows)
	if total > maxListed {
		idx := make([]int, total)
		for i := range idx {
			idx[i] = i
		}
		sort.SliceStable(idx, func(a, b int) bool { return rows[idx[a]].rank < rows[idx[b]].rank })
		keep := idx[:maxListed]
		sort.Ints(keep)
		kept := make([]ranked, 0, maxListed)
		for _, i := range keep {
			kept = append(kept, rows[i])
		}
		rows = kept
	}
	plain := make([][]string, len(rows))
	for i, r := range rows {
		plain[i] = r.row
	}
	out := table(head, plain)
	if total > maxListed {
		out += fmt.Sprintf("\n共 %d %s，按重要程度列出 %d %s；完整清单见站点的记录列表。\n", total, what, maxListed, what)
	}
	return out
}

func escapeAll(cells []string) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		out[i] = escapeCell(c)
	}
	return out
}

// escapeCell keeps record text from breaking the table or turning into markup.
var cellEscaper = strings.NewReplacer("|", "\\|", "\n", " ", "\r", " ", "<", "&lt;", ">", "&gt;", "*", "\\*", "_", "\\_", "`", "\\`", "[", "\\[", "]", "\\]")

func escapeCell(s string) string { return cellEscaper.Replace(s) }

// figureTable lists figures with this and the previous period.
func (r *Report) figureTable(keys ...string) string {
	var rows [][]string
	for _, k := range keys {
		f := r.byKey[k]
		if f == nil {
			continue
		}
		rows = append(rows, []string{f.Label, fmtValue(f.Value, f.Unit) + unitSuffix(f, f.Value), fmtValue(f.Prev, f.Unit) + unitSuffix(f, f.Prev), fmtDelta(f)})
	}
	return table([]string{"指标", "本期", "上期", "变化"}, rows)
}

func unitSuffix(f *Figure, v *float64) string {
	if f.Unit == "%" || f.Unit == "" || v == nil {
		return ""
	}
	return " " + f.Unit
}

func (r *Report) v(key string) string {
	f := r.byKey[key]
	if f == nil {
		return "—"
	}
	return fmtValue(f.Value, f.Unit)
}

func (r *Report) overview() string {
	var b strings.Builder
	b.WriteString("## 一、总体情况\n\n")
	if !r.Period.Complete(r.Now) {
		fmt.Fprintf(&b, "> 本期尚未结束，数据截至 %s。\n\n", r.Now.In(r.Period.Loc()).Format("2006-01-02 15:04"))
	}
	fmt.Fprintf(&b, "%s（%s 至 %s）：日常巡检 %s 次、检查 %s 项次，通过率 %s；新增异常 %s 条、解决 %s 条，期末未解决 %s 条；"+
		"实施变更 %s 项（成功 %s 项、回退 %s 项）；受理工单 %s 件、办结 %s 件；备份 %s 次，成功率 %s；安全任务完成 %s 项、逾期 %s 项；培训 %s 场 %s 人次。\n\n",
		r.Period.Name(), r.Period.Start.Format("2006-01-02"), r.Period.End.Format("2006-01-02"),
		r.v("inspection_runs"), r.v("inspection_items"), r.v("inspection_pass_rate"),
		r.v("anomalies_opened"), r.v("anomalies_resolved"), r.v("anomalies_open_at_end"),
		r.v("changes_total"), r.v("changes_done"), r.v("changes_rolled_back"),
		r.v("tickets_total"), r.v("tickets_resolved"), r.v("backups_total"), r.v("backups_success_rate"),
		r.v("security_done"), r.v("security_overdue"), r.v("trainings_held"), r.v("trainings_attendees"))
	b.WriteString(r.figureTable("inspection_pass_rate", "availability_mean", "anomalies_opened", "anomalies_mttr_hours",
		"changes_total", "changes_in_window_rate", "tickets_total", "tickets_sla_rate", "backups_success_rate", "security_overdue", "obligations_overdue"))
	return b.String()
}

func pct(num, den int) string {
	if den == 0 {
		return "—"
	}
	v := round(100*float64(num)/float64(den), 1)
	return fmtValue(&v, "%")
}

func (r *Report) inspections() string {
	var b strings.Builder
	b.WriteString("## 二、巡检情况\n\n")
	b.WriteString(r.figureTable("inspection_runs", "inspection_items", "inspection_passed", "inspection_warnings", "inspection_failed", "inspection_pass_rate", "availability_mean"))
	stats := systemAvailability(r.data, r.Period)
	if len(stats) == 0 {
		b.WriteString("\n本期没有巡检记录。\n")
		return b.String()
	}
	b.WriteString("\n### 各系统巡检结果与可用率\n\n")
	var rows [][]string
	for _, s := range stats {
		rows = append(rows, []string{r.data.title(s.system), fmt.Sprint(s.runs), fmt.Sprint(s.items), fmt.Sprint(s.ok), fmt.Sprint(s.warning), fmt.Sprint(s.failed),
			pct(s.ok, s.items), pct(s.runs-s.downRuns, s.runs)})
	}
	b.WriteString(table([]string{"系统", "巡检次数", "检查项次", "通过", "告警", "失败", "通过率", "可用率"}, rows))
	return b.String()
}

func (r *Report) fmtTime(t time.Time) string { return t.In(r.data.Loc).Format("01-02 15:04") }

func (r *Report) anomalies() string {
	var b strings.Builder
	b.WriteString("## 三、异常处置\n\n")
	b.WriteString(r.figureTable("anomalies_opened", "anomalies_opened_critical", "anomalies_opened_major", "anomalies_opened_minor",
		"anomalies_resolved", "anomalies_mttr_hours", "anomalies_open_at_end"))
	var rows []ranked
	sevRank := map[string]int{"critical": 0, "major": 1, "minor": 2}
	for _, a := range r.data.ByKind["anomaly"] {
		det, ok := r.data.time(a, "detected_at")
		if !ok {
			continue
		}
		res, hasRes := r.data.time(a, "resolved_at")
		inPeriod := r.Period.Contains(det) || (hasRes && r.Period.Contains(res))
		stillOpen := det.Before(r.Period.Until()) && openAt(a, hasRes, res, r.Period.Until())
		if !inPeriod && !stillOpen {
			continue
		}
		resolved, took := "未解决", "—"
		if hasRes {
			resolved = r.fmtTime(res)
			took = fmt.Sprintf("%.1f 小时", res.Sub(det).Hours())
		}
		rank := sevRank[str(a, "severity")]
		if stillOpen {
			rank -= 3 // what is still open matters most
		}
		rows = append(rows, ranked{rank, []string{a.ID(), a.Title(), r.data.label("anomaly", "/severity", str(a, "severity")), r.fmtTime(det), resolved, took}})
	}
	if len(rows) > 0 {
		b.WriteString("\n### 本期发生、解决或仍未解决的异常\n\n")
		b.WriteString(listTable([]string{"编号", "异常", "严重程度", "发现", "解决", "用时"}, rows, "条"))
	}
	return b.String()
}

func (r *Report) changes() string {
	var b strings.Builder
	b.WriteString("## 四、变更管理\n\n")
	keys := []string{"changes_total"}
	for _, t := range changeTypes {
		if f := r.byKey["changes_type_"+t]; f != nil && ((f.Value != nil && *f.Value > 0) || (f.Prev != nil && *f.Prev > 0)) {
			keys = append(keys, "changes_type_"+t)
		}
	}
	keys = append(keys, "changes_done", "changes_rolled_back", "changes_cancelled", "changes_emergency", "changes_success_rate", "changes_in_window_rate")
	b.WriteString(r.figureTable(keys...))
	var rows []ranked
	statusRank := map[string]int{"rolled-back": 0, "draft": 2, "approved": 2, "cancelled": 3, "done": 4}
	for _, c := range changesIn(r.data, r.Period) {
		ch, _ := kind.ChangeFrom(c, r.data.Loc)
		start, end := ch.Window.Start, ch.Window.End
		win := "—"
		rank := statusRank[str(c, "status")]
		if ok, known := inWindow(r.data, c); known && str(c, "status") != "cancelled" {
			win = map[bool]string{true: "是", false: "否（占用业务时间）"}[ok]
			if !ok {
				rank = min(rank, 1)
			}
		}
		rows = append(rows, ranked{rank, []string{c.ID(), c.Title(), r.data.label("change", "/type", str(c, "type")),
			r.fmtTime(start) + "—" + end.In(r.data.Loc).Format("15:04"), r.data.label("change", "/status", str(c, "status")), win}})
	}
	if len(rows) > 0 {
		b.WriteString("\n### 本期变更\n\n")
		b.WriteString(listTable([]string{"编号", "变更", "类型", "窗口", "状态", "避开业务时间"}, rows, "项"))
	}
	return b.String()
}

// countTable counts tickets by a key in this and the previous period.
func (r *Report) countTable(head string, key func(rec map[string]any) string) string {
	cur, prev := map[string]int{}, map[string]int{}
	for _, t := range ticketsIn(r.data, r.Period) {
		cur[key(t.Fields)]++
	}
	for _, t := range ticketsIn(r.data, r.Prev) {
		prev[key(t.Fields)]++
	}
	names := make([]string, 0, len(cur))
	for k := range cur {
		names = append(names, k)
	}
	sort.Slice(names, func(i, j int) bool {
		if cur[names[i]] != cur[names[j]] {
			return cur[names[i]] > cur[names[j]]
		}
		return names[i] < names[j]
	})
	var rows [][]string
	for _, n := range names {
		rows = append(rows, []string{n, fmt.Sprint(cur[n]), fmt.Sprint(prev[n])})
	}
	return table([]string{head, "本期（件）", "上期（件）"}, rows)
}

func (r *Report) tickets() string {
	var b strings.Builder
	b.WriteString("## 五、热线与工单\n\n")
	keys := []string{"tickets_total"}
	for _, c := range ticketChannels {
		keys = append(keys, "tickets_channel_"+c)
	}
	keys = append(keys, "tickets_resolved", "tickets_open_at_end", "tickets_response_minutes", "tickets_resolution_hours", "tickets_sla_breaches", "tickets_sla_rate")
	b.WriteString(r.figureTable(keys...))
	tickets := ticketsIn(r.data, r.Period)
	if len(tickets) == 0 {
		return b.String()
	}
	b.WriteString("\n### 按部门\n\n")
	b.WriteString(r.countTable("部门", func(f map[string]any) string { s, _ := f["department"].(string); return r.data.deptName(s) }))
	b.WriteString("\n### 按类别\n\n")
	b.WriteString(r.countTable("类别", func(f map[string]any) string {
		s, _ := f["category"].(string)
		return r.data.label("ticket", "/category", s)
	}))
	asOf := r.Period.Until()
	if r.Now.Before(asOf) {
		asOf = r.Now
	}
	var rows []ranked
	prioRank := map[string]int{"urgent": 0, "high": 1, "normal": 2, "low": 3}
	for _, t := range tickets {
		a, c := slaBreach(r.data, t, r.sla, asOf)
		if !a && !c {
			continue
		}
		var what []string
		if a {
			what = append(what, fmt.Sprintf("响应超过 %s", human(r.sla[str(t, "priority")].Respond)))
		}
		if c {
			what = append(what, fmt.Sprintf("解决超过 %s", human(r.sla[str(t, "priority")].Resolve)))
		}
		rows = append(rows, ranked{prioRank[str(t, "priority")], []string{t.ID(), t.Title(), r.data.label("ticket", "/priority", str(t, "priority")), strings.Join(what, "；")}})
	}
	if len(rows) > 0 {
		b.WriteString("\n### 超出服务时限的工单\n\n")
		b.WriteString(listTable([]string{"编号", "工单", "优先级", "超时情况"}, rows, "件"))
	}
	return b.String()
}

// human formats a duration the way the SLA is written: 15 分钟, 4 小时, 3 天.
func human(d time.Duration) string {
	switch {
	case d%(24*time.Hour) == 0:
		return fmt.Sprintf("%d 天", int(d/(24*time.Hour)))
	case d%time.Hour == 0:
		return fmt.Sprintf("%d 小时", int(d/time.Hour))
	}
	return fmt.Sprintf("%d 分钟", int(d/time.Minute))
}

func (r *Report) securityBackups() string {
	var b strings.Builder
	b.WriteString("## 六、安全与备份\n\n")
	b.WriteString(r.figureTable("security_done", "security_overdue", "security_open_findings",
		"backups_total", "backups_success", "backups_failed", "backups_verified", "backups_success_rate", "backups_verified_rate"))
	asOf := r.Period.Until()
	if r.Now.Before(asOf) {
		asOf = r.Now
	}
	var rows []ranked
	for _, s := range securityDue(r.data, r.Period) {
		state, rank := r.data.label("security", "/status", str(s, "status")), 1
		if overdue(r.data, s, asOf) {
			state, rank = state+"（逾期）", 0
		}
		rows = append(rows, ranked{rank, []string{s.ID(), s.Title(), r.data.label("security", "/type", str(s, "type")), str(s, "date"), state}})
	}
	if len(rows) > 0 {
		b.WriteString("\n### 本期安全任务\n\n")
		b.WriteString(listTable([]string{"编号", "任务", "类型", "日期", "状态"}, rows, "项"))
	}
	return b.String()
}

func (r *Report) trainingsEvents() string {
	var b strings.Builder
	b.WriteString("## 八、培训与重大活动保障\n\n")
	b.WriteString(r.figureTable("trainings_held", "trainings_attendees", "trainings_hours", "events_supported"))
	var rows []ranked
	for _, t := range r.data.ByKind["training"] {
		if r.Period.ContainsDate(str(t, "date")) {
			tr, _ := kind.TrainingFrom(t)
			n := tr.Attendees
			rows = append(rows, ranked{0, []string{t.ID(), t.Title(), str(t, "date"), fmt.Sprint(int(n))}})
		}
	}
	if len(rows) > 0 {
		b.WriteString("\n### 培训\n\n")
		b.WriteString(listTable([]string{"编号", "培训", "日期", "人数"}, rows, "场"))
	}
	rows = nil
	for _, e := range eventsIn(r.data, r.Period) {
		ev, _ := kind.EventFrom(e, r.data.Loc)
		rows = append(rows, ranked{0, []string{ev.ID, ev.Title, ev.Start + " 至 " + ev.End, ev.Freeze.StartText + " 至 " + ev.Freeze.EndText}})
	}
	if len(rows) > 0 {
		b.WriteString("\n### 重大活动保障\n\n")
		b.WriteString(listTable([]string{"编号", "活动", "日期", "变更冻结期"}, rows, "次"))
	}
	return b.String()
}

func (r *Report) assessment() string {
	var b strings.Builder
	b.WriteString("## 九、各部门资源共享情况（辅助考核）\n\n")
	ranked, noUpdate, sources := departmentRanking(r.data, r.Period)
	if len(sources) == 0 {
		b.WriteString("本期没有部门统计记录。可用 `opsbook stats import 文件 --period " + r.Period.String() + "` 导入平台导出的统计表。\n")
		return b.String()
	}
	fmt.Fprintf(&b, "数据来源：%s。按编目、发布、申请、订阅、审批、更新六项合计排名；各项数字后括号内为该项名次（并列同名次）。\n\n", joinIDs(sources))
	ranks := metricRanks(ranked)
	var rows [][]string
	for i, st := range ranked {
		row := []string{fmt.Sprint(i + 1), r.data.deptName(st.dept)}
		for _, c := range statsColumns {
			row = append(row, fmt.Sprintf("%d（%d）", st.counts[c.key], ranks[c.key][st.dept]))
		}
		rows = append(rows, append(row, fmt.Sprint(st.total)))
	}
	head := []string{"排名", "部门"}
	for _, c := range statsColumns {
		head = append(head, c.label)
	}
	b.WriteString(table(append(head, "合计"), rows))
	if len(noUpdate) > 0 {
		var names []string
		for _, id := range noUpdate {
			names = append(names, r.data.deptName(id))
		}
		fmt.Fprintf(&b, "\n**本期无资源更新的部门（%d 个）：**%s。请督促及时更新共享资源。\n", len(noUpdate), strings.Join(names, "、"))
	}
	return b.String()
}

func (r *Report) suggestionsBlock() string {
	var b strings.Builder
	b.WriteString("## 十、优化建议\n\n")
	if len(r.Suggestions) == 0 {
		b.WriteString("本期监测数据未触发优化建议规则（表空间增长趋势、检查结果反复、同类工单重复、任务逾期、备份失败）。\n")
		return b.String()
	}
	for i, s := range r.Suggestions {
		cite := joinIDs(firstN(s.Records, 8))
		if len(s.Records) > 8 {
			cite += fmt.Sprintf(" 等 %d 条记录", len(s.Records))
		}
		fmt.Fprintf(&b, "%d. %s（依据：%s）\n", i+1, s.Text, cite)
	}
	return b.String()
}

func (r *Report) appendix() string {
	var b strings.Builder
	b.WriteString("## 附录：指标口径\n\n")
	fmt.Fprintf(&b, "本报告由 `opsbook report %s --at %s` 根据仓库中的记录生成，上期为 %s（%s 至 %s）。时间按 %s 计，周为 ISO 周（周一至周日）。\n\n",
		r.Period.Type, r.Period.String(), r.Prev.Name(), r.Prev.Start.Format("2006-01-02"), r.Prev.End.Format("2006-01-02"), r.data.Loc)
	var rows [][]string
	for _, f := range r.Figures {
		rows = append(rows, []string{f.Label, f.Unit, f.Formula})
	}
	b.WriteString(table([]string{"指标", "单位", "口径"}, rows))
	var slaRows [][]string
	for _, p := range []string{"urgent", "high", "normal", "low"} {
		if t, ok := r.sla[p]; ok {
			slaRows = append(slaRows, []string{r.data.label("ticket", "/priority", p), human(t.Respond), human(t.Resolve)})
		}
	}
	b.WriteString("\n服务时限目标（opsbook.yaml `reports.sla`）：\n\n")
	b.WriteString(table([]string{"优先级", "响应", "解决"}, slaRows))
	return b.String()
}

func (r *Report) obligations() string {
	var b strings.Builder
	b.WriteString("## 七、合规日历执行情况\n\n")
	st := obligationsIn(r.data, r.Period, r.Now)
	if r.data.Obligations == nil {
		b.WriteString("仓库中没有合规事项记录（content/obligation/）。\n")
		return b.String()
	}
	b.WriteString(r.figureTable("obligations_due", "obligations_done", "obligations_done_late", "obligations_overdue", "obligations_on_time_rate"))
	type agg struct {
		title                    string
		due, done, late, overdue int
		open                     []string // due dates still owed
	}
	var order []string
	by := map[string]*agg{}
	for _, x := range st {
		a := by[x.Obligation.ID]
		if a == nil {
			a = &agg{title: x.Obligation.Title}
			by[x.Obligation.ID] = a
			order = append(order, x.Obligation.ID)
		}
		switch x.State {
		case obligation.Done:
			a.done++
			if x.Late {
				a.late++
			}
		case obligation.Overdue:
			a.overdue++
			a.open = append(a.open, x.Due.Format("01-02"))
		case obligation.Due:
			a.open = append(a.open, x.Due.Format("01-02")+"（办理中）")
		case obligation.Upcoming:
			continue
		}
		a.due++
	}
	var rows []ranked
	for _, id := range order {
		a := by[id]
		if a.due == 0 {
			continue
		}
		owed := joinIDs(firstN(a.open, 6))
		if len(a.open) > 6 {
			owed += fmt.Sprintf(" 等 %d 次", len(a.open))
		}
		rank := 1
		if a.overdue > 0 {
			rank = 0
		}
		rows = append(rows, ranked{rank, []string{a.title, fmt.Sprint(a.due), fmt.Sprint(a.done), fmt.Sprint(a.late), fmt.Sprint(a.overdue), owed}})
	}
	if len(rows) > 0 {
		b.WriteString("\n")
		b.WriteString(listTable([]string{"事项", "应办", "已办", "逾期补办", "逾期未办", "未办的到期日"}, rows, "项"))
	}
	return b.String()
}

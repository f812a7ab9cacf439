package report

import (
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/opsbook/opsbook/internal/period"
	"github.com/opsbook/opsbook/internal/record"
)

var cst = time.FixedZone("CST", 8*3600)

func recs(t *testing.T, docs ...string) []*record.Record {
	t.Helper()
	var out []*record.Record
	for i, d := range docs {
		r, err := record.Parse("content/x/2026/r"+string(rune('a'+i))+".yaml", []byte(strings.TrimSpace(d)+"\n"))
		if err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
		out = append(out, r)
	}
	return out
}

func mustPeriod(t *testing.T, typ period.Type, at string) period.Period {
	t.Helper()
	p, err := period.Parse(typ, at, cst)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// fig computes p's figures and returns one value (NaN when undefined).
func fig(t *testing.T, d *Data, p period.Period, now time.Time, key string) float64 {
	t.Helper()
	s := computeFigures(d, p, now, DefaultSLA)
	f := s.byKey[key]
	if f == nil {
		t.Fatalf("no figure %s", key)
	}
	if f.Value == nil {
		return math.NaN()
	}
	return *f.Value
}

func expect(t *testing.T, d *Data, p period.Period, now time.Time, want map[string]float64) {
	t.Helper()
	for k, w := range want {
		got := fig(t, d, p, now, k)
		if math.IsNaN(w) && math.IsNaN(got) {
			continue
		}
		if got != w {
			t.Errorf("%s = %v, want %v", k, got, w)
		}
	}
}

var nan = math.NaN()

func TestInspectionFigures(t *testing.T) {
	d := NewData(cst, nil, recs(t,
		`{id: sys, kind: asset, title: 系统, type: system, status: online}`,
		`{id: db, kind: asset, title: 库, type: database, parent: host, status: online}`,
		`{id: host, kind: asset, title: 主机, type: host, parent: sys, status: online}`,
		`{id: web, kind: asset, title: 门户, type: system, status: online}`,
		// day 1: db failed → sys down; web ok
		`{id: I1, kind: inspection, date: 2026-03-02, items: [{name: a, asset: db, status: failed}, {name: b, asset: web, status: ok}, {name: c, status: skipped}]}`,
		// day 2: all fine, one warning on sys (not down)
		`{id: I2, kind: inspection, date: 2026-03-03, items: [{name: a, asset: db, status: ok}, {name: d, asset: host, status: warning}, {name: b, asset: web, status: ok}]}`,
		// outside the week
		`{id: I3, kind: inspection, date: 2026-03-09, items: [{name: a, asset: db, status: failed}]}`,
	))
	p := mustPeriod(t, period.Week, "2026-W10") // 03-02..03-08
	expect(t, d, p, time.Now(), map[string]float64{
		"inspection_runs": 2, "inspection_items": 5, "inspection_passed": 3, "inspection_warnings": 1, "inspection_failed": 1,
		"inspection_pass_rate": 60, // 3 / 5
		"availability_mean":    75, // sys: 1 of 2 runs without failure = 50 %; web: 100 % → mean 75
	})
	stats := systemAvailability(d, p)
	if len(stats) != 2 || stats[0].system != "sys" || stats[0].runs != 2 || stats[0].downRuns != 1 || stats[0].items != 3 {
		t.Errorf("db and host must roll up to sys: %+v", stats[0])
	}
	empty := mustPeriod(t, period.Week, "2026-W20")
	expect(t, d, empty, time.Now(), map[string]float64{"inspection_runs": 0, "inspection_pass_rate": nan, "availability_mean": nan})
}

func TestAnomalyFigures(t *testing.T) {
	d := NewData(cst, nil, recs(t,
		`{id: A1, kind: anomaly, detected_at: "2026-03-31 22:00", resolved_at: "2026-04-01 02:00", severity: major, status: resolved}`,
		`{id: A2, kind: anomaly, detected_at: "2026-04-10 09:00", resolved_at: "2026-04-10 10:00", severity: critical, status: resolved}`,
		`{id: A3, kind: anomaly, detected_at: "2026-04-20 09:00", severity: minor, status: open}`,
		`{id: A4, kind: anomaly, detected_at: "2026-04-28 09:00", resolved_at: "2026-05-02 09:00", severity: minor, status: resolved}`,
		`{id: A5, kind: anomaly, detected_at: "2026-02-01 09:00", severity: minor, status: closed}`,
	))
	p := mustPeriod(t, period.Month, "2026-04")
	expect(t, d, p, time.Now(), map[string]float64{
		"anomalies_opened": 3, "anomalies_opened_critical": 1, "anomalies_opened_minor": 2, "anomalies_opened_major": 0,
		"anomalies_resolved": 2, "anomalies_resolved_major": 1, // A1 resolved in April, detected in March
		"anomalies_mttr_hours":  2.5, // (4 h + 1 h) / 2
		"anomalies_open_at_end": 2,   // A3 open, A4 resolved after the month; A5 closed
	})
	expect(t, d, mustPeriod(t, period.Month, "2026-03"), time.Now(), map[string]float64{"anomalies_open_at_end": 1, "anomalies_mttr_hours": nan})
}

func TestChangeFigures(t *testing.T) {
	d := NewData(cst, nil, recs(t,
		// evening of a workday: in window
		`{id: C1, kind: change, type: config, status: done, window: {start: "2026-03-03 20:00", end: "2026-03-03 22:00"}}`,
		// 调休 working Saturday 2026-02-14, daytime: business hours
		`{id: C2, kind: change, type: upgrade, status: rolled-back, window: {start: "2026-02-14 10:00", end: "2026-02-14 11:00"}}`,
		// Spring Festival holiday daytime, emergency: not business hours
		`{id: C3, kind: change, type: fault-repair, status: done, emergency: true, window: {start: "2026-02-18 10:00", end: "2026-02-18 12:00"}}`,
		// cancelled: left out of the window rate
		`{id: C4, kind: change, type: config, status: cancelled, window: {start: "2026-03-10 10:00", end: "2026-03-10 11:00"}}`,
		// next quarter
		`{id: C5, kind: change, type: config, status: done, window: {start: "2026-04-01 20:00", end: "2026-04-01 21:00"}}`,
	))
	p := mustPeriod(t, period.Quarter, "2026-Q1")
	expect(t, d, p, time.Now(), map[string]float64{
		"changes_total": 4, "changes_type_config": 2, "changes_type_upgrade": 1, "changes_type_fault-repair": 1,
		"changes_done": 2, "changes_rolled_back": 1, "changes_cancelled": 1, "changes_emergency": 1,
		"changes_success_rate":   66.7, // 2 / (2 + 1)
		"changes_in_window_rate": 66.7, // C1, C3 of C1–C3
	})
}

func TestTicketFigures(t *testing.T) {
	d := NewData(cst, nil, recs(t,
		`{id: T1, kind: ticket, channel: hotline, category: apply, priority: urgent, status: closed, reported_at: "2026-05-04 09:00", responded_at: "2026-05-04 09:10", resolved_at: "2026-05-04 12:00"}`,
		// response 40 min > 30 min for high
		`{id: T2, kind: ticket, channel: onsite, category: apply, priority: high, status: closed, reported_at: "2026-05-05 09:00", responded_at: "2026-05-05 09:40", resolved_at: "2026-05-05 11:00"}`,
		// still open at the end of the week and older than 72 h: breach
		`{id: T3, kind: ticket, channel: hotline, category: account, priority: low, status: open, reported_at: "2026-05-06 09:00", responded_at: "2026-05-06 09:20"}`,
		`{id: T4, kind: ticket, channel: hotline, category: apply, priority: normal, status: closed, reported_at: "2026-05-11 09:00", responded_at: "2026-05-11 09:01", resolved_at: "2026-05-11 09:30"}`,
	))
	p := mustPeriod(t, period.Week, "2026-W19") // 05-04..05-10
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, cst)
	expect(t, d, p, now, map[string]float64{
		"tickets_total": 3, "tickets_channel_hotline": 2, "tickets_channel_onsite": 1,
		"tickets_resolved": 2, "tickets_open_at_end": 1,
		"tickets_response_minutes": 23.3, // (10 + 40 + 20) / 3
		"tickets_resolution_hours": 2.5,  // (3 + 2) / 2
		"tickets_sla_breaches":     2,    // T2 response, T3 resolution
		"tickets_sla_rate":         33.3,
	})
	// Judged "now" during the week, T3 (reported 05-06 09:00) is not yet late.
	mid := time.Date(2026, 5, 7, 9, 0, 0, 0, cst)
	expect(t, d, p, mid, map[string]float64{"tickets_sla_breaches": 1})
}

func TestSecurityBackupTrainingEventFigures(t *testing.T) {
	d := NewData(cst, nil, recs(t,
		`{id: S1, kind: security, type: password-rotation, date: 2026-07-01, status: done}`,
		`{id: S2, kind: security, type: virus-scan, date: 2026-07-10, status: planned, findings: [{severity: high, description: x, status: open}, {severity: low, description: y, status: open}]}`,
		`{id: S3, kind: security, type: virus-scan, date: 2026-07-30, status: planned}`,
		`{id: B1, kind: backup, type: full, asset: db, date: 2026-07-02, started_at: "2026-07-02 01:00", status: success, verified: true}`,
		`{id: B2, kind: backup, type: full, asset: db, date: 2026-07-03, started_at: "2026-07-03 01:00", status: partial}`,
		`{id: B3, kind: backup, type: full, asset: db, date: 2026-07-04, started_at: "2026-07-04 01:00", status: success}`,
		`{id: R1, kind: training, date: 2026-07-05, attendees: 12, duration_hours: 1.5}`,
		`{id: R2, kind: training, date: 2026-07-06, attendees: 8, duration_hours: 2}`,
		`{id: E1, kind: event, start: 2026-06-28, end: 2026-07-02, freeze: {start: "2026-06-28 00:00", end: "2026-07-02 23:59"}}`,
		`{id: E2, kind: event, start: 2026-08-01, end: 2026-08-02, freeze: {start: "2026-08-01 00:00", end: "2026-08-02 23:59"}}`,
	))
	p := mustPeriod(t, period.Month, "2026-07")
	now := time.Date(2026, 7, 20, 12, 0, 0, 0, cst) // S2 overdue, S3 not yet due
	expect(t, d, p, now, map[string]float64{
		"security_done": 1, "security_overdue": 1, "security_open_findings": 1,
		"backups_total": 3, "backups_success": 2, "backups_failed": 1, "backups_verified": 1,
		"backups_success_rate": 66.7, "backups_verified_rate": 33.3,
		"trainings_held": 2, "trainings_attendees": 20, "trainings_hours": 3.5,
		"events_supported": 1,
	})
	expect(t, d, p, time.Date(2026, 9, 1, 0, 0, 0, 0, cst), map[string]float64{"security_overdue": 2})
}

func TestStatsTilingAndRanking(t *testing.T) {
	d := NewData(cst, nil, recs(t,
		`{id: da, kind: department, title: 甲局, short_name: 甲, status: active}`,
		`{id: db, kind: department, title: 乙局, short_name: 乙, status: active}`,
		`{id: dc, kind: department, title: 丙局, short_name: 丙, status: active}`,
		`{id: dx, kind: department, title: 撤销局, short_name: 撤, status: inactive}`,
		`{id: Q1, kind: stats, period_type: quarter, period: {start: 2026-01-01, end: 2026-03-31}, rows: [{department: da, catalogued: 10, published: 0, applied: 0, subscribed: 0, approved: 0, updated: 1}]}`,
		`{id: M1, kind: stats, period_type: month, period: {start: 2026-01-01, end: 2026-01-31}, rows: [{department: da, catalogued: 99, published: 0, applied: 0, subscribed: 0, approved: 0, updated: 0}]}`,
		`{id: M4, kind: stats, period_type: month, period: {start: 2026-04-01, end: 2026-04-30}, rows: [{department: db, catalogued: 5, published: 5, applied: 5, subscribed: 5, approved: 5, updated: 0}, {department: da, catalogued: 1, published: 0, applied: 0, subscribed: 0, approved: 0, updated: 0}]}`,
		`{id: W9, kind: stats, period_type: week, period: {start: 2026-04-06, end: 2026-04-12}, rows: [{department: dc, catalogued: 7, published: 0, applied: 0, subscribed: 0, approved: 0, updated: 7}]}`,
	))
	h1 := mustPeriod(t, period.Half, "2026-H1")
	ranked, noUpdate, sources := departmentRanking(d, h1)
	if strings.Join(sources, ",") != "Q1,M4" {
		t.Errorf("sources = %v, want the quarter and April (not January on top of the quarter, not the week inside April)", sources)
	}
	if len(ranked) != 2 || ranked[0].dept != "db" || ranked[0].total != 25 || ranked[1].dept != "da" || ranked[1].counts["catalogued"] != 11 {
		t.Errorf("ranking = %+v %+v", ranked[0], ranked[1])
	}
	if strings.Join(noUpdate, ",") != "db,dc" {
		t.Errorf("no update = %v, want db (zero updates) and dc (absent); not the inactive dx", noUpdate)
	}
	ranks := metricRanks(ranked)
	if ranks["catalogued"]["da"] != 1 || ranks["catalogued"]["db"] != 2 || ranks["updated"]["da"] != 1 || ranks["updated"]["db"] != 2 || ranks["published"]["db"] != 1 {
		t.Errorf("per-metric ranks = %v", ranks)
	}
	tie := metricRanks([]*deptStat{{dept: "x", counts: map[string]int{"applied": 5}}, {dept: "y", counts: map[string]int{"applied": 5}}, {dept: "z", counts: map[string]int{"applied": 1}}})
	if tie["applied"]["x"] != 1 || tie["applied"]["y"] != 1 || tie["applied"]["z"] != 3 {
		t.Errorf("ties: %v", tie["applied"])
	}
	expect(t, d, h1, time.Now(), map[string]float64{"stats_departments": 2, "stats_no_update_departments": 2, "stats_catalogued": 16, "stats_updated": 1})
	expect(t, d, mustPeriod(t, period.Month, "2026-05"), time.Now(), map[string]float64{"stats_departments": nan})
}

func TestSuggestions(t *testing.T) {
	var docs []string
	// tablespace 70 → 79 over 10 days: +1/day, crosses 85 in ~6 days.
	for i := 0; i < 10; i++ {
		day := time.Date(2026, 3, 20+i, 0, 0, 0, 0, cst).Format("2006-01-02")
		status := "ok"
		if i%2 == 1 {
			status = "failed"
		}
		docs = append(docs, `{id: I`+day+`, kind: inspection, date: `+day+`, items: [{name: 交换库表空间使用率, asset: db, status: ok, value: `+strconv.Itoa(70+i)+`}, {name: 前置机心跳, asset: fep, status: `+status+`}, {name: 稳定项, status: ok}]}`)
	}
	docs = append(docs,
		`{id: T1, kind: ticket, department: da, category: apply, reported_at: "2026-03-02 09:00"}`,
		`{id: T2, kind: ticket, department: da, category: apply, reported_at: "2026-03-05 09:00"}`,
		`{id: T3, kind: ticket, department: da, category: apply, reported_at: "2026-03-09 09:00"}`,
		`{id: T4, kind: ticket, department: db, category: apply, reported_at: "2026-03-09 09:00"}`,
		`{id: S1, kind: security, type: password-rotation, date: 2025-06-01, status: done, next_due: 2025-09-01}`,
		`{id: S2, kind: security, type: password-rotation, date: 2025-09-20, status: done, next_due: 2025-12-20}`,
		`{id: S3, kind: security, type: password-rotation, date: 2026-01-10, status: done, next_due: 2026-04-10}`,
		`{id: B1, kind: backup, asset: db, date: 2026-03-01, status: failed}`,
		`{id: B2, kind: backup, asset: db, date: 2026-03-08, status: partial}`,
		`{id: B3, kind: backup, asset: fs, date: 2026-03-08, status: failed}`,
	)
	d := NewData(cst, nil, recs(t, docs...))
	got := suggestions(d, mustPeriod(t, period.Month, "2026-03"), time.Date(2026, 4, 2, 0, 0, 0, 0, cst))
	rules := map[string][]string{}
	for _, s := range got {
		rules[s.Rule] = append(rules[s.Rule], strings.Join(s.Records, ","))
	}
	want := map[string]string{
		"tablespace-trend": "I2026-03-20,I2026-03-29",
		"flapping-check":   "I2026-03-21,I2026-03-22,I2026-03-23,I2026-03-24,I2026-03-25,I2026-03-26",
		"repeated-tickets": "T1,T2,T3",
		"late-obligations": "S2,S3",
		"failing-backups":  "B1,B2",
	}
	for rule, records := range want {
		if len(rules[rule]) != 1 || rules[rule][0] != records {
			t.Errorf("%s: got %v, want one suggestion citing %s", rule, rules[rule], records)
		}
	}
	if len(got) != len(want) {
		for _, s := range got {
			t.Logf("%s: %s", s.Rule, s.Text)
		}
		t.Errorf("%d suggestions, want %d", len(got), len(want))
	}
	for _, s := range got {
		if s.Rule == "tablespace-trend" && !strings.Contains(s.Text, "79.0%") {
			t.Errorf("tablespace text: %s", s.Text)
		}
	}
}

func TestMergeBodyInsertsNewBlocksInOrder(t *testing.T) {
	old := "前言\n" + beginMarker("a") + "\n旧 A\n" + endMarker("a") + "\n中间\n" + beginMarker("gone") + "\nx\n" + endMarker("gone") + "\n" + beginMarker("c") + "\n旧 C\n" + endMarker("c") + "\n结尾"
	got, err := MergeBody(old, 1, []Block{{"new0", "N0"}, {"a", "A"}, {"b", "B"}, {"c", "C"}})
	if err != nil {
		t.Fatal(err)
	}
	want := blockText(Block{"new0", "N0"}) + "\n" + "前言\n" + blockText(Block{"a", "A"}) + "\n" + blockText(Block{"b", "B"}) + "中间\n" + blockText(Block{"c", "C"}) + "结尾"
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

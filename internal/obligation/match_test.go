package obligation

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/opsbook/opsbook/internal/layout"
	"github.com/opsbook/opsbook/internal/record"
)

func proof(id, day string, assets ...string) Proof {
	return Proof{ID: id, Path: "content/x/" + id + ".yaml", Date: date(day), Assets: assets}
}

// states renders "due:state:proofs" per occurrence.
func states(st []Status) []string {
	var out []string
	for _, s := range st {
		x := s.Due.Format("01-02") + ":" + string(s.State)
		if len(s.Proofs) > 0 {
			x += ":" + strings.Join(s.Proofs, "+")
		}
		if s.Late {
			x += ":late"
		}
		if len(s.Missing) > 0 && s.State != Done {
			x += ":missing=" + strings.Join(s.Missing, "+")
		}
		out = append(out, x)
	}
	return out
}

func expectStates(t *testing.T, name string, got []Status, want ...string) {
	t.Helper()
	if g := states(got); !slices.Equal(g, want) {
		t.Errorf("%s:\n got  %q\n want %q", name, g, want)
	}
}

func TestMatchWeeklyReport(t *testing.T) {
	// Weekly report due on Monday; the report of the week just ended is
	// dated by its period's last day (Sunday), so the window opens a day early.
	o := parse(t, "start: 2025-12-01\nrule: {type: weekly}\nlead_days: 1\ngrace_days: 2\nproof: {kind: report, date_field: period.end}\n")
	occs := o.Occurrences(cal, date("2025-12-01"), date("2026-01-19"))
	proofs := []Proof{
		proof("RPT-2025-W49", "2025-12-07"), // → 12-08
		proof("RPT-2025-W50", "2025-12-14"), // → 12-15
		// W51 missing: 12-22 overdue
		proof("RPT-2025-W52", "2025-12-28"), // → 12-29
		proof("RPT-2026-W01", "2026-01-04"), // → 01-05
		proof("RPT-2026-W02", "2026-01-11"), // dated after `at`: ignored
	}
	at := date("2026-01-07")
	expectStates(t, "at 2026-01-07", Match(o, occs, proofs, at),
		"12-01:overdue", "12-08:done:RPT-2025-W49", "12-15:done:RPT-2025-W50", "12-22:overdue",
		"12-29:done:RPT-2025-W52", "01-05:done:RPT-2026-W01", "01-12:upcoming", "01-19:upcoming")
	// On the due date, and inside the grace period, it is due; after, overdue.
	for at, want := range map[string]State{"2026-01-10": Upcoming, "2026-01-11": Due, "2026-01-12": Due, "2026-01-14": Due, "2026-01-15": Overdue} {
		st := Match(o, occs, proofs[:4], date(at))
		if got := st[6].State; got != want {
			t.Errorf("01-12 at %s: %s, want %s", at, got, want)
		}
	}
	// With the W02 report on file, 01-12 is done from 01-11 on.
	st := Match(o, occs, proofs, date("2026-01-11"))
	if st[6].State != Done || st[6].DoneOn != date("2026-01-11") || st[6].Row().DoneOn != "2026-01-11" {
		t.Errorf("01-12 with W02: %+v", st[6])
	}
}

func TestMatchLateAndOnce(t *testing.T) {
	o := parse(t, "start: 2026-01-01\nrule: {type: monthly, workday: 1}\ngrace_days: 5\nproof: {kind: security}\n")
	occs := o.Occurrences(cal, date("2026-01-01"), date("2026-04-30"))
	// January done on time; February late (SEC-2 after 02-07, before
	// March's window); SEC-3 is before March's window and February already
	// has SEC-2, so March is overdue; April on time.
	proofs := []Proof{proof("SEC-1", "2026-01-06"), proof("SEC-2", "2026-02-20"), proof("SEC-3", "2026-02-26"), proof("SEC-4", "2026-04-01")}
	expectStates(t, "late", Match(o, occs, proofs, date("2026-04-02")),
		"01-04:done:SEC-1", "02-02:done:SEC-2:late", "03-02:overdue", "04-01:done:SEC-4")
	// One proof never proves two occurrences.
	o = parse(t, "start: 2026-01-01\nrule: {type: every-n-days, every_days: 2}\nlead_days: 3\ngrace_days: 3\nproof: {kind: security}\n")
	occs = o.Occurrences(cal, date("2026-01-01"), date("2026-01-05"))
	expectStates(t, "once", Match(o, occs, []Proof{proof("SEC-9", "2026-01-02")}, date("2026-01-10")),
		"01-01:done:SEC-9", "01-03:overdue", "01-05:overdue")
}

func TestMatchAssetsAndHolidays(t *testing.T) {
	o := parse(t, `start: 2026-09-01
rule: {type: holiday}
grace_days: 1
assets: [exchange-db, catalog-db]
proof:
  kind: backup
  match: {type: full, status: success}
  asset_field: asset
  holiday_field: holiday
`)
	occs := o.Occurrences(cal, date("2026-09-01"), date("2026-12-31"))
	proofs := []Proof{
		{ID: "BAK-1", Date: date("2026-09-25"), Assets: []string{"exchange-db"}, Holiday: "中秋节"},
		{ID: "BAK-2", Date: date("2026-09-26"), Assets: []string{"catalog-db"}, Holiday: "中秋节"},
		{ID: "BAK-3", Date: date("2026-10-01"), Assets: []string{"exchange-db"}, Holiday: "国庆节"},
		{ID: "BAK-4", Date: date("2026-10-01"), Assets: []string{"exchange-db"}, Holiday: "国庆节"}, // the same asset again: not needed
		{ID: "BAK-5", Date: date("2026-10-02"), Assets: []string{"catalog-db"}, Holiday: "中秋节"},  // wrong holiday name
	}
	expectStates(t, "holiday backups", Match(o, occs, proofs, date("2026-10-01")),
		"09-25:done:BAK-1+BAK-2", "10-01:due:BAK-3:missing=catalog-db")
	expectStates(t, "a day later", Match(o, occs, proofs, date("2026-10-03")),
		"09-25:done:BAK-1+BAK-2", "10-01:overdue:BAK-3:missing=catalog-db")
	if r := Match(o, occs, proofs, date("2026-10-01"))[0].Row(); r.Holiday != "中秋节" || r.State != Done || r.StateLabel != "已完成" {
		t.Errorf("row %+v", r)
	}
	// Unknown stays unknown without proof.
	occs = o.Occurrences(cal, date("2027-01-01"), date("2027-01-31"))
	expectStates(t, "no data", Match(o, occs, nil, date("2027-03-01")), "01-01:unknown:missing=exchange-db+catalog-db")
}

func TestProofFrom(t *testing.T) {
	spec := ProofSpec{Kind: "security", Match: []Condition{{Field: "status", Values: []string{"done"}}, {Field: "type", Values: []string{"virus-scan", "vulnerability-scan"}}},
		DateField: "date", AssetField: "assets"}
	rec := func(src string) map[string]any {
		r, err := record.Parse("x.yaml", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		return r.Fields
	}
	p, ok := spec.ProofFrom(rec("id: SEC-1\nkind: security\ntype: virus-scan\nstatus: done\ndate: 2026-11-09\nassets: [a, b]\n"), "p", shanghai)
	if !ok || p.ID != "SEC-1" || p.Date != date("2026-11-09") || !slices.Equal(p.Assets, []string{"a", "b"}) {
		t.Errorf("proof %+v %v", p, ok)
	}
	for _, src := range []string{
		"id: SEC-2\nkind: security\ntype: virus-scan\nstatus: planned\ndate: 2026-11-09\n", // status
		"id: SEC-3\nkind: security\ntype: policy-review\nstatus: done\ndate: 2026-11-09\n", // type
		"id: SEC-4\nkind: security\ntype: virus-scan\nstatus: done\n",                      // no date
		"id: BAK-1\nkind: backup\ntype: virus-scan\nstatus: done\ndate: 2026-11-09\n",      // kind
	} {
		if _, ok := spec.ProofFrom(rec(src), "p", shanghai); ok {
			t.Errorf("accepted %q", src)
		}
	}
	// Nested date fields, date-times, array paths and non-string values.
	spec = ProofSpec{Kind: "inspection", Match: []Condition{{Field: "items.*.asset", Values: []string{"exchange-db"}}, {Field: "verified", Values: []string{"true"}}}, DateField: "window.end"}
	p, ok = spec.ProofFrom(rec("id: INS-1\nkind: inspection\nverified: true\nwindow: {end: '2026-11-09 23:30'}\nitems:\n  - {asset: portal-db}\n  - {asset: exchange-db}\n"), "p", shanghai)
	if !ok || p.Date != date("2026-11-09") {
		t.Errorf("nested: %+v %v", p, ok)
	}
}

func TestParseErrors(t *testing.T) {
	for src, want := range map[string]string{
		"rule: {type: weekly, day: 3}\nproof: {kind: report}\n":                            "weekly 规则（每周）不使用 day",
		"rule: {type: monthly, day: 3, workday: 2}\nproof: {kind: report}\n":               "只能填一个",
		"rule: {type: monthly}\nproof: {kind: report}\n":                                   "需要 day（每月第几天）或 workday",
		"rule: {type: every-n-days}\nproof: {kind: report}\n":                              "需要 every_days",
		"rule: {type: quarterly, month: 4, day: 1}\nproof: {kind: report}\n":               "month 应为 1–3",
		"rule: {type: monthly, workday: 0}\nproof: {kind: report}\n":                       "workday 应为 1–23",
		"rule: {type: monthly, day: 32}\nproof: {kind: report}\n":                          "day 应为 1–31",
		"rule: {type: weekly, weekday: 8}\nproof: {kind: report}\n":                        "weekday 应为 1（周一）到 7（周日）",
		"rule: {type: monthly, workday: 1, adjust: next-workday}\nproof: {kind: report}\n": "不需要 adjust",
		"rule: {type: holiday, adjust: next-workday}\nproof: {kind: backup}\n":             "不使用 adjust",
		"rule: {type: weekly}\nproof: {kind: backup, holiday_field: holiday}\n":            "holiday_field 只用于 holiday 规则",
	} {
		r, err := record.Parse("content/obligation/2026/ob.yaml", []byte("id: ob\nkind: obligation\ntitle: t\nowner: 张伟\nstart: 2026-01-01\n"+src))
		if err != nil {
			t.Fatal(err)
		}
		_, errs := Parse(r, shanghai)
		var msgs []string
		for _, e := range errs {
			msgs = append(msgs, e.Error())
			if e.Schema {
				t.Errorf("%s: %q marked as a schema error", src, e.Message)
			}
		}
		if len(errs) != 1 || !strings.Contains(msgs[0], want) {
			t.Errorf("%s: %q, want one containing %q", src, msgs, want)
		}
	}
}

func write(t *testing.T, root, rel, content string) {
	t.Helper()
	p := filepath.Join(root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestBook(t *testing.T) {
	root := t.TempDir()
	write(t, root, "content/obligation/2026/virus-scan.yaml", `id: virus-scan
kind: obligation
title: 每月病毒查杀
owner: 张伟
start: 2026-09-01
rule: {type: monthly, workday: 5}
lead_days: 5
grace_days: 5
proof:
  kind: security
  match: {type: virus-scan, status: done}
`)
	write(t, root, "content/obligation/2026/broken.yaml", "id: broken\nkind: obligation\ntitle: 坏的\nowner: 张伟\nstart: 2026-09-01\nrule: {type: monthly}\nproof: {kind: security}\n")
	write(t, root, "content/security/2026/SEC-2026-003.yaml", "id: SEC-2026-003\nkind: security\ntype: virus-scan\nstatus: done\ndate: 2026-10-09\n")
	write(t, root, "content/security/2026/SEC-2026-007.yaml", "id: SEC-2026-007\nkind: security\ntype: virus-scan\nstatus: done\ndate: 2026-11-09\n")
	write(t, root, "content/security/2026/SEC-2026-008.yaml", "id: SEC-2026-008\nkind: security\ntype: vulnerability-scan\nstatus: done\ndate: 2026-11-10\n")
	ix, err := layout.Scan(root)
	if err != nil {
		t.Fatal(err)
	}
	b := Load(ix, shanghai, 1<<20)
	if len(b.Obligations) != 1 || len(b.Problems) != 1 || !strings.Contains(b.Problems[0].String(), "broken.yaml") {
		t.Fatalf("obligations %d, problems %v", len(b.Obligations), b.Problems)
	}
	if len(b.Proofs["virus-scan"]) != 2 {
		t.Errorf("proofs %+v", b.Proofs)
	}
	// September: 5th workday 09-07 (no proof); October 10-13 (国庆节 then
	// workdays 8, 9, 10 (调休), 12, 13); November 11-06; December 12-07.
	expectStates(t, "between", b.Between(cal, date("2026-11-27"), date("2026-10-01"), date("2026-12-31")),
		"10-13:done:SEC-2026-003", "11-06:done:SEC-2026-007", "12-07:upcoming")
	expectStates(t, "around, 10 days", b.Around(cal, date("2026-11-27"), 10), "09-07:overdue", "12-07:upcoming")
	expectStates(t, "around, 3 days", b.Around(cal, date("2026-11-27"), 3), "09-07:overdue")
	expectStates(t, "around, 25 days", b.Around(cal, date("2026-11-27"), 25), "09-07:overdue", "12-07:upcoming", "11-06:done:SEC-2026-007")
	st := b.Around(cal, date("2026-11-27"), 25)
	if got := Summary(st); got != "逾期 1 项，未到期 1 项，已完成 1 项" {
		t.Errorf("summary %q", got)
	}
	data, _ := json.Marshal(st[2].Row())
	for _, want := range []string{`"obligation":"virus-scan"`, `"due":"2026-11-06"`, `"state":"done"`, `"proofs":["SEC-2026-007"]`, `"rule":"每月第 5 个工作日"`} {
		if !strings.Contains(string(data), want) {
			t.Errorf("row JSON lacks %s: %s", want, data)
		}
	}
}

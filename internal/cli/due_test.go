package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opsbook/opsbook/internal/testrepo"
)

// dueFixture is a small repository with the real schemas: a weekly report
// obligation (reports for weeks 44 and 47 only) and a holiday backup
// obligation (国庆节 2026: exchange-db backed up on the day, catalog-db three
// days late).
func dueFixture(t *testing.T) string {
	t.Helper()
	return testrepo.WithFiles(t, map[string]string{
		"content/obligation/2026/weekly-report.yaml": `id: weekly-report
kind: obligation
title: 每周一提交上周周报
owner: 李娜
start: 2026-11-02
rule: {type: weekly, weekday: 1, adjust: next-workday}
lead_days: 1
grace_days: 1
proof: {kind: report, match: {period_type: week}, date_field: period.end}
`,
		"content/obligation/2026/holiday-backup.yaml": `id: holiday-backup
kind: obligation
title: 节假日第一天全量备份
owner: 王强
start: 2026-09-01
rule: {type: holiday, holidays: [国庆节]}
grace_days: 1
proof: {kind: backup, match: {type: full, status: success}, asset_field: asset, holiday_field: holiday}
assets: [exchange-db, catalog-db]
`,
		"content/report/2026/RPT-2026-W44.md":   "---\nid: RPT-2026-W44\nkind: report\ntitle: 第 44 周周报\nperiod_type: week\nperiod: {start: 2026-10-26, end: 2026-11-01}\nauthor: 李娜\nstatus: final\n---\n\n## 本周概况\n\n正常。\n",
		"content/report/2026/RPT-2026-W47.md":   "---\nid: RPT-2026-W47\nkind: report\ntitle: 第 47 周周报\nperiod_type: week\nperiod: {start: 2026-11-16, end: 2026-11-22}\nauthor: 张伟\nstatus: draft\n---\n\n## 本周概况\n\n正常。\n",
		"content/backup/2026/BAK-2026-007.yaml": "id: BAK-2026-007\nkind: backup\ntitle: 国庆节交换库全量备份\ntype: full\nasset: exchange-db\ndate: 2026-10-01\nholiday: 国庆节\nstarted_at: 2026-10-01 01:00\nstatus: success\n",
		"content/backup/2026/BAK-2026-019.yaml": "id: BAK-2026-019\nkind: backup\ntitle: 国庆节目录库全量备份（补做）\ntype: full\nasset: catalog-db\ndate: 2026-10-04\nholiday: 国庆节\nstarted_at: 2026-10-04 01:00\nstatus: success\n",
		"content/asset/2019/exchange-db.yaml":   "id: exchange-db\nkind: asset\ntitle: 交换库\ntype: database\nstatus: online\n",
		"content/asset/2019/catalog-db.yaml":    "id: catalog-db\nkind: asset\ntitle: 目录库\ntype: database\nstatus: online\n",
		"content/duty/2026/DUT-2026-M11.yaml": `id: DUT-2026-M11
kind: duty
title: 11 月值班表
period: {start: 2026-11-01, end: 2026-11-30}
shifts:
  - {start: '2026-11-27 08:30', end: '2026-11-27 17:30', person: 张伟, role: onsite, phone: '13900000001'}
  - {start: '2026-11-27 08:30', end: '2026-11-27 17:30', person: 李娜, role: onsite, phone: '13900000002'}
  - {start: '2026-11-27 17:30', end: '2026-11-28 08:30', person: 张伟, role: oncall, phone: '13900000001'}
  - {start: '2026-11-23 08:30', end: '2026-11-30 08:30', person: 王强, role: backup, phone: '13900000003'}
`,
	})
}

func TestDueCommand(t *testing.T) {
	dir := dueFixture(t)
	if out, _, code := run(t, dir, "validate", "--repo", dir); code != ExitOK {
		t.Fatalf("fixture does not validate (overdue duties must not fail validation):\n%s", out)
	}
	// Weeks 45 and 46 have no report: overdue, exit 1.
	out, errOut, code := run(t, dir, "due", "--at", "2026-11-27", "--repo", dir)
	if code != ExitFound {
		t.Errorf("exit %d, want %d\n%s%s", code, ExitFound, out, errOut)
	}
	for _, want := range []string{
		"合规日历 2026-11-27（星期五，工作日），前后 7 天：逾期 2 项，未到期 1 项，已完成 1 项",
		"逾期    2026-11-09  11-10  weekly-report 每周一提交上周周报  李娜    缺少报告记录",
		"逾期    2026-11-16  11-17",
		"未到期  2026-11-30  12-01",
		"已完成  2026-11-23  11-24  weekly-report 每周一提交上周周报  李娜    RPT-2026-W47",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// Before the first miss nothing is overdue: exit 0.
	if out, _, code := run(t, dir, "due", "--at", "2026-11-05", "--repo", dir); code != ExitOK || !strings.Contains(out, "RPT-2026-W44") {
		t.Errorf("at 2026-11-05: exit %d\n%s", code, out)
	}
	// The holiday backup: due on 10-01 with one asset covered, overdue the day after next.
	out, _, code = run(t, dir, "due", "--at", "2026-10-01", "--repo", dir)
	if code != ExitOK || !strings.Contains(out, "待办  2026-10-01  10-02  holiday-backup 节假日第一天全量备份 · 国庆节  王强    已有 BAK-2026-007；未覆盖 catalog-db") {
		t.Errorf("at 2026-10-01: exit %d\n%s", code, out)
	}
	if _, _, code := run(t, dir, "due", "--at", "2026-10-03", "--repo", dir); code != ExitFound {
		t.Errorf("at 2026-10-03: exit %d, want 1 (catalog-db not backed up)", code)
	}
	out, _, code = run(t, dir, "due", "--at", "2026-10-05", "--repo", dir)
	if code != ExitOK || !strings.Contains(out, "已完成（逾期完成）  2026-10-01  10-02  holiday-backup 节假日第一天全量备份 · 国庆节  王强    BAK-2026-007、BAK-2026-019") {
		t.Errorf("at 2026-10-05: exit %d\n%s", code, out)
	}
	// JSON.
	out, _, code = run(t, dir, "due", "--at", "2026-11-27", "--days", "30", "--format", "json", "--repo", dir)
	var doc dueDocument
	if err := json.Unmarshal([]byte(out), &doc); err != nil || code != ExitFound {
		t.Fatalf("json: exit %d, %v\n%s", code, err, out)
	}
	if doc.Version != "opsbook.due/v1" || doc.At != "2026-11-27" || doc.Summary["overdue"] != 2 || doc.Summary["done"] != 2 || len(doc.Occurrences) != 5 {
		t.Errorf("json document %+v", doc)
	}
	if o := doc.Occurrences[0]; o.Obligation != "weekly-report" || o.State != "overdue" || o.Due != "2026-11-09" || o.Opens != "2026-11-08" || o.Closes != "2026-11-10" || o.StateLabel != "逾期" {
		t.Errorf("first occurrence %+v", o)
	}
	// A year without holiday data is said so, not skipped.
	out, _, _ = run(t, dir, "due", "--at", "2026-12-30", "--days", "10", "--repo", dir)
	if !strings.Contains(out, "无法确定  2027-01-01") || !strings.Contains(out, "没有 2027 年的节假日数据") {
		t.Errorf("no-data year:\n%s", out)
	}
}

func TestDueCommandErrors(t *testing.T) {
	dir := dueFixture(t)
	for _, args := range [][]string{
		{"due", "--at", "2026-13-01"},
		{"due", "--at", "2026-11-27 10:00"},
		{"due", "--days", "-1"},
		{"due", "--format", "xml"},
		{"due", "extra"},
		{"due", "--nope"},
	} {
		_, errOut, code := run(t, dir, append(args, "--repo", dir)...)
		if code != ExitError || errOut == "" {
			t.Errorf("%v: exit %d, stderr %q", args, code, errOut)
		}
	}
	// No obligations at all: nothing to do, said plainly.
	empty := testrepo.Empty(t)
	if out, _, code := run(t, empty, "due", "--repo", empty); code != ExitOK || !strings.Contains(out, "没有合规事项") {
		t.Errorf("empty: exit %d\n%s", code, out)
	}
	// A broken obligation is skipped with a warning and exit 1.
	os.WriteFile(filepath.Join(dir, "content/obligation/2026/broken.yaml"), []byte("id: broken\nkind: obligation\ntitle: 坏\nowner: 张伟\nstart: 2026-01-01\nrule: {type: monthly}\nproof: {kind: report}\n"), 0o644)
	if _, errOut, code := run(t, dir, "due", "--at", "2026-11-05", "--repo", dir); code != ExitFound || !strings.Contains(errOut, "已跳过 content/obligation/2026/broken.yaml") {
		t.Errorf("broken: exit %d, stderr %q", code, errOut)
	}
}

// The bundled sample has something in every state at 2026-11-27 and at
// least one overdue duty. Its subject is the sample, so it reads the
// checkout.
func TestDueSample(t *testing.T) {
	sample := testrepo.Sample(t)
	out, errOut, code := run(t, sample, "due", "--at", "2026-11-27", "--repo", sample)
	if code != ExitFound || errOut != "" {
		t.Errorf("exit %d, want 1; stderr %q", code, errOut)
	}
	for _, want := range []string{"逾期  ", "待办  ", "已完成  ", "vulnerability-scan"} {
		if !strings.Contains(out, want) {
			t.Errorf("sample output lacks %q:\n%s", want, out)
		}
	}
}

func TestDutyNowCommand(t *testing.T) {
	dir := dueFixture(t)
	out, _, code := run(t, dir, "duty", "now", "--at", "2026-11-27 10:00", "--repo", dir)
	if code != ExitOK || !strings.Contains(out, "2026-11-27 10:00（星期五，工作日）在班 3 人") ||
		!strings.Contains(out, "驻场  张伟    13900000001  11-27 08:30 – 11-27 17:30  DUT-2026-M11") ||
		!strings.Contains(out, "备岗  王强    13900000003") {
		t.Errorf("10:00: exit %d\n%s", code, out)
	}
	out, _, code = run(t, dir, "duty", "now", "--at", "2026-11-27 20:00", "--format", "json", "--repo", dir)
	var doc dutyDocument
	if err := json.Unmarshal([]byte(out), &doc); err != nil || code != ExitOK || len(doc.OnDuty) != 2 || doc.OnDuty[0].Role != "oncall" || doc.OnDuty[0].Phone != "13900000001" {
		t.Errorf("20:00 json: exit %d %v\n%s", code, err, out)
	}
	// Nobody rostered: said so, with the next shift, exit 1.
	out, _, code = run(t, dir, "duty", "now", "--at", "2026-11-20 10:00", "--repo", dir)
	if code != ExitFound || !strings.Contains(out, "没有人在班") || !strings.Contains(out, "下一个班次 2026-11-23 08:30 开始：王强（备岗，13900000003）") {
		t.Errorf("nobody: exit %d\n%s", code, out)
	}
	// Only the backup: the hotline is unanswered, exit 1.
	out, _, code = run(t, dir, "duty", "now", "--at", "2026-11-29 10:00", "--repo", dir)
	if code != ExitFound || !strings.Contains(out, "热线无人接听") {
		t.Errorf("backup only: exit %d\n%s", code, out)
	}
	for _, args := range [][]string{
		{"duty"}, {"duty", "later"}, {"duty", "now", "--at", "2026-11-27"}, {"duty", "now", "--at", "明天"},
		{"duty", "now", "2026-11-27", "10:00"}, {"duty", "now", "--format", "xml"},
	} {
		if _, errOut, code := run(t, dir, append(args, "--repo", dir)...); code != ExitError || errOut == "" {
			t.Errorf("%v: exit %d, stderr %q", args, code, errOut)
		}
	}
}

package report

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/opsbook/opsbook/internal/period"
	"github.com/opsbook/opsbook/internal/testrepo"
	"github.com/opsbook/opsbook/internal/validate"
	"github.com/opsbook/opsbook/internal/workspace"
)

var update = flag.Bool("update", false, "rewrite testdata/golden")

// fixtureRepo copies testdata/repo (made by testdata/make_repo.py) and the
// repository's schemas into a temporary directory.
func fixtureRepo(t testing.TB) *workspace.Workspace {
	t.Helper()
	dir := testrepo.FromDir(t, "testdata/repo")
	rp, err := workspace.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return rp
}

// fixtureNow is when the golden reports were made.
func fixtureNow(rp *workspace.Workspace) time.Time {
	return time.Date(2026, 11, 27, 10, 0, 0, 0, rp.Config.Location)
}

// goldenPeriods: every period kind, a week across the year boundary, a
// quarter with the Spring Festival, and both sides of the half-year boundary.
var goldenPeriods = []struct{ typ, at string }{
	{"week", "2026-W01"},
	{"week", "2026-W27"},
	{"month", "2026-02"},
	{"quarter", "2026-Q1"},
	{"half", "2026-H1"},
	{"half", "2026-H2"},
	{"year", "2026"},
}

func TestGoldenReports(t *testing.T) {
	rp := fixtureRepo(t)
	ctx := context.Background()
	for _, g := range goldenPeriods {
		typ, _ := period.ParseType(g.typ)
		p, err := period.Parse(typ, g.at, rp.Config.Location)
		if err != nil {
			t.Fatal(err)
		}
		res, err := Generate(ctx, rp, p, GenerateOptions{Now: fixtureNow(rp), Author: "测试"})
		if err != nil {
			t.Fatalf("%s: %v", g.at, err)
		}
		if !res.Created || !res.Changed {
			t.Errorf("%s: want a new file written, got %+v", g.at, res)
		}
		golden := filepath.Join("testdata", "golden", ID(p)+".md")
		if *update {
			if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(golden, res.Content, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run go test ./internal/report -run TestGoldenReports -update)", err)
		}
		if !bytes.Equal(res.Content, want) {
			t.Errorf("%s differs from %s (run with -update and review the diff):\n%s", res.Rel, golden, firstDiff(string(want), string(res.Content)))
		}
		// Regenerating the same period is idempotent: nothing is written. A
		// finished period does not depend on when it is regenerated.
		later := fixtureNow(rp)
		if p.Complete(later) {
			later = later.Add(24 * time.Hour)
		}
		again, err := Generate(ctx, rp, p, GenerateOptions{Now: later, Author: "别人"})
		if err != nil {
			t.Fatal(err)
		}
		if again.Changed || !bytes.Equal(again.Content, res.Content) {
			t.Errorf("%s: regeneration changed the file", g.at)
		}
	}
	// Every written report validates with the rest of the repository.
	v, err := validate.Check(ctx, rp, rp.Index.Entries, 2)
	if err != nil {
		t.Fatal(err)
	}
	rp2, _ := workspace.Open(rp.Root)
	all, _ := validate.Check(ctx, rp2, rp2.Index.OfKind("report"), 2)
	if len(v.Violations)+len(all.Violations) > 0 || len(rp2.Index.OfKind("report")) != len(goldenPeriods) {
		t.Errorf("reports: %d files, violations %v %v", len(rp2.Index.OfKind("report")), v.Violations, all.Violations)
	}
}

func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < max(len(al), len(bl)); i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			return fmt.Sprintf("line %d:\n  want: %s\n  got:  %s", i+1, x, y)
		}
	}
	return ""
}

// The human-written parts of a report survive regeneration byte for byte,
// while the figures follow the records.
func TestRegenerationKeepsHumanText(t *testing.T) {
	rp := fixtureRepo(t)
	ctx := context.Background()
	p, _ := period.Parse(period.Month, "2026-02", rp.Config.Location)
	res, err := Generate(ctx, rp, p, GenerateOptions{Now: fixtureNow(rp), Author: "测试"})
	if err != nil {
		t.Fatal(err)
	}
	abs := rp.Index.Abs(res.Rel)
	leader := "## 领导交办事项\n\n- 陈建国副局长交办：春节期间每日报送交换量，2 月 24 日已办结。\n  | 这一行像表格 | 但不是 |\n\n<!-- 普通注释，不是标记 -->\n\n"
	between := "人工插在两个生成区块之间的说明，含 `代码` 和 **强调**。\n\n"
	tail := "\n## 补充\n\n最后一段没有换行结尾"
	edited := strings.Replace(string(res.Content), "## 领导交办事项\n\n"+HumanSections[0].Hint+"\n\n", leader, 1)
	edited = strings.Replace(edited, endMarker("巡检")+"\n", endMarker("巡检")+"\n"+between, 1)
	edited = strings.Replace(edited, "status: draft", "status: final", 1)
	edited = strings.Replace(edited, "author: 测试", "author: 李娜", 1)
	edited += tail
	if edited == string(res.Content) || !strings.Contains(edited, leader) || !strings.Contains(edited, between) {
		t.Fatal("test setup: edits did not apply")
	}
	if err := os.WriteFile(abs, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	// A new ticket in the period changes the figures.
	ticket := "id: TKT-2026-009\nkind: ticket\ntitle: 新增工单\nchannel: hotline\ncategory: other\nhandler: 李娜\npriority: low\nstatus: closed\nreported_at: 2026-02-25 09:00\nresponded_at: 2026-02-25 09:05\nresolved_at: 2026-02-25 10:00\n"
	if err := os.WriteFile(rp.Index.Abs("content/ticket/2026/TKT-2026-009.yaml"), []byte(ticket), 0o644); err != nil {
		t.Fatal(err)
	}
	rp, _ = workspace.Open(rp.Root)
	again, err := Generate(ctx, rp, p, GenerateOptions{Now: fixtureNow(rp), Author: "别人"})
	if err != nil {
		t.Fatal(err)
	}
	got := string(again.Content)
	if !again.Changed {
		t.Fatal("the new ticket must change the report")
	}
	for _, keep := range []string{leader, between, tail, "status: final", "author: 李娜"} {
		if !strings.Contains(got, keep) {
			t.Errorf("regeneration lost %q", keep)
		}
	}
	if strings.Count(got, leader) != 1 || !strings.HasSuffix(got, tail) {
		t.Error("human text duplicated or moved")
	}
	if !strings.Contains(got, "tickets_total: {label: 受理工单, unit: 件, value: 3, previous: 0}") {
		t.Errorf("figures did not follow the records:\n%s", grepLine(got, "tickets_total:"))
	}
	// Outside the generated blocks, the text is exactly what the person wrote.
	if humanText(t, got) != humanText(t, edited) {
		t.Errorf("text outside the markers changed:\nbefore: %q\nafter:  %q", humanText(t, edited), humanText(t, got))
	}
}

// humanText is the body with the generated blocks cut out.
func humanText(t *testing.T, file string) string {
	_, body, _ := strings.Cut(file, "\n---\n")
	segs, err := split(body, 1)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, s := range segs {
		if s.name == "" {
			b.WriteString(s.text)
		} else {
			b.WriteString("[" + s.name + "]")
		}
	}
	return b.String()
}

func grepLine(s, sub string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			return l
		}
	}
	return ""
}

func TestDamagedMarkersWriteNothing(t *testing.T) {
	rp := fixtureRepo(t)
	ctx := context.Background()
	p, _ := period.Parse(period.Week, "2026-W01", rp.Config.Location)
	res, err := Generate(ctx, rp, p, GenerateOptions{Now: fixtureNow(rp), Author: "测试"})
	if err != nil {
		t.Fatal(err)
	}
	abs := rp.Index.Abs(res.Rel)
	broken := strings.Replace(string(res.Content), endMarker("异常")+"\n", "", 1)
	if err := os.WriteFile(abs, []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Generate(ctx, rp, p, GenerateOptions{Now: fixtureNow(rp)})
	var me *MarkerError
	if !errors.As(err, &me) || !strings.Contains(err.Error(), "异常") || !strings.Contains(err.Error(), "未做任何修改") {
		t.Fatalf("want a marker error naming the block, got %v", err)
	}
	lines := strings.Split(broken, "\n")
	if me.Line < 1 || me.Line > len(lines) || !strings.Contains(lines[me.Line-1], "opsbook:begin") {
		t.Errorf("error line %d does not point at a marker: %q", me.Line, lines[max(0, min(me.Line-1, len(lines)-1))])
	}
	after, _ := os.ReadFile(abs)
	if string(after) != broken {
		t.Error("the file was modified")
	}
}

// A hand-written report without markers keeps its text between the figures
// and the appendix.
func TestLegacyReportKeepsText(t *testing.T) {
	rp := fixtureRepo(t)
	ctx := context.Background()
	p, _ := period.Parse(period.Week, "2026-W27", rp.Config.Location)
	legacy := "---\nid: RPT-2026-W27\nkind: report\ntitle: 手写的周报\nperiod_type: week\nperiod: {start: 2026-06-29, end: 2026-07-05}\nauthor: 李娜\nstatus: final\n---\n\n## 本周概况\n\n手写概况。\n"
	abs := rp.Index.Abs(Path(p))
	if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(abs, []byte(legacy), 0o644); err != nil {
		t.Fatal(err)
	}
	rp, _ = workspace.Open(rp.Root)
	res, err := Generate(ctx, rp, p, GenerateOptions{Now: fixtureNow(rp)})
	if err != nil {
		t.Fatal(err)
	}
	got := string(res.Content)
	i, j, k := strings.Index(got, endMarker("优化建议")), strings.Index(got, "## 本周概况\n\n手写概况。\n"), strings.Index(got, beginMarker("附录"))
	if i < 0 || j < i || k < j || !strings.Contains(got, "title: 手写的周报") || !strings.Contains(got, "author: 李娜") {
		t.Errorf("legacy text not kept in place (%d %d %d):\n%s", i, j, k, got)
	}
}

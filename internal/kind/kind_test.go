package kind

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/opsbook/opsbook/internal/layout"
	"github.com/opsbook/opsbook/internal/record"
)

func parse(t *testing.T, rel, src string) *record.Record {
	t.Helper()
	r, err := record.Parse(rel, []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestChangeWindow(t *testing.T) {
	sh, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Skip("no zone data:", err)
	}
	r := parse(t, "content/change/2026/CHG-2026-001.yaml", `id: CHG-2026-001
kind: change
title: 升级
status: approved
emergency: true
emergency_justification: 漏洞
reviewers: [张三, 1, 李四]
window:
  start: "2026-12-01 20:00"
  end: "2026-12-01T22:00:00+00:00"
steps: []
`)
	c, vs := ChangeFrom(r, sh)
	if len(vs) != 0 {
		t.Fatalf("violations: %v", vs)
	}
	if c.ID != "CHG-2026-001" || c.Status != "approved" || !c.Emergency || c.Justification != "漏洞" || !c.HasProcedure {
		t.Errorf("change = %+v", c)
	}
	if !slices.Equal(c.Reviewers, []string{"张三", "李四"}) {
		t.Errorf("reviewers = %q", c.Reviewers)
	}
	if !c.Window.OK() || c.Window.StartText != "2026-12-01 20:00" {
		t.Fatalf("window = %+v", c.Window)
	}
	if got := c.Window.Start.Format(time.RFC3339); got != "2026-12-01T20:00:00+08:00" {
		t.Errorf("start = %s, want the repository's zone", got)
	}
	// A written offset is kept; In converts.
	if got := c.Window.End.Format(time.RFC3339); got != "2026-12-01T22:00:00Z" {
		t.Errorf("end = %s, want the written offset", got)
	}
	if got := c.Window.In(sh).End.Format(time.RFC3339); got != "2026-12-02T06:00:00+08:00" {
		t.Errorf("end in zone = %s", got)
	}
}

func TestChangeWindowUnreadable(t *testing.T) {
	r := parse(t, "content/change/2026/CHG-2026-002.yaml", "id: CHG-2026-002\nwindow:\n  start: tomorrow\n")
	c, vs := ChangeFrom(r, time.UTC)
	if c.Window.OK() || !c.Window.Start.IsZero() || c.Window.StartText != "tomorrow" {
		t.Errorf("window = %+v", c.Window)
	}
	if len(vs) != 1 || vs[0].Line != 3 || vs[0].Rule != "kind/field" {
		t.Errorf("violations = %v, want one at line 3", vs)
	}
	if c.HasProcedure {
		t.Error("HasProcedure without steps or rollback")
	}
}

func TestInspectionAndStats(t *testing.T) {
	in, _ := InspectionFrom(parse(t, "content/inspection/2026/INS-1.yaml", `id: INS-1
date: "2026-12-01"
summary: {total: 2}
items:
  - {asset: db, name: 表空间, status: ok}
  - {asset: web, status: failed, message: 超时}
`))
	if !in.HasItems || len(in.Items) != 2 || in.Items[1] != (InspectionItem{Asset: "web", Status: "failed", Message: "超时"}) || in.Summary == nil {
		t.Errorf("inspection = %+v", in)
	}
	st, _ := StatsFrom(parse(t, "content/stats/2026/STA-2026-M10.yaml", "id: STA-2026-M10\nperiod: {start: \"2026-10-01\", end: \"2026-10-31\"}\ntags: [a, 2]\nnotes: x\n"))
	if st.PeriodStart != "2026-10-01" || st.PeriodEnd != "2026-10-31" || st.HasTags || st.Tags != nil || !st.HasNotes || st.Notes != "x" {
		t.Errorf("stats = %+v", st)
	}
}

func TestAll(t *testing.T) {
	root := t.TempDir()
	write := func(rel, src string) {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("content/event/2026/EVT-2026-001.yaml", "id: EVT-2026-001\nfreeze: {start: \"2026-10-01 00:00\", end: \"2026-10-08 00:00\"}\n")
	write("content/event/2026/EVT-2026-002.yaml", "id: [\n")
	write("content/change/2026/CHG-2026-001.yaml", "id: CHG-2026-001\n")
	ix, err := layout.Scan(root)
	if err != nil {
		t.Fatal(err)
	}
	var ok, bad []string
	for it := range All(ix, "event", 0) {
		if it.Err != nil {
			bad = append(bad, it.Entry.Path)
			continue
		}
		e, _ := EventFrom(it.Record, time.UTC)
		if !e.Freeze.OK() {
			t.Errorf("%s: freeze not read: %+v", it.Entry.Path, e.Freeze)
		}
		ok = append(ok, e.ID)
	}
	if !slices.Equal(ok, []string{"EVT-2026-001"}) || !slices.Equal(bad, []string{"content/event/2026/EVT-2026-002.yaml"}) {
		t.Errorf("read %q, failed %q", ok, bad)
	}
	for it := range AllWithPositions(ix, "event", 0) {
		if it.Err == nil && it.Record.Index == nil {
			t.Error("AllWithPositions read no positions")
		}
		break // stopping early must not panic
	}
}

package inventory

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/opsbook/opsbook/internal/gitrepo"
	"github.com/opsbook/opsbook/internal/layout"
	"github.com/opsbook/opsbook/internal/testrepo"
	"github.com/opsbook/opsbook/internal/workspace"
)

var shanghai = time.FixedZone("CST", 8*3600)

func TestStale(t *testing.T) {
	now := time.Date(2027, 6, 1, 12, 0, 0, 0, shanghai)
	cases := []struct {
		d         Document
		stale     bool
		last, why string
	}{
		{Document{Date: "2026-02-26"}, true, "2026-02-26", "最近复核或修改于 2026-02-26，已 460 天（复核周期 365 天）"},
		{Document{Date: "2026-02-26", Reviewed: "2026-09-01"}, false, "2026-09-01", ""},
		{Document{Date: "2026-02-26", Changed: time.Date(2026, 11, 25, 8, 30, 0, 0, shanghai)}, false, "2026-11-25", ""},
		{Document{}, false, "", ""},
	}
	for _, c := range cases {
		d := c.d
		stale(&d, now, 365, shanghai)
		if d.Stale != c.stale || d.LastActivity != c.last || d.StaleReason != c.why {
			t.Errorf("%+v: stale %v, last %q, reason %q", c.d, d.Stale, d.LastActivity, d.StaleReason)
		}
	}
}

func TestLastChangeCountsAttachments(t *testing.T) {
	h := map[string]*gitrepo.Audit{
		"content/document/2026/DOC-2026-001.md":    {UpdatedAt: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), UpdatedBy: "周明"},
		"content/document/2026/DOC-2026-001/a.pdf": {UpdatedAt: time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC), UpdatedBy: "张伟"},
		"content/document/2026/DOC-2026-002/b.pdf": {UpdatedAt: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), UpdatedBy: "李娜"},
	}
	atts := []layout.Attachment{{Path: "content/document/2026/DOC-2026-001/a.pdf"}}
	at, by := lastChange(h, "content/document/2026/DOC-2026-001.md", atts)
	if by != "张伟" || at.Month() != 9 {
		t.Errorf("%v %s", at, by)
	}
	if at, by := lastChange(nil, "x", nil); !at.IsZero() || by != "" {
		t.Errorf("no history: %v %s", at, by)
	}
}

// The bundled sample: both projects, their attribute columns, every
// attachment found and matching its record. Its subject is the sample's
// inventory, so it reads the sample.
func TestBuildOnTheSample(t *testing.T) {
	rp, err := workspace.Open(testrepo.Sample(t))
	if err != nil {
		t.Fatal(err)
	}
	inv, err := Build(rp, Options{Now: time.Date(2026, 11, 27, 12, 0, 0, 0, shanghai)})
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Projects) != 2 || inv.Projects[1].ID != "prj-upgrade-2026" || !inv.Projects[1].Restricted {
		t.Fatalf("projects %+v", inv.Projects)
	}
	tot := inv.Totals()
	if tot.Documents != 8 || tot.Files != 13 || tot.FileProblems != 0 || tot.Stale != 0 {
		t.Errorf("totals %+v", tot)
	}
	if cols := inv.Projects[0].Attributes; len(cols) == 0 || cols[0].Title != "合同编号" {
		t.Errorf("columns %+v", cols)
	}
	var buf bytes.Buffer
	if err := inv.WriteCSV(&buf); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), "\ufeff"))).ReadAll()
	if err != nil || len(rows) != 1+13 {
		t.Fatalf("%d rows, %v", len(rows), err)
	}
	if _, err := Build(rp, Options{Project: "prj-nope"}); err == nil || !strings.Contains(err.Error(), "prj-upgrade-2026") {
		t.Errorf("unknown project: %v", err)
	}
}

func TestCells(t *testing.T) {
	for in, want := range map[string]string{"=SUM(A1)": "'=SUM(A1)", "+1": "'+1", "@x": "'@x", "正常": "正常", "": ""} {
		if got := safeCell(in); got != want {
			t.Errorf("%q: %q", in, got)
		}
	}
	if attrValue(true) != "是" || attrValue([]any{"甲", "乙"}) != "甲、乙" || attrValue(nil) != "" {
		t.Error("attrValue")
	}
	if md("a|b*c") != `a\|b\*c` {
		t.Error(md("a|b*c"))
	}
}

package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/opsbook/opsbook/internal/check/checktest"
	"github.com/opsbook/opsbook/internal/pdf"
	"github.com/opsbook/opsbook/internal/testrepo"
)

// reportFixture is internal/report's fixed repository with the real schemas.
func reportFixture(t *testing.T) string {
	t.Helper()
	return testrepo.FromDir(t, filepath.Join("..", "report", "testdata", "repo"))
}

func TestReportCommand(t *testing.T) {
	dir := reportFixture(t)
	out, errOut, code := run(t, dir, "report", "quarter", "--at", "2026-Q1", "--now", "2026-11-27 10:00", "--author", "李娜", "--repo", dir)
	if code != ExitOK || !strings.Contains(out, "已生成 content/report/2026/RPT-2026-Q1.md") || !strings.Contains(out, "通过率 90.5%") {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}
	out, _, code = run(t, dir, "report", "quarter", "--at", "2026-Q1", "--now", "2026-11-28 10:00", "--repo", dir)
	if code != ExitOK || !strings.Contains(out, "无变化") {
		t.Errorf("regeneration: exit %d, %s", code, out)
	}
	// Default period: the last complete one before --now.
	out, _, code = run(t, dir, "report", "month", "--now", "2026-03-02 08:00", "--repo", dir)
	if code != ExitOK || !strings.Contains(out, "RPT-2026-M02.md") {
		t.Errorf("default month: exit %d, %s", code, out)
	}
	v, _, code := run(t, dir, "validate", "--repo", dir)
	if code != ExitOK {
		t.Errorf("repository no longer validates: %s", v)
	}
}

func TestReportCommandErrors(t *testing.T) {
	dir := reportFixture(t)
	before := snapshot(t, dir)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"report"}, "请指定报告类型"},
		{[]string{"report", "fortnight"}, "未知周期类型"},
		{[]string{"report", "week", "--at", "2026-11"}, "2026-W48"},
		{[]string{"report", "month", "--at", "2026-13"}, "1—12"},
		{[]string{"report", "year", "--at", "2030", "--now", "2026-11-27 10:00"}, "还没有开始"},
		{[]string{"report", "week", "--now", "昨天"}, "--now"},
	}
	for _, c := range cases {
		_, errOut, code := run(t, dir, append(c.args, "--repo", dir)...)
		if code != ExitError || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 mentioning %q", c.args, code, errOut, c.want)
		}
	}
	if after := snapshot(t, dir); after != before {
		t.Errorf("a failed report wrote files:\n%s", after)
	}
}

// TestReportPDF prints the Spring Festival quarter through headless
// Chromium and reads the PDF back with poppler's pdfinfo and pdftotext.
func TestReportPDF(t *testing.T) {
	_, err := pdf.FindChromium()
	checktest.RequireService(t, "chromium", err)
	_, err = exec.LookPath("pdftotext")
	checktest.RequireService(t, "pdftotext (poppler-utils)", err)
	_, err = exec.LookPath("pdfinfo")
	checktest.RequireService(t, "pdfinfo (poppler-utils)", err)

	dir := reportFixture(t)
	outDir := t.TempDir()
	file := filepath.Join(outDir, "季报.pdf")
	out, errOut, code := run(t, outDir, "report", "quarter", "--at", "2026-Q1", "--now", "2026-11-27 10:00", "--repo", dir, "--pdf", "季报.pdf")
	if code != ExitOK {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	data, err := os.ReadFile(file)
	if err != nil || !strings.HasPrefix(string(data), "%PDF-") {
		t.Fatalf("no PDF at %s: %v", file, err)
	}
	info, err := exec.Command("pdfinfo", file).Output()
	if err != nil {
		t.Fatal(err)
	}
	pages := 0
	for _, l := range strings.Split(string(info), "\n") {
		if f := strings.Fields(l); len(f) == 2 && f[0] == "Pages:" {
			pages, _ = strconv.Atoi(f[1])
		}
	}
	if pages < 3 || pages > 12 {
		t.Errorf("PDF has %d pages, want 3–12 for a quarterly report", pages)
	}
	text, err := exec.Command("pdftotext", "-layout", file, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	flat := strings.Join(strings.Fields(string(text)), "")
	for _, want := range []string{"运维季报（2026年第一季度）", "巡检通过率", "90.5%", "附录：指标口径", "市公安局"} {
		if !strings.Contains(flat, want) {
			t.Errorf("PDF text lacks %q", want)
		}
	}
	if !strings.Contains(string(info), "A4") && !strings.Contains(string(info), "595") {
		t.Errorf("not A4: %s", info)
	}
}

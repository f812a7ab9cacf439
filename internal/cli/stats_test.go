package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/opsbook/opsbook/internal/testrepo"
)

func TestStatsImport(t *testing.T) {
	dir := testrepo.Fixed(t)
	in := t.TempDir()
	csv := "2026 年 12 月部门统计\n序号,部门名称,编目数,发布数,申请数,订阅数,审批数,更新数\n" +
		"1,南通市大数据管理局,3,0,10,7,4,71\n2,市公安局,12,10,\"1,234\",18,18,0\n合计,,15,10,1244,25,22,71\n"
	gbk, err := simplifiedchinese.GBK.NewEncoder().String(csv)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(in, "部门统计.csv"), []byte(gbk), 0o644)
	os.WriteFile(filepath.Join(in, "bad.csv"), []byte(strings.Replace(csv, "\"1,234\"", "一千", 1)), 0o644)

	// A relative FILE is taken from the working directory.
	out, stderr, code := run(t, in, "stats", "import", "部门统计.csv", "--period", "2026-12", "--repo", dir)
	if code != ExitOK {
		t.Fatalf("exit %d\n%s%s", code, out, stderr)
	}
	for _, want := range []string{"已写入 content/stats/2026/STA-2026-M12.yaml（2026 年 12 月各部门资源共享统计）",
		"第 2 行为表头，跳过第 5 行（合计行）", "部门：2 个（市大数据局、市公安局）", "合计：编目数 15，发布数 10，申请数 1244", "本期无更新的部门：市公安局"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if out, _, code := run(t, dir, "validate", "--repo", dir, "content/stats/2026/STA-2026-M12.yaml"); code != ExitOK {
		t.Errorf("written record does not validate:\n%s", out)
	}

	// Bad input and an existing record: exit 2, nothing written.
	before := snapshot(t, dir)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"bad.csv", "--period", "2026-10"}, "bad.csv 第 4 行 E 列（E4）：申请数 \"一千\" 不是数字"},
		{[]string{"部门统计.csv", "--period", "2026-11"}, "content/stats/2026/STA-2026-M11.yaml 已存在"},
		{[]string{"部门统计.csv", "--period", "2026-13"}, "2026-W48"},
		{[]string{"部门统计.csv"}, "缺少 --period"},
		{[]string{"部门统计.csv", "--period", "2026-Q1", "--sheet", "Sheet1"}, "--sheet"},
		{[]string{"missing.csv", "--period", "2026-Q1"}, "missing.csv：文件不存在"},
	} {
		_, stderr, code := run(t, in, append([]string{"stats", "import", "--repo", dir}, tc.args...)...)
		if code != ExitError || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, want 2 and %q in\n%s", tc.args, code, tc.want, stderr)
		}
	}
	if after := snapshot(t, dir); after != before {
		t.Error("a failed import wrote files")
	}
	if _, _, code := run(t, in, "stats", "export"); code != ExitError {
		t.Errorf("unknown subcommand: exit %d", code)
	}
}

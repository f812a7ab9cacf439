package statsimport

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"

	"github.com/opsbook/opsbook/internal/record"
	"github.com/opsbook/opsbook/internal/testrepo"
	"github.com/opsbook/opsbook/internal/validate"
	"github.com/opsbook/opsbook/internal/workspace"
)

var deps = []Department{
	{ID: "dept-dsjj", Title: "南通市大数据管理局", ShortName: "市大数据局"},
	{ID: "dept-gaj", Title: "南通市公安局", ShortName: "市公安局"},
	{ID: "dept-rsj", Title: "南通市人力资源和社会保障局", ShortName: "市人社局"},
	{ID: "dept-wjw", Title: "南通市卫生健康委员会", ShortName: "市卫健委"},
}

// goodCSV has a title row, a blank row, a header with units, numbers with
// thousands separators and spaces, names by title, short name, id and in
// full-width letters, and a total row.
const goodCSV = "南通市政务数据共享交换平台部门统计（2026 年 11 月）,,,,,,,\n" +
	"\n" +
	"序号,部门名称,编目数（个）,发布数,申请数,订阅数,审批数,更新数\n" +
	"1,南通市大数据管理局,3,0,10,7,4,71\n" +
	"2, 市公安局 ,12,10,\"1,234\",18 ,18,160\n" +
	"3,ｄｅｐｔ－ｒｓｊ,16,13,33,24,22,97\n" +
	"4,市卫健委,13,11,8,7,5,0\n" +
	"合计,,44,34,1285,56,49,328\n"

var goodRows = []Row{
	{Department: "dept-dsjj", Catalogued: 3, Published: 0, Applied: 10, Subscribed: 7, Approved: 4, Updated: 71, SourceRow: 4},
	{Department: "dept-gaj", Catalogued: 12, Published: 10, Applied: 1234, Subscribed: 18, Approved: 18, Updated: 160, SourceRow: 5},
	{Department: "dept-rsj", Catalogued: 16, Published: 13, Applied: 33, Subscribed: 24, Approved: 22, Updated: 97, SourceRow: 6},
	{Department: "dept-wjw", Catalogued: 13, Published: 11, Applied: 8, Subscribed: 7, Approved: 5, Updated: 0, SourceRow: 7},
}

func gbk(t *testing.T, s string) []byte {
	t.Helper()
	b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestReadCSVEncodings(t *testing.T) {
	utf16, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().Bytes([]byte(strings.ReplaceAll(goodCSV, "\"1,234\"", "1234")))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, enc string
		data      []byte
	}{
		{"utf8.csv", "UTF-8", []byte(goodCSV)},
		{"bom.csv", "UTF-8 BOM", append([]byte("\xef\xbb\xbf"), goodCSV...)},
		{"gbk.csv", "GBK/GB18030", gbk(t, goodCSV)},
		{"crlf.csv", "UTF-8", []byte(strings.ReplaceAll(goodCSV, "\n", "\r\n"))},
		{"tabs.txt", "UTF-8", []byte(strings.NewReplacer(",", "\t", "\"1\t234\"", "1,234").Replace(goodCSV))},
		{"unicode.txt", "UTF-16", utf16},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tab, err := Read(tc.name, tc.data, Options{Departments: deps})
			if err != nil {
				t.Fatal(err)
			}
			if tab.Format != "csv" || tab.Encoding != tc.enc || tab.HeaderRow != 3 {
				t.Errorf("format %s encoding %s header row %d", tab.Format, tab.Encoding, tab.HeaderRow)
			}
			if !reflect.DeepEqual(tab.Rows, goodRows) {
				t.Errorf("rows\n got %+v\nwant %+v", tab.Rows, goodRows)
			}
			if !reflect.DeepEqual(tab.Skipped, []Skipped{{Row: 8, Reason: "合计行"}}) {
				t.Errorf("skipped %+v", tab.Skipped)
			}
			if tab.Columns["department"] != 2 || tab.Headers["catalogued"] != "编目数（个）" {
				t.Errorf("columns %v headers %v", tab.Columns, tab.Headers)
			}
			if sum := tab.Totals(); sum.Applied != 1285 || sum.Updated != 328 {
				t.Errorf("totals %+v", sum)
			}
		})
	}
}

// makeXLSX writes a workbook like the platform's export: a merged title, a
// header merged over two rows, numbers as numeric cells, a total row.
func makeXLSX(t *testing.T, edit func(f *excelize.File, sheet string)) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sheet := "部门统计"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		t.Fatal(err)
	}
	set := func(cell string, v any) {
		if err := f.SetCellValue(sheet, cell, v); err != nil {
			t.Fatal(err)
		}
	}
	set("A1", "2026 年 11 月各部门资源共享统计")
	f.MergeCell(sheet, "A1", "G1")
	set("A2", "部门")
	f.MergeCell(sheet, "A2", "A3") // the department header spans two header rows
	set("B2", "资源目录")
	f.MergeCell(sheet, "B2", "C2")
	set("D2", "共享")
	f.MergeCell(sheet, "D2", "G2")
	for i, h := range []string{"编目数", "发布数", "申请数", "订阅数", "审批数", "更新数"} {
		set(string(rune('B'+i))+"3", h)
	}
	data := [][]any{
		{"市大数据局", 3, 0, 10, 7, 4, 71},
		{"南通市公安局", 12, 10, "1,234", 18.0, 18, 160},
		nil, // a blank row between departments
		{"dept-rsj", 16, 13, 33, 24, 22, 97},
		{"合计", 31, 23, 1277, 49, 44, 328},
	}
	for i, row := range data {
		for j, v := range row {
			set(string(rune('A'+j))+strconv.Itoa(4+i), v)
		}
	}
	style, _ := f.NewStyle(&excelize.Style{NumFmt: 3}) // #,##0
	f.SetCellStyle(sheet, "B4", "G8", style)
	set("A10", "注：数据截至 2026 年 11 月 30 日")
	f.MergeCell(sheet, "A10", "G10")
	f.NewSheet("说明")
	f.SetCellValue("说明", "A1", "本表由平台导出")
	if edit != nil {
		edit(f, sheet)
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestReadXLSX(t *testing.T) {
	tab, err := Read("stats.xlsx", makeXLSX(t, nil), Options{Departments: deps})
	if err != nil {
		t.Fatal(err)
	}
	want := []Row{
		{Department: "dept-dsjj", Catalogued: 3, Published: 0, Applied: 10, Subscribed: 7, Approved: 4, Updated: 71, SourceRow: 4},
		{Department: "dept-gaj", Catalogued: 12, Published: 10, Applied: 1234, Subscribed: 18, Approved: 18, Updated: 160, SourceRow: 5},
		{Department: "dept-rsj", Catalogued: 16, Published: 13, Applied: 33, Subscribed: 24, Approved: 22, Updated: 97, SourceRow: 7},
	}
	if !reflect.DeepEqual(tab.Rows, want) {
		t.Errorf("rows\n got %+v\nwant %+v", tab.Rows, want)
	}
	if tab.Format != "xlsx" || tab.Sheet != "部门统计" || tab.HeaderRow != 3 || tab.Columns["department"] != 1 {
		t.Errorf("format %s sheet %s header %d columns %v", tab.Format, tab.Sheet, tab.HeaderRow, tab.Columns)
	}
	if !reflect.DeepEqual(tab.Skipped, []Skipped{{Row: 8, Reason: "合计行"}, {Row: 10, Reason: "说明行"}}) {
		t.Errorf("skipped %+v", tab.Skipped)
	}

	// --sheet picks another sheet; a workbook whose statistics are on the
	// second sheet reads with it.
	data := makeXLSX(t, func(f *excelize.File, sheet string) {
		f.SetSheetName(sheet, "统计")
		f.NewSheet("封面")
		f.MoveSheet("封面", "统计")
	})
	if _, err := Read("stats.xlsx", data, Options{Departments: deps}); err == nil || !strings.Contains(err.Error(), `工作表“封面”`) {
		t.Errorf("first sheet is a cover: got %v", err)
	}
	if tab, err := Read("stats.xlsx", data, Options{Departments: deps, Sheet: "统计"}); err != nil || len(tab.Rows) != 3 {
		t.Errorf("--sheet 统计: %v", err)
	}
}

func TestCustomMapping(t *testing.T) {
	csv := "单位,资源编目数,资源发布数,共享申请数,资源订阅数,申请审批数,资源更新数,发布率\n市公安局,1,2,3,4,5,6,50%\n"
	// The defaults can't tell 发布数 from 发布率 and take 申请审批数 for 申请.
	if _, err := Read("x.csv", []byte(csv), Options{Departments: deps}); err == nil {
		t.Fatal("defaults read an ambiguous header")
	}
	cols := map[string][]string{"catalogued": {"资源编目数"}, "published": {"资源发布数"}, "applied": {"共享申请数"},
		"subscribed": {"资源订阅*"}, "approved": {"申请审批数"}, "updated": {"资源 更新数"}}
	tab, err := Read("x.csv", []byte(csv), Options{Departments: deps, Columns: cols})
	if err != nil {
		t.Fatal(err)
	}
	want := Row{Department: "dept-gaj", Catalogued: 1, Published: 2, Applied: 3, Subscribed: 4, Approved: 5, Updated: 6, SourceRow: 2}
	if len(tab.Rows) != 1 || tab.Rows[0] != want {
		t.Errorf("rows %+v", tab.Rows)
	}
	if _, err := Read("x.csv", []byte(csv), Options{Columns: map[string][]string{"deleted": {"x"}}}); err == nil {
		t.Error("unknown field accepted")
	}
}

// TestMalformed: every problem names the file, the row and column, and the fix.
func TestMalformed(t *testing.T) {
	header := "部门,编目数,发布数,申请数,订阅数,审批数,更新数\n"
	withCell := func(cell string, v any) []byte {
		return makeXLSX(t, func(f *excelize.File, sheet string) { f.SetCellValue(sheet, cell, v) })
	}
	cases := []struct {
		name     string
		file     string
		data     []byte
		sheet    string
		row, col int
		want     []string
	}{
		{"bad number", "a.csv", []byte(header + "市公安局,1,2,3,4,5,6\n市人社局,1,2,abc,4,5,6\n"), "", 3, 4,
			[]string{"a.csv 第 3 行 D 列（D3）", "申请数", `申请数 "abc" 不是数字`, "请改为 0 或正整数"}},
		{"negative", "a.csv", []byte(header + "市公安局,1,-2,3,4,5,6\n"), "", 2, 3, []string{"C2", "负数"}},
		{"fraction", "a.csv", []byte(header + "市公安局,1,2,3,4.5,5,6\n"), "", 2, 5, []string{"E2", "不是整数"}},
		{"empty count", "a.csv", []byte(header + "市公安局,1,2,3,4,,6\n"), "", 2, 6, []string{"F2", "为空"}},
		{"bad thousands", "a.csv", []byte(header + "市公安局,1,2,3,4,5,\"12,34\"\n"), "", 2, 7, []string{"G2", "千位分隔符"}},
		{"unknown department", "a.csv", []byte(header + "市公安局,1,2,3,4,5,6\n南通市公安厅,1,2,3,4,5,6\n"), "", 3, 1,
			[]string{"A3", "未知部门“南通市公安厅”", "是不是 dept-gaj（南通市公安局，简称 市公安局）", "opsbook new department"}},
		{"duplicate department", "a.csv", []byte(header + "市公安局,1,2,3,4,5,6\n市人社局,1,2,3,4,5,6\n南通市公安局,1,2,3,4,5,6\n"), "", 4, 1,
			[]string{"A4", "与第 2 行重复", "dept-gaj"}},
		{"department missing", "a.csv", []byte(header + ",1,2,3,4,5,6\n"), "", 2, 1, []string{"A2", "没有部门"}},
		{"missing column", "a.csv", []byte("标题\n部门,编目数,发布数,申请数,订阅数,更新数\n市公安局,1,2,3,4,5\n"), "", 2, 0,
			[]string{"a.csv 第 2 行：", "缺少“审批数”列", "stats_import"}},
		{"no header", "a.csv", []byte("a,b,c\n1,2,3\n"), "", 0, 0, []string{"找不到表头行"}},
		{"ambiguous header", "a.csv", []byte("部门,编目数,发布数,发布数量,申请数,订阅数,审批数,更新数\n"), "", 1, 4,
			[]string{"D1", "多列都像“发布数”", "stats_import"}},
		{"no rows", "a.csv", []byte(header + "合计,0,0,0,0,0,0\n"), "", 1, 0, []string{"没有任何部门的统计行"}},
		{"empty file", "a.csv", nil, "", 0, 0, []string{"a.csv：文件为空"}},
		{"blank file", "a.csv", []byte("\n\n"), "", 0, 0, []string{"没有"}},
		{"bad quote", "a.csv", []byte(header + "市公安局,1,2,3,4,5,6\n市人社局,1,\"2\"x,3,4,5,6\n"), "", 3, 3, []string{"第 3 行 C 列", "CSV 格式错误", "双引号"}},
		{"rows after multi-line cell", "a.csv", []byte("\"部门\n（全称）\",编目数,发布数,申请数,订阅数,审批数,更新数\n\n市公安局,1,2,3,4,5,x\n"), "", 3, 7, []string{"G3"}},
		{"not gbk", "a.csv", append(gbk(t, header), 0x81, 0x20, '\n'), "", 2, 0, []string{"GBK", "CSV UTF-8"}},
		{"binary", "a.csv", []byte("\x00\x01\x02"), "", 0, 0, []string{"不是文本文件"}},
		{"not xlsx", "a.xlsx", []byte(header), "", 0, 0, []string{"a.xlsx：", "不是 XLSX"}},
		{"broken zip", "a.xlsx", []byte("PK\x03\x04garbage"), "", 0, 0, []string{"不是有效的 XLSX"}},
		{"xls", "a.xls", []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest"), "", 0, 0, []string{".xls", "另存为 .xlsx"}},
		{"xlsx bad number", "b.xlsx", withCell("E5", "十二"), "", 5, 5, []string{"b.xlsx 工作表“部门统计”第 5 行 E 列（E5）", "订阅数", `"十二" 不是数字`}},
		{"xlsx unknown department", "b.xlsx", withCell("A7", "市人社厅"), "", 7, 1, []string{"A7", "dept-rsj"}},
		{"xlsx no sheet", "b.xlsx", makeXLSX(t, nil), "统计表", 0, 0, []string{"没有名为“统计表”的工作表", "部门统计、说明"}},
		{"sheet on csv", "a.csv", []byte(header), "x", 0, 0, []string{"--sheet"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Read(tc.file, tc.data, Options{Departments: deps, Sheet: tc.sheet})
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("got %v, want *Error", err)
			}
			if e.Row != tc.row || e.Col != tc.col || e.File != tc.file {
				t.Errorf("at %s row %d col %d, want row %d col %d: %v", e.File, e.Row, e.Col, tc.row, tc.col, e)
			}
			for _, w := range tc.want {
				if !strings.Contains(e.Error(), w) {
					t.Errorf("%q lacks %q", e.Error(), w)
				}
			}
			if e.Fix == "" {
				t.Errorf("no fix: %v", e)
			}
			t.Log(e)
		})
	}
}

func TestParseCount(t *testing.T) {
	for in, want := range map[string]int{"0": 0, "12": 12, " 12 ": 12, "1,234": 1234, "１２": 12, "12.0": 12, "1.2E3": 1200, "1,234,567": 1234567, "7\u00a0": 7} {
		if got, problem := parseCount(in); got != want || problem != "" {
			t.Errorf("parseCount(%q) = %d %q, want %d", in, got, problem, want)
		}
	}
	for _, in := range []string{"", "-", "-1", "1.5", "1,23", "abc", "1e400", "NaN"} {
		if _, problem := parseCount(in); problem == "" {
			t.Errorf("parseCount(%q) accepted", in)
		}
	}
}

func TestColumnName(t *testing.T) {
	for n, want := range map[int]string{1: "A", 4: "D", 26: "Z", 27: "AA", 52: "AZ", 703: "AAA"} {
		if got := ColumnName(n); got != want {
			t.Errorf("ColumnName(%d) = %s, want %s", n, got, want)
		}
	}
}

func TestParsePeriod(t *testing.T) {
	// The dates are internal/period's; here the forms --period accepts, and the ids, titles and tags.
	for _, tc := range []struct {
		in, id, title, tag string
	}{
		{"2026-11", "STA-2026-M11", "2026 年 11 月各部门资源共享统计", "月度统计"},
		{"2026-M02", "STA-2026-M02", "2026 年 2 月各部门资源共享统计", "月度统计"},
		{"2028-2", "STA-2028-M02", "2028 年 2 月各部门资源共享统计", "月度统计"},
		{"2026-W48", "STA-2026-W48", "2026 年第 48 周各部门资源共享统计", "周统计"},
		{"2026-w01", "STA-2026-W01", "2026 年第 1 周各部门资源共享统计", "周统计"},
		{"2026-Q4", "STA-2026-Q4", "2026 年第四季度各部门资源共享统计", "季度统计"},
		{"2026-Q1", "STA-2026-Q1", "2026 年第一季度各部门资源共享统计", "季度统计"},
		{"2026-H1", "STA-2026-H1", "2026 年上半年各部门资源共享统计", "半年统计"},
		{"2026-H2", "STA-2026-H2", "2026 年下半年各部门资源共享统计", "半年统计"},
		{"２０２６", "STA-2026-Y", "2026 年度各部门资源共享统计", "年度统计"},
		{" ２０２６－Ｍ１１ ", "STA-2026-M11", "2026 年 11 月各部门资源共享统计", "月度统计"},
	} {
		p, err := ParsePeriod(tc.in)
		if err != nil {
			t.Errorf("%s: %v", tc.in, err)
			continue
		}
		if RecordID(p) != tc.id || Title(p) != tc.title || tag(p) != tc.tag {
			t.Errorf("%s: %s %s %s", tc.in, RecordID(p), Title(p), tag(p))
		}
	}
	for _, in := range []string{"", "2026-13", "2026-0", "2027-W53", "2026-W00", "2026-Q5", "2026-H3", "26-11", "2026/11", "2026-11-01"} {
		if _, err := ParsePeriod(in); err == nil || !strings.Contains(err.Error(), "2026-W48") {
			t.Errorf("ParsePeriod(%q) = %v", in, err)
		}
	}
}

// testRepo copies testdata/repo (the sample's departments, frozen), the
// schemas and a config into a temporary repository.
func testRepo(t *testing.T, config string) string {
	t.Helper()
	dir := testrepo.FromDir(t, filepath.Join("testdata", "repo"))
	if err := os.WriteFile(filepath.Join(dir, "opsbook.yaml"), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// tree lists the files under dir with their contents.
func tree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			data, _ := os.ReadFile(p)
			out[p] = string(data)
		}
		if err == nil && d.IsDir() {
			out[p+"/"] = ""
		}
		return nil
	})
	return out
}

func write(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestImportWritesValidRecord(t *testing.T) {
	dir := testRepo(t, "platform: 南通市政务数据共享交换平台\n")
	in := t.TempDir()
	file := write(t, in, "部门统计.xlsx", makeXLSX(t, nil))
	rp, err := workspace.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := ParsePeriod("2026-11")
	ctx := context.Background()
	res, err := Import(ctx, rp, Request{File: file, Name: "部门统计.xlsx", Period: p})
	if err != nil {
		t.Fatal(err)
	}
	if res.Path != "content/stats/2026/STA-2026-M11.yaml" || res.Replaced || len(res.Violations) > 0 || len(res.Table.Rows) != 3 {
		t.Fatalf("result %+v", res)
	}
	written, err := os.ReadFile(filepath.Join(dir, res.Path))
	if err != nil || string(written) != string(res.Content) {
		t.Fatalf("written %v:\n%s", err, written)
	}
	for _, want := range []string{"id: STA-2026-M11\n", "title: 2026 年 11 月各部门资源共享统计\n", "period_type: month\n",
		"period: {start: 2026-11-01, end: 2026-11-30}\n", "source: 南通市政务数据共享交换平台部门统计导出文件 部门统计.xlsx（工作表“部门统计”），由 opsbook stats import 导入\n",
		"  - department: dept-gaj\n    catalogued: 12\n    published: 10\n    applied: 1234\n", "tags: [考核, 月度统计]\n"} {
		if !strings.Contains(string(written), want) {
			t.Errorf("record lacks %q:\n%s", want, written)
		}
	}
	r, err := record.Parse(res.Path, written)
	if err != nil || r.Fields["period"].(map[string]any)["start"] != "2026-11-01" {
		t.Fatalf("record does not load as expected: %v %v", err, r)
	}
	// The whole repository, with the new record, validates.
	all, err := validate.Run(ctx, validate.Options{Root: dir})
	if err != nil || len(all.Violations) > 0 || all.Summary.Records < 19 {
		t.Fatalf("validate: %v %+v", err, all)
	}

	// Again without --force: refused, nothing changes.
	before := tree(t, dir)
	rp, _ = workspace.Open(dir)
	if _, err := Import(ctx, rp, Request{File: file, Period: p}); !errors.As(err, new(*ExistsError)) || !strings.Contains(err.Error(), "--force") {
		t.Errorf("second import: %v", err)
	}
	if !reflect.DeepEqual(tree(t, dir), before) {
		t.Error("a refused import changed the repository")
	}

	// With --force: replaced, keeping the notes someone wrote.
	edited := strings.Replace(string(written), "tags: [考核, 月度统计]", "tags: [考核]\nnotes: 国庆假期\n  7 天。", 1)
	os.WriteFile(filepath.Join(dir, res.Path), []byte(edited), 0o644)
	csvFile := write(t, in, "stats.csv", gbk(t, goodCSV))
	res, err = Import(ctx, rp, Request{File: csvFile, Period: p, Force: true, Source: "目录系统“统计分析—部门统计”导出"})
	if err != nil || !res.Replaced || len(res.Violations) > 0 || len(res.Table.Rows) != 4 {
		t.Fatalf("force: %v %+v", err, res)
	}
	written, _ = os.ReadFile(filepath.Join(dir, res.Path))
	for _, want := range []string{"tags: [考核]\n", "notes: 国庆假期 7 天。\n", "source: 目录系统“统计分析—部门统计”导出\n", "department: dept-wjw"} {
		if !strings.Contains(string(written), want) {
			t.Errorf("replaced record lacks %q:\n%s", want, written)
		}
	}

	// A week, a quarter, a half and a year land in their year directories, and --id places by its year.
	for _, per := range []string{"2026-W01", "2026-Q4", "2026-H2", "2026"} {
		p, _ := ParsePeriod(per)
		rp, _ := workspace.Open(dir)
		res, err := Import(ctx, rp, Request{File: csvFile, Period: p})
		if err != nil || len(res.Violations) > 0 || res.Path != "content/stats/2026/"+RecordID(p)+".yaml" {
			t.Errorf("%s: %v %+v", per, err, res)
		}
	}
	rp, _ = workspace.Open(dir)
	if res, err := Import(ctx, rp, Request{File: csvFile, Period: p, ID: "STA-2027-001"}); err != nil || res.Path != "content/stats/2027/STA-2027-001.yaml" {
		t.Errorf("--id: %v %+v", err, res)
	}
	if _, err := Import(ctx, rp, Request{File: csvFile, Period: p, ID: "stats-1"}); err == nil || !strings.Contains(err.Error(), "STA-年份-后缀") {
		t.Errorf("bad --id: %v", err)
	}
	if all, err := validate.Run(ctx, validate.Options{Root: dir}); err != nil || len(all.Violations) > 0 {
		t.Fatalf("validate: %v %+v", err, all)
	}
}

// TestImportWritesNothingOnError: malformed inputs leave the repository as it was.
func TestImportWritesNothingOnError(t *testing.T) {
	dir := testRepo(t, "platform: 测试平台\n")
	in := t.TempDir()
	before := tree(t, dir)
	header := "部门,编目数,发布数,申请数,订阅数,审批数,更新数\n"
	p, _ := ParsePeriod("2026-11")
	for name, data := range map[string][]byte{
		"bad.csv":     []byte(header + "市公安局,1,2,3,4,5,6\n市人社局,1,2,三,4,5,6\n"),
		"unknown.csv": []byte(header + "市公安局,1,2,3,4,5,6\n市公安厅,1,2,3,4,5,6\n"),
		"dup.csv":     []byte(header + "市公安局,1,2,3,4,5,6\ndept-gaj,1,2,3,4,5,6\n"),
		"empty.csv":   nil,
		"bad.xlsx":    []byte(header),
		"cell.xlsx":   makeXLSX(t, func(f *excelize.File, s string) { f.SetCellValue(s, "C4", -3) }),
	} {
		rp, err := workspace.Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		_, err = Import(context.Background(), rp, Request{File: write(t, in, name, data), Name: name, Period: p})
		var e *Error
		if !errors.As(err, &e) || e.File != name {
			t.Errorf("%s: got %v", name, err)
		}
		if !reflect.DeepEqual(tree(t, dir), before) {
			t.Fatalf("%s: the repository changed", name)
		}
	}
	// A department that exists as a file but is not a department record
	// resolves, yet the record would not validate: refused before writing.
	os.MkdirAll(filepath.Join(dir, "content", "department", "2026"), 0o755)
	os.WriteFile(filepath.Join(dir, "content", "department", "2026", "Dept-X.yaml"), []byte("id: Dept-X\nkind: department\ntitle: 测试局\nshort_name: 测试局\nstatus: active\n"), 0o644)
	before = tree(t, dir)
	rp, _ := workspace.Open(dir)
	_, err := Import(context.Background(), rp, Request{File: write(t, in, "x.csv", []byte(header+"测试局,1,2,3,4,5,6\n")), Period: p})
	if !errors.As(err, new(*InvalidError)) || !strings.Contains(err.Error(), "未写入") {
		t.Errorf("invalid record: %v", err)
	}
	if !reflect.DeepEqual(tree(t, dir), before) {
		t.Fatal("an invalid record was written")
	}
}

func TestConfigMapping(t *testing.T) {
	dir := testRepo(t, "platform: 测试平台\nstats_import:\n  columns:\n    department: [单位全称]\n    catalogued: [资源编目数]\n")
	rp, err := workspace.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := rp.Config.StatsImport.Columns; !reflect.DeepEqual(got, map[string][]string{"department": {"单位全称"}, "catalogued": {"资源编目数"}}) {
		t.Fatalf("config columns %v", got)
	}
	file := write(t, t.TempDir(), "s.csv", []byte("单位全称,资源编目数,发布数,申请数,订阅数,审批数,更新数\n南通市公安局,1,2,3,4,5,6\n"))
	p, _ := ParsePeriod("2026-Q4")
	res, err := Import(context.Background(), rp, Request{File: file, Period: p})
	if err != nil || len(res.Violations) > 0 || res.Table.Rows[0].Catalogued != 1 {
		t.Fatalf("%v %+v", err, res)
	}
	// A config with a misspelt field is rejected by the schema.
	bad := testRepo(t, "stats_import:\n  columns:\n    catalog: [编目]\n")
	if _, err := workspace.Open(bad); err == nil || !strings.Contains(err.Error(), "opsbook.yaml") {
		t.Errorf("bad config: %v", err)
	}
}

func TestNotesAndTotalRows(t *testing.T) {
	csv := "部门,编目数,发布数,申请数,订阅数,审批数,更新数,备注\n" +
		"市公安局,1,2,3,4,5,6,计入全市合计\n" +
		"全市合计,1,2,3,4,5,6,\n" +
		"\n" +
		"制表人：张三,,,,,,,\n"
	tab, err := Read("n.csv", []byte(csv), Options{Departments: deps})
	if err != nil {
		t.Fatal(err)
	}
	if len(tab.Rows) != 1 || tab.Rows[0].Department != "dept-gaj" {
		t.Errorf("rows %+v", tab.Rows)
	}
	if want := []Skipped{{3, "合计行"}, {5, "说明行"}}; !reflect.DeepEqual(tab.Skipped, want) {
		t.Errorf("skipped %+v, want %+v", tab.Skipped, want)
	}
}

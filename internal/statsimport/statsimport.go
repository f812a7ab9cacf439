// Package statsimport turns one per-department statistics export of the
// platform (CSV in UTF-8, UTF-8 with BOM, UTF-16 with BOM or GBK/GB18030, or
// an XLSX workbook) into the rows of a stats record: it finds the header row
// below any title rows, maps Chinese column headers to the record's fields
// (defaults plus the stats_import block of opsbook.yaml), resolves each
// department cell to a department record by id, full name or short name,
// parses the counts, and builds, validates and atomically writes the record
// content/stats/<year>/STA-<year>-<suffix>.yaml for a period.
//
// Every problem in the input is an *Error naming the file, the sheet, the
// spreadsheet row and column (第 5 行 D 列, D5) and the fix; nothing is
// written when there is one.
package statsimport

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Fields are the columns of a stats row, in record order.
var Fields = []string{"department", "catalogued", "published", "applied", "subscribed", "approved", "updated"}

// CountFields are the numeric fields of a stats row, in record order.
var CountFields = Fields[1:]

// FieldLabels are the Chinese names of the fields, as schemas/stats.yaml titles them.
var FieldLabels = map[string]string{
	"department": "部门",
	"catalogued": "编目数",
	"published":  "发布数",
	"applied":    "申请数",
	"subscribed": "订阅数",
	"approved":   "审批数",
	"updated":    "更新数",
}

// Mapping lists, per field, the column headers that name it. A header
// pattern matches a header cell when equal after normalisation (NFKC, no
// white space, a trailing bracketed unit such as （个） ignored); a pattern
// ending in * matches headers starting with the rest, *X headers ending in
// X, and *X* headers containing X. Exact matches win over wildcard ones.
type Mapping map[string][]string

// DefaultMapping is the mapping used for fields opsbook.yaml does not configure.
func DefaultMapping() Mapping {
	return Mapping{
		"department": {"部门", "部门名称", "单位", "单位名称", "使用部门", "使用单位", "委办局"},
		"catalogued": {"编目", "编目数", "编目数量", "编目*"},
		"published":  {"发布", "发布数", "发布数量", "发布*"},
		"applied":    {"申请", "申请数", "申请数量", "申请*"},
		"subscribed": {"订阅", "订阅数", "订阅数量", "订阅*"},
		"approved":   {"审批", "审批数", "审批数量", "审批*"},
		"updated":    {"更新", "更新数", "更新数量", "更新*"},
	}
}

// MaxFileSize caps the size of an input file.
const MaxFileSize = 64 << 20

// Department is what an import needs to know of a department record.
type Department struct {
	ID, Title, ShortName string
}

// Options control how a file is read.
type Options struct {
	// Sheet is the XLSX worksheet to read; "" reads the first one.
	Sheet string
	// Columns replaces the default header patterns of the fields it names
	// (opsbook.yaml stats_import.columns); other fields keep DefaultMapping.
	Columns map[string][]string
	// Departments are the known departments cells are resolved against.
	Departments []Department
}

// Row is one department's counts.
type Row struct {
	Department string // department id
	Catalogued int
	Published  int
	Applied    int
	Subscribed int
	Approved   int
	Updated    int
	// SourceRow is the spreadsheet row (1-based) the counts came from.
	SourceRow int
}

// Count returns the count of a field in CountFields.
func (r Row) Count(field string) int {
	switch field {
	case "catalogued":
		return r.Catalogued
	case "published":
		return r.Published
	case "applied":
		return r.Applied
	case "subscribed":
		return r.Subscribed
	case "approved":
		return r.Approved
	case "updated":
		return r.Updated
	}
	return 0
}

func (r *Row) set(field string, n int) {
	switch field {
	case "catalogued":
		r.Catalogued = n
	case "published":
		r.Published = n
	case "applied":
		r.Applied = n
	case "subscribed":
		r.Subscribed = n
	case "approved":
		r.Approved = n
	case "updated":
		r.Updated = n
	}
}

// Skipped is a row left out of the import on purpose.
type Skipped struct {
	Row    int
	Reason string // 合计行, 说明行
}

// Table is what was read from a file.
type Table struct {
	File      string
	Format    string // "csv" or "xlsx"
	Encoding  string // CSV only: UTF-8, UTF-8 BOM, UTF-16, GBK/GB18030
	Sheet     string // XLSX only
	HeaderRow int
	// Columns are the 1-based columns of each field.
	Columns map[string]int
	// Headers are the header cells of each field, as written.
	Headers map[string]string
	Rows    []Row
	Skipped []Skipped
}

// Totals sums the counts of all rows.
func (t *Table) Totals() Row {
	var sum Row
	for _, r := range t.Rows {
		for _, f := range CountFields {
			sum.set(f, sum.Count(f)+r.Count(f))
		}
	}
	return sum
}

// Error is a problem with the input file, at a cell, a row, or the whole file.
type Error struct {
	File  string // the file as named on the command line
	Sheet string // XLSX worksheet, "" for CSV
	Row   int    // 1-based spreadsheet row, 0 when the whole file is meant
	Col   int    // 1-based column, 0 when the whole row is meant
	// Problem says what is wrong and Fix what to do about it.
	Problem, Fix string
}

// Cell returns the cell reference ("D5"), or "" when no cell is meant.
func (e *Error) Cell() string {
	if e.Row == 0 || e.Col == 0 {
		return ""
	}
	return ColumnName(e.Col) + fmt.Sprint(e.Row)
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Sheet != "" {
		fmt.Fprintf(&b, " 工作表“%s”", e.Sheet)
	} else if e.Row > 0 {
		b.WriteString(" ")
	}
	switch {
	case e.Row > 0 && e.Col > 0:
		fmt.Fprintf(&b, "第 %d 行 %s 列（%s）", e.Row, ColumnName(e.Col), e.Cell())
	case e.Row > 0:
		fmt.Fprintf(&b, "第 %d 行", e.Row)
	}
	b.WriteString("：")
	b.WriteString(e.Problem)
	if e.Fix != "" {
		b.WriteString("；")
		b.WriteString(e.Fix)
	}
	return b.String()
}

// ColumnName returns the spreadsheet name of a 1-based column: 1 → A, 27 → AA.
func ColumnName(col int) string {
	var s []byte
	for col > 0 {
		col--
		s = append([]byte{byte('A' + col%26)}, s...)
		col /= 26
	}
	return string(s)
}

// ReadFile reads and maps the statistics in file.
func ReadFile(file string, opts Options) (*Table, error) { return readFile(file, file, opts) }

// readFile reads file, naming it name in errors.
func readFile(file, name string, opts Options) (*Table, error) {
	st, err := os.Stat(file)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, &Error{File: name, Problem: "文件不存在", Fix: "请检查路径"}
		}
		return nil, &Error{File: name, Problem: fmt.Sprintf("无法读取：%v", err), Fix: "请检查文件权限"}
	}
	if st.IsDir() {
		return nil, &Error{File: name, Problem: "这是目录，不是文件", Fix: "请指定导出的 CSV 或 XLSX 文件"}
	}
	if st.Size() > MaxFileSize {
		return nil, &Error{File: name, Problem: fmt.Sprintf("文件有 %d 字节，超过上限 %d 字节", st.Size(), MaxFileSize), Fix: "请只导出部门统计表"}
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, &Error{File: name, Problem: fmt.Sprintf("无法读取：%v", err), Fix: "请检查文件权限"}
	}
	return Read(name, data, opts)
}

// Read reads and maps the statistics in data; name is the file name used in
// errors, and its extension helps tell the format.
func Read(name string, data []byte, opts Options) (*Table, error) {
	m, err := mapping(name, opts.Columns)
	if err != nil {
		return nil, err
	}
	g, err := load(name, data, opts.Sheet)
	if err != nil {
		return nil, err
	}
	return g.table(m, newDirectory(opts.Departments))
}

// grid is a sheet of text cells; rows[i] is spreadsheet row i+1.
type grid struct {
	file, format, encoding, sheet string
	rows                          [][]string
	// spread are cells that hold the value of a merged range they are part
	// of but do not start: seen in headers, empty in data rows.
	spread map[[2]int]bool
}

func (g *grid) errAt(row, col int, fix, format string, args ...any) *Error {
	return &Error{File: g.file, Sheet: g.sheet, Row: row, Col: col, Problem: fmt.Sprintf(format, args...), Fix: fix}
}

// value is a data cell: "" where a merged range was spread.
func (g *grid) value(row, col int) string {
	if g.spread[[2]int{row, col}] {
		return ""
	}
	return g.cell(row, col)
}

func (g *grid) cell(row, col int) string {
	if row < 1 || row > len(g.rows) || col < 1 || col > len(g.rows[row-1]) {
		return ""
	}
	return g.rows[row-1][col-1]
}

// load tells the format from the content (and the extension) and reads it into a grid.
func load(name string, data []byte, sheet string) (*grid, error) {
	ext := strings.ToLower(filepath.Ext(name))
	switch {
	case len(data) == 0:
		return nil, &Error{File: name, Problem: "文件为空", Fix: "请重新从平台导出部门统计"}
	case hasPrefix(data, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
		return nil, &Error{File: name, Problem: "这是旧版 Excel 97–2003（.xls）或加密的工作簿，无法读取", Fix: "请在 Excel/WPS 中另存为 .xlsx（Excel 工作簿）或 CSV UTF-8 后再导入，如有密码请先去掉"}
	case hasPrefix(data, "PK\x03\x04"):
		return readXLSX(name, data, sheet)
	case ext == ".xlsx" || ext == ".xlsm" || ext == ".xls":
		return nil, &Error{File: name, Problem: "扩展名是 " + ext + "，内容却不是 XLSX 工作簿（不是 zip 格式）", Fix: "请重新从平台导出，或在 Excel/WPS 中另存为 .xlsx 或 CSV"}
	}
	if sheet != "" {
		return nil, &Error{File: name, Problem: "CSV 文件没有工作表，却指定了 --sheet " + sheet, Fix: "去掉 --sheet，或导入 XLSX 文件"}
	}
	return readCSV(name, data)
}

func hasPrefix(data []byte, p string) bool { return len(data) >= len(p) && string(data[:len(p)]) == p }

package statsimport

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// normalize returns s as compared: NFKC (full-width letters, digits and
// punctuation become ASCII), without white space, lower case.
func normalize(s string) string {
	return strings.ToLower(strings.Map(dropSpace, norm.NFKC.String(s)))
}

// dropSpace is a strings.Map function removing white space and zero-width characters.
func dropSpace(r rune) rune {
	if unicode.IsSpace(r) || r == '\u200b' || r == '\ufeff' {
		return -1
	}
	return r
}

// unit matches a trailing bracketed unit or note of a header: 编目数(个), 发布数[条].
var unit = regexp.MustCompile(`^(.+?)(\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】)$`)

// pattern is one normalised header pattern.
type pattern struct {
	text           string
	prefix, suffix bool // * at the end / at the start
}

func (p pattern) match(header string) int {
	switch {
	case p.prefix && p.suffix:
		if strings.Contains(header, p.text) {
			return 1
		}
	case p.prefix:
		if strings.HasPrefix(header, p.text) {
			return 1
		}
	case p.suffix:
		if strings.HasSuffix(header, p.text) {
			return 1
		}
	case header == p.text:
		return 2
	default:
		if m := unit.FindStringSubmatch(header); m != nil && m[1] == p.text {
			return 2
		}
	}
	return 0
}

// fieldMapping is the compiled mapping.
type fieldMapping map[string][]pattern

// mapping merges configured columns over the defaults.
func mapping(file string, columns map[string][]string) (fieldMapping, error) {
	m := DefaultMapping()
	for field, headers := range columns {
		if _, ok := FieldLabels[field]; !ok {
			return nil, &Error{File: file, Problem: fmt.Sprintf("列映射中有未知字段 %q", field), Fix: "opsbook.yaml 的 stats_import.columns 只接受 " + strings.Join(Fields, "、")}
		}
		if len(headers) > 0 {
			m[field] = headers
		}
	}
	out := fieldMapping{}
	for field, headers := range m {
		for _, h := range headers {
			p := pattern{}
			if strings.HasSuffix(h, "*") {
				p.prefix, h = true, strings.TrimSuffix(h, "*")
			}
			if strings.HasPrefix(h, "*") {
				p.suffix, h = true, strings.TrimPrefix(h, "*")
			}
			p.text = normalize(h)
			if p.text != "" {
				out[field] = append(out[field], p)
			}
		}
	}
	return out, nil
}

func (m fieldMapping) score(field, header string) int {
	h := normalize(header)
	if h == "" {
		return 0
	}
	best := 0
	for _, p := range m[field] {
		best = max(best, p.match(h))
	}
	return best
}

func (m fieldMapping) describe(field string) string {
	var s []string
	for _, p := range m[field] {
		t := p.text
		if p.suffix {
			t = "*" + t
		}
		if p.prefix {
			t += "*"
		}
		s = append(s, t)
	}
	return strings.Join(s, "、")
}

// headerMatch is how a row matches the mapping as a header.
type headerMatch struct {
	row     int
	columns map[string]int // field → column
	// problem, when set, is why the row can't be the header although it names fields.
	problem *Error
}

// matchHeader maps the cells of row to fields: for each field the column with
// the best score; ties and columns claimed twice are problems.
func (g *grid) matchHeader(m fieldMapping, row int) headerMatch {
	hm := headerMatch{row: row, columns: map[string]int{}}
	cells := g.rows[row-1]
	claimed := map[int]string{}
	for _, field := range Fields {
		best, cols := 0, []int(nil)
		for c, v := range cells {
			s := m.score(field, v)
			switch {
			case s > best:
				best, cols = s, []int{c + 1}
			case s == best && s > 0:
				cols = append(cols, c+1)
			}
		}
		if best == 0 {
			continue
		}
		if len(cols) > 1 && hm.problem == nil {
			names := make([]string, len(cols))
			for i, c := range cols {
				names[i] = fmt.Sprintf("%s 列“%s”", ColumnName(c), cells[c-1])
			}
			hm.problem = g.errAt(row, cols[1], fmt.Sprintf("请在 opsbook.yaml 中写明该用哪一列，例如 stats_import: {columns: {%s: [%s]}}", field, cells[cols[0]-1]),
				"表头有多列都像“%s”：%s", FieldLabels[field], strings.Join(names, "、"))
		}
		c := cols[0]
		if other, ok := claimed[c]; ok && hm.problem == nil {
			hm.problem = g.errAt(row, c, fmt.Sprintf("请在 opsbook.yaml 的 stats_import.columns 中为 %s 和 %s 写明各自的表头", other, field),
				"表头“%s”既像“%s”又像“%s”", cells[c-1], FieldLabels[other], FieldLabels[field])
		}
		claimed[c] = field
		hm.columns[field] = c
	}
	return hm
}

// findHeader returns the first row that names every field; title rows above
// it are allowed. Without one, the row naming most fields explains what is missing.
func (g *grid) findHeader(m fieldMapping) (headerMatch, error) {
	var best headerMatch
	for r := 1; r <= len(g.rows); r++ {
		hm := g.matchHeader(m, r)
		if len(hm.columns) == len(Fields) {
			if hm.problem != nil {
				return hm, hm.problem
			}
			return hm, nil
		}
		if len(hm.columns) > len(best.columns) {
			best = hm
		}
	}
	if len(best.columns) < 2 {
		var fields []string
		for _, f := range Fields {
			fields = append(fields, FieldLabels[f])
		}
		return best, g.errAt(0, 0, "请确认导出的是“部门统计”表；表头名称不同时，在 opsbook.yaml 的 stats_import.columns 中写明各列的表头",
			"找不到表头行：没有一行同时含有 %s 这些列", strings.Join(fields, "、"))
	}
	if best.problem != nil {
		return best, best.problem
	}
	var missing, fixes []string
	for _, f := range Fields {
		if _, ok := best.columns[f]; !ok {
			missing = append(missing, fmt.Sprintf("“%s”列（可接受的表头：%s）", FieldLabels[f], m.describe(f)))
			fixes = append(fixes, f+": [表头名称]")
		}
	}
	var headers []string
	for _, v := range g.rows[best.row-1] {
		if strings.TrimSpace(v) != "" {
			headers = append(headers, strings.TrimSpace(v))
		}
	}
	return best, g.errAt(best.row, 0, fmt.Sprintf("请导出含这些列的统计表，或在 opsbook.yaml 中写明表头：stats_import: {columns: {%s}}", strings.Join(fixes, ", ")),
		"表头缺少%s；现有表头：%s", strings.Join(missing, "、"), strings.Join(headers, "、"))
}

// totalLabels mark a sum row, which is left out.
var totalLabels = []string{"合计", "总计", "小计", "总数", "total", "sum"}

func isTotal(cells []string) bool {
	for _, c := range cells {
		n := strings.TrimRight(normalize(c), ":：")
		for _, t := range totalLabels {
			if n == t || (strings.HasSuffix(n, t) && utf8Len(n) <= utf8Len(t)+3) {
				return true // 合计, 全市合计, 各部门合计
			}
		}
	}
	return false
}

func utf8Len(s string) int { return len([]rune(s)) }

// table reads the rows below the header.
func (g *grid) table(m fieldMapping, dir *directory) (*Table, error) {
	if len(g.rows) == 0 {
		return nil, g.errAt(0, 0, "请重新从平台导出部门统计", "文件中没有任何数据")
	}
	hm, err := g.findHeader(m)
	if err != nil {
		return nil, err
	}
	t := &Table{File: g.file, Format: g.format, Encoding: g.encoding, Sheet: g.sheet, HeaderRow: hm.row,
		Columns: hm.columns, Headers: map[string]string{}}
	for f, c := range hm.columns {
		t.Headers[f] = strings.TrimSpace(g.cell(hm.row, c))
	}
	seen := map[string]int{} // department id → row
	deptCol := hm.columns["department"]
	for r := hm.row + 1; r <= len(g.rows); r++ {
		cells := g.rows[r-1]
		name := strings.TrimSpace(g.value(r, deptCol))
		empty := true
		for _, f := range CountFields {
			if normalize(g.value(r, hm.columns[f])) != "" {
				empty = false
			}
		}
		if empty && normalize(name) == "" {
			continue // blank row
		}
		// A sum row says 合计 in the department column or left of it (序号).
		if _, unknown := dir.resolve(name); unknown != "" && isTotal(cells[:min(deptCol, len(cells))]) {
			t.Skipped = append(t.Skipped, Skipped{Row: r, Reason: "合计行"})
			continue
		}
		if normalize(name) == "" {
			return nil, g.errAt(r, deptCol, "请填写部门全称、简称或编号；若是合计行，请在该行写明“合计”", "有统计数却没有部门")
		}
		id, derr := dir.resolve(name)
		if derr != "" && empty {
			// A note under the table (制表人、数据截止时间…): no counts, no known department.
			t.Skipped = append(t.Skipped, Skipped{Row: r, Reason: "说明行"})
			continue
		}
		if derr != "" {
			return nil, g.errAt(r, deptCol, dir.fix(name), "%s", derr)
		}
		if first, dup := seen[id]; dup {
			return nil, g.errAt(r, deptCol, fmt.Sprintf("同一部门只能出现一次：请合并两行或删除其中一行（第 %d 行）", first),
				"部门“%s”（%s）与第 %d 行重复", name, id, first)
		}
		seen[id] = r
		row := Row{Department: id, SourceRow: r}
		for _, f := range CountFields {
			c := hm.columns[f]
			n, problem := parseCount(g.value(r, c))
			if problem != "" {
				what := FieldLabels[f]
				if t.Headers[f] != what {
					what += "（表头“" + t.Headers[f] + "”）"
				}
				return nil, g.errAt(r, c, "请改为 0 或正整数，例如 12 或 1,234（公式单元格请在 Excel 中重新计算并保存后再导出）",
					"%s%s", what, problem)
			}
			row.set(f, n)
		}
		t.Rows = append(t.Rows, row)
	}
	if len(t.Rows) == 0 {
		return nil, g.errAt(hm.row, 0, "请确认导出时选择了统计周期和部门范围，表头下至少要有一个部门的数据", "表头下没有任何部门的统计行")
	}
	return t, nil
}

var (
	thousands = regexp.MustCompile(`^[0-9]{1,3}(,[0-9]{3})+(\.0*)?$`)
	decimal   = regexp.MustCompile(`^[0-9]+(\.[0-9]*)?$`)
)

// maxCount bounds counts to what a float64 holds exactly.
const maxCount = 1 << 53

// parseCount parses a non-negative integer: 12, 1,234, 12.0, Excel raw
// numbers such as 1.2E3; it returns a Chinese problem when s is not one,
// worded to follow the field's name.
func parseCount(s string) (int, string) {
	raw := s
	s = strings.Map(dropSpace, norm.NFKC.String(s))
	if s == "" {
		return 0, "为空"
	}
	if thousands.MatchString(s) {
		s = strings.ReplaceAll(s, ",", "")
	}
	if decimal.MatchString(s) {
		intPart, frac, _ := strings.Cut(s, ".")
		if strings.Trim(frac, "0") != "" {
			return 0, fmt.Sprintf(" %q 不是整数", raw)
		}
		n, err := strconv.ParseInt(intPart, 10, 64)
		if err != nil || n > maxCount {
			return 0, fmt.Sprintf(" %q 太大", raw)
		}
		return int(n), ""
	}
	f, err := strconv.ParseFloat(s, 64)
	switch {
	case err == nil && f < 0:
		return 0, fmt.Sprintf(" %q 是负数，统计数不能为负", raw)
	case err == nil && (math.IsInf(f, 0) || math.IsNaN(f) || f > maxCount):
		return 0, fmt.Sprintf(" %q 不是有效的统计数", raw)
	case err == nil && f != math.Trunc(f):
		return 0, fmt.Sprintf(" %q 不是整数", raw)
	case err == nil:
		return int(f), ""
	case strings.Contains(s, ","):
		return 0, fmt.Sprintf(" %q 的千位分隔符位置不对", raw)
	}
	return 0, fmt.Sprintf(" %q 不是数字", raw)
}

// directory resolves department cells.
type directory struct {
	deps  []Department
	byKey map[string][]int
}

func newDirectory(deps []Department) *directory {
	d := &directory{deps: deps, byKey: map[string][]int{}}
	for i, dep := range deps {
		keys := map[string]bool{}
		for _, s := range []string{dep.ID, dep.Title, dep.ShortName} {
			if k := normalize(s); k != "" && !keys[k] {
				keys[k] = true
				d.byKey[k] = append(d.byKey[k], i)
			}
		}
	}
	return d
}

// resolve returns the id of the department called name, or why there is none.
func (d *directory) resolve(name string) (string, string) {
	idx := d.byKey[normalize(name)]
	switch len(idx) {
	case 1:
		return d.deps[idx[0]].ID, ""
	case 0:
		return "", fmt.Sprintf("未知部门“%s”", name)
	}
	var ids []string
	for _, i := range idx {
		ids = append(ids, d.deps[i].ID)
	}
	return "", fmt.Sprintf("部门“%s”同时对应多个部门记录：%s", name, strings.Join(ids, "、"))
}

// fix suggests what to write instead of name: the closest departments.
func (d *directory) fix(name string) string {
	close := d.closest(name, 3)
	const how = "部门单元格须与部门记录的编号、全称（title）或简称（short_name）一致"
	const create = "；若是新接入的部门，先用 opsbook new department 建立部门记录"
	if len(close) == 0 {
		if len(d.deps) == 0 {
			return "仓库中没有部门记录（content/department/）" + create
		}
		return how + create
	}
	var s []string
	for _, dep := range close {
		s = append(s, fmt.Sprintf("%s（%s，简称 %s）", dep.ID, dep.Title, dep.ShortName))
	}
	return "是不是 " + strings.Join(s, "、") + "？" + how + create
}

// closest ranks departments by how much their names look like name.
func (d *directory) closest(name string, n int) []Department {
	q := normalize(name)
	type scored struct {
		i     int
		score float64
	}
	var list []scored
	for i, dep := range d.deps {
		best := 0.0
		for _, s := range []string{dep.ID, dep.Title, dep.ShortName} {
			best = max(best, similarity(q, normalize(s)))
		}
		if best >= 0.4 {
			list = append(list, scored{i, best})
		}
	}
	sort.SliceStable(list, func(a, b int) bool { return list[a].score > list[b].score })
	var out []Department
	for _, s := range list[:min(n, len(list))] {
		out = append(out, d.deps[s.i])
	}
	return out
}

// similarity is 1 when one string contains the other (市公安局 in
// 南通市公安局), else the Dice coefficient of their character bigrams.
func similarity(a, b string) float64 {
	if a == "" || b == "" {
		return 0
	}
	if strings.Contains(a, b) || strings.Contains(b, a) {
		return 0.9 + 0.1*float64(min(utf8Len(a), utf8Len(b)))/float64(max(utf8Len(a), utf8Len(b)))
	}
	ba, bb := bigrams(a), bigrams(b)
	if len(ba) == 0 || len(bb) == 0 {
		return 0
	}
	left := map[string]int{}
	for _, x := range bb {
		left[x]++
	}
	common := 0
	for _, x := range ba {
		if left[x] > 0 {
			left[x]--
			common++
		}
	}
	return 2 * float64(common) / float64(len(ba)+len(bb))
}

func bigrams(s string) []string {
	r := []rune(s)
	if len(r) == 1 {
		return []string{s}
	}
	out := make([]string, 0, len(r))
	for i := 0; i+1 < len(r); i++ {
		out = append(out, string(r[i:i+2]))
	}
	return out
}

package statsimport

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
)

// maxColumns caps how far merged header cells are spread to the right.
const maxColumns = 256

// decodeText returns data as UTF-8 and the name of the encoding it was in.
// Excel in China saves "CSV (逗号分隔)" in GBK, "CSV UTF-8" with a BOM, and
// "Unicode 文本" in UTF-16 with a BOM; GB18030 is a superset of GBK.
func decodeText(name string, data []byte) (string, string, error) {
	switch {
	case hasPrefix(data, "\xef\xbb\xbf"):
		data = data[3:]
		if !utf8.Valid(data) {
			return "", "", badEncoding(name, data, false, "文件以 UTF-8 BOM 开头，内容却不是有效的 UTF-8")
		}
		return string(data), "UTF-8 BOM", nil
	case hasPrefix(data, "\xff\xfe"), hasPrefix(data, "\xfe\xff"):
		out, err := unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder().Bytes(data)
		if err != nil {
			return "", "", &Error{File: name, Problem: "UTF-16 文本无法解码", Fix: "请在 Excel/WPS 中另存为“CSV UTF-8（逗号分隔）”"}
		}
		return string(out), "UTF-16", nil
	case utf8.Valid(data):
		return string(data), "UTF-8", nil
	}
	out, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
	if err != nil || bytes.ContainsRune(out, utf8.RuneError) {
		return "", "", badEncoding(name, data, true, "既不是 UTF-8 也不是 GBK/GB18030 编码的文本")
	}
	return string(out), "GBK/GB18030", nil
}

// badEncoding reports the first line that is not UTF-8 (nor GB18030 when gb).
func badEncoding(name string, data []byte, gb bool, problem string) *Error {
	line := 1
	for i, l := range bytes.SplitAfter(data, []byte("\n")) {
		if utf8.Valid(l) {
			continue
		}
		if !gb {
			line = i + 1
			break
		}
		out, err := simplifiedchinese.GB18030.NewDecoder().Bytes(l)
		if err != nil || bytes.ContainsRune(out, utf8.RuneError) {
			line = i + 1
			break
		}
	}
	return &Error{File: name, Row: line, Problem: problem + fmt.Sprintf("（第 %d 行起无法识别）", line),
		Fix: "请在 Excel/WPS 中另存为“CSV UTF-8（逗号分隔）”或 .xlsx 后再导入"}
}

// readCSV reads comma (or tab) separated text into a grid whose row numbers
// are the ones a spreadsheet shows: blank lines count as rows, a quoted cell
// spanning lines counts as one.
func readCSV(name string, data []byte) (*grid, error) {
	if bytes.IndexByte(data, 0) >= 0 && !hasPrefix(data, "\xff\xfe") && !hasPrefix(data, "\xfe\xff") {
		return nil, &Error{File: name, Problem: "这不是文本文件（含 NUL 字节），也不是 XLSX 工作簿", Fix: "请导入平台导出的 CSV 或 XLSX 文件"}
	}
	text, enc, err := decodeText(name, data)
	if err != nil {
		return nil, err
	}
	g := &grid{file: name, format: "csv", encoding: enc}
	delim := sniffDelimiter(text)
	r := csv.NewReader(strings.NewReader(text))
	r.Comma = delim
	r.FieldsPerRecord = -1
	row, endLine := 0, 0
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				errRow := row + pe.StartLine - endLine
				return nil, g.errAt(errRow, csvField(text, pe, delim), "请检查该处的英文双引号：含逗号或换行的单元格要整体用双引号括起，单元格内的双引号写成两个（\"\"）；或在 Excel 中打开后重新另存为 CSV",
					"CSV 格式错误：%s", csvProblem(pe.Err))
			}
			return nil, g.errAt(0, 0, "请重新导出文件", "读取 CSV 失败：%v", err)
		}
		start, _ := r.FieldPos(0)
		row += start - endLine
		last, _ := r.FieldPos(len(rec) - 1)
		endLine = last + strings.Count(rec[len(rec)-1], "\n")
		for len(g.rows) < row-1 {
			g.rows = append(g.rows, nil)
		}
		g.rows = append(g.rows, rec)
	}
	return g, nil
}

// csvProblem words a csv parse error in Chinese.
func csvProblem(err error) string {
	switch {
	case errors.Is(err, csv.ErrBareQuote):
		return "未用引号括起的单元格中出现了英文双引号"
	case errors.Is(err, csv.ErrQuote):
		return "英文双引号不配对（多余或缺少）"
	}
	return err.Error()
}

// sniffDelimiter picks tab for tab-separated text (Excel "文本文件（制表符分隔）"), else comma.
func sniffDelimiter(text string) rune {
	head := text
	if len(head) > 8192 {
		head = head[:8192]
	}
	if strings.Count(head, "\t") > strings.Count(head, ",") {
		return '\t'
	}
	return ','
}

// csvField finds the 1-based field a parse error lies in, from its line and
// byte column.
func csvField(text string, pe *csv.ParseError, delim rune) int {
	lines := strings.SplitAfter(text, "\n")
	if pe.Line < 1 || pe.Line > len(lines) || pe.Line != pe.StartLine {
		return 0
	}
	line := lines[pe.Line-1]
	if pe.Column-1 < len(line) && pe.Column > 0 {
		line = line[:pe.Column-1]
	}
	field, quoted := 1, false
	for _, c := range line {
		switch {
		case c == '"':
			quoted = !quoted
		case c == delim && !quoted:
			field++
		}
	}
	return field
}

// readXLSX reads one worksheet: cells as stored (numbers without display
// formatting), with the value of a merged range spread over all its cells so
// that a header merged over two rows is seen in both.
func readXLSX(name string, data []byte, sheet string) (*grid, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{RawCellValue: true, UnzipSizeLimit: 256 << 20})
	if err != nil {
		return nil, &Error{File: name, Problem: fmt.Sprintf("不是有效的 XLSX 工作簿（%v）", err), Fix: "请重新从平台导出，或在 Excel/WPS 中另存为 .xlsx 或 CSV UTF-8"}
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, &Error{File: name, Problem: "工作簿中没有工作表", Fix: "请重新从平台导出"}
	}
	if sheet == "" {
		sheet = sheets[0]
	} else if !slices.Contains(sheets, sheet) {
		return nil, &Error{File: name, Problem: fmt.Sprintf("没有名为“%s”的工作表", sheet), Fix: "可选的工作表：" + strings.Join(sheets, "、")}
	}
	rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, &Error{File: name, Sheet: sheet, Problem: fmt.Sprintf("无法读取工作表：%v", err), Fix: "请在 Excel/WPS 中打开并另存为 .xlsx 后再导入"}
	}
	g := &grid{file: name, format: "xlsx", sheet: sheet, rows: rows, spread: map[[2]int]bool{}}
	merges, err := f.GetMergeCells(sheet, true)
	if err != nil {
		return nil, &Error{File: name, Sheet: sheet, Problem: fmt.Sprintf("无法读取合并单元格：%v", err), Fix: "请在 Excel/WPS 中取消合并单元格后再导入"}
	}
	for _, m := range merges {
		c1, r1, err1 := excelize.CellNameToCoordinates(m.GetStartAxis())
		c2, r2, err2 := excelize.CellNameToCoordinates(m.GetEndAxis())
		if err1 != nil || err2 != nil {
			continue
		}
		v := g.cell(r1, c1)
		if v == "" {
			continue
		}
		for r := r1; r <= r2 && r <= len(g.rows); r++ {
			for c := c1; c <= c2 && c <= maxColumns; c++ {
				for len(g.rows[r-1]) < c {
					g.rows[r-1] = append(g.rows[r-1], "")
				}
				if g.rows[r-1][c-1] == "" {
					g.rows[r-1][c-1] = v
					g.spread[[2]int{r, c}] = true
				}
			}
		}
	}
	return g, nil
}

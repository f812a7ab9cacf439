package inventory

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/opsbook/opsbook/internal/attachment"
)

// WriteJSON writes the inventory as one indented JSON document.
func (inv *Inventory) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(inv)
}

// attrValue renders an attribute value for a table cell.
func attrValue(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case bool:
		if x {
			return "是"
		}
		return "否"
	case []any:
		parts := make([]string, len(x))
		for i, p := range x {
			parts[i] = attrValue(p)
		}
		return strings.Join(parts, "、")
	}
	return fmt.Sprint(v)
}

func label(code, zh string) string {
	if zh == "" {
		return code
	}
	return zh
}

func (d *Document) changed(loc *time.Location) string {
	if d.Changed.IsZero() {
		return ""
	}
	return d.Changed.In(loc).Format("2006-01-02 15:04")
}

// csvColumns is the union of the attribute columns of the listed projects,
// by title (two projects' 评审日期 share a column), in project order.
func (inv *Inventory) csvColumns() []string {
	var titles []string
	for _, p := range inv.Projects {
		for _, c := range p.Attributes {
			if !slices.Contains(titles, c.Title) {
				titles = append(titles, c.Title)
			}
		}
	}
	return titles
}

// WriteCSV writes one row per attachment (a document without attachments
// has one row with the file columns empty): UTF-8 with a BOM so spreadsheet
// programs on Windows read the Chinese, cells that would start a formula
// prefixed with an apostrophe.
func (inv *Inventory) WriteCSV(w io.Writer) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cols := inv.csvColumns()
	header := []string{"项目编号", "项目名称", "受控项目", "文档编号", "文档名称", "类别", "版本", "编写人", "访问级别", "文档日期", "复核日期"}
	header = append(header, cols...)
	header = append(header, "附件", "大小（字节）", "SHA-256", "附件状态", "最近修改时间", "最近修改人", "待复核", "记录文件")
	if err := cw.Write(header); err != nil {
		return err
	}
	loc := inv.GeneratedAt.Location()
	for _, p := range inv.Projects {
		byTitle := map[string]string{}
		for _, c := range p.Attributes {
			byTitle[c.Title] = c.Name
		}
		for _, d := range p.Documents {
			row := []string{p.ID, p.Title, yesNo(p.Restricted), d.ID, d.Title, label(d.Category, d.CategoryLabel), d.Version, d.Author,
				label(d.Confidentiality, d.ConfidentialityLabel), d.Date, d.Reviewed}
			for _, t := range cols {
				name, ok := byTitle[t]
				v := ""
				if ok {
					v = attrValue(d.Attributes[name])
				}
				row = append(row, v)
			}
			staleCell := ""
			if d.Stale {
				staleCell = "待复核：" + d.StaleReason
			}
			tail := []string{d.changed(loc), d.ChangedBy, staleCell, d.Path}
			files := d.Files
			if len(files) == 0 {
				files = []File{{Name: d.LegacyFile, Size: -1}}
			}
			for _, f := range files {
				size := fmt.Sprint(f.Size)
				if f.Size < 0 {
					size = ""
				}
				status := "正常"
				switch {
				case f.Problem != "":
					status = f.Problem
				case f.Path == "" && f.Name != "":
					status = "旧字段 file，未核对"
				case f.Path == "":
					status = "无附件"
				}
				line := append(slices.Clone(row), f.Name, size, f.SHA256, status)
				line = append(line, tail...)
				for i, c := range line {
					line[i] = safeCell(c)
				}
				if err := cw.Write(line); err != nil {
					return err
				}
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

func yesNo(b bool) string {
	if b {
		return "是"
	}
	return "否"
}

// safeCell keeps a spreadsheet from evaluating a cell as a formula.
func safeCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

var mdEscaper = strings.NewReplacer("|", `\|`, "\n", " ", "\r", " ", "<", "&lt;", ">", "&gt;", "*", `\*`, "_", `\_`, "`", "\\`", "[", `\[`, "]", `\]`)

func md(s string) string { return mdEscaper.Replace(s) }

// WriteMarkdown writes a Chinese Markdown document: a summary, then one
// section per project with a table whose attribute columns follow the
// project's schema.
func (inv *Inventory) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	loc := inv.GeneratedAt.Location()
	t := inv.Totals()
	fmt.Fprintf(&b, "# 项目文件清单\n\n")
	fmt.Fprintf(&b, "- 平台：%s\n- 生成时间：%s\n- 文档 %d 份，附件 %d 个（共 %s）；待复核 %d 份（复核周期 %d 天）",
		md(inv.Platform), inv.GeneratedAt.Format("2006-01-02 15:04"), t.Documents, t.Files, attachment.FormatSize(t.Bytes), t.Stale, inv.ReviewDays)
	if t.FileProblems > 0 {
		fmt.Fprintf(&b, "；附件异常 %d 个（运行 opsbook validate 查看）", t.FileProblems)
	}
	b.WriteString("\n")
	for _, warn := range inv.Warnings {
		fmt.Fprintf(&b, "- 注意：%s\n", md(warn))
	}
	for _, p := range inv.Projects {
		fmt.Fprintf(&b, "\n## %s（%s）\n\n", md(p.Title), md(p.ID))
		var facts []string
		if p.Code != "" {
			facts = append(facts, "项目代码 "+md(p.Code))
		}
		if p.Owner != "" {
			facts = append(facts, "负责人 "+md(p.Owner))
		}
		if p.Restricted {
			facts = append(facts, "**受控项目**：仅授权用户组可见")
		}
		facts = append(facts, fmt.Sprintf("文档 %d 份", len(p.Documents)))
		b.WriteString(strings.Join(facts, " · ") + "\n\n")
		if len(p.Documents) == 0 {
			continue
		}
		head := []string{"编号", "文档名称", "类别", "版本", "编写人", "访问级别"}
		for _, c := range p.Attributes {
			head = append(head, md(c.Title))
		}
		head = append(head, "附件（大小，SHA-256 前 12 位）", "最近修改", "状态")
		b.WriteString("| " + strings.Join(head, " | ") + " |\n")
		b.WriteString("|" + strings.Repeat(" --- |", len(head)) + "\n")
		for _, d := range p.Documents {
			row := []string{md(d.ID), md(d.Title), md(label(d.Category, d.CategoryLabel)), md(d.Version), md(d.Author), md(label(d.Confidentiality, d.ConfidentialityLabel))}
			for _, c := range p.Attributes {
				row = append(row, md(attrValue(d.Attributes[c.Name])))
			}
			var files []string
			for _, f := range d.Files {
				s := fmt.Sprintf("%s（%s", md(f.Name), attachment.FormatSize(f.Size))
				if f.SHA256 != "" {
					s += "，" + f.SHA256[:12]
				}
				s += "）"
				if f.Problem != "" {
					s += " ⚠ " + md(f.Problem)
				}
				files = append(files, s)
			}
			if len(files) == 0 && d.LegacyFile != "" {
				files = append(files, md(d.LegacyFile)+"（旧字段 file，未核对）")
			}
			row = append(row, strings.Join(files, "<br>"))
			changed := md(d.LastActivity)
			if c := d.changed(loc); c != "" {
				changed = md(c + " " + d.ChangedBy)
			}
			row = append(row, changed)
			status := "正常"
			if d.Stale {
				status = "⚠ 待复核（" + md(d.StaleReason) + "）"
			}
			row = append(row, status)
			b.WriteString("| " + strings.Join(row, " | ") + " |\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

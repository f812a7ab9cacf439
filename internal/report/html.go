package report

import (
	"bytes"
	_ "embed"
	"fmt"
	"html"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

//go:embed print.css
var printCSS string

// markdown renders report bodies for print: tables on, raw HTML (the block
// markers among it) dropped.
var markdown = goldmark.New(goldmark.WithExtensions(extension.Table, extension.Strikethrough))

// PrintHTML is a standalone A4 HTML document of a report file's title and
// body with the period's charts after the overview, for PDF export.
func (r *Report) PrintHTML(title, author, status, body string) ([]byte, error) {
	var md bytes.Buffer
	if err := markdown.Convert([]byte(body), &md); err != nil {
		return nil, fmt.Errorf("渲染报告正文：%w", err)
	}
	content := md.String()
	var charts strings.Builder
	charts.WriteString(`<section class="charts">`)
	for _, c := range r.Charts() {
		charts.WriteString("<figure>" + c.SVG + "</figure>")
	}
	charts.WriteString("</section>\n")
	// Charts go right after the overview (before the second heading).
	if i := nthIndex(content, "<h2", 2); i >= 0 {
		content = content[:i] + charts.String() + content[i:]
	} else {
		content += charts.String()
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>%s</title><style>%s</style></head><body>\n",
		html.EscapeString(title), printCSS)
	fmt.Fprintf(&b, "<h1>%s</h1>\n<p class=\"meta\">%s · %s 至 %s · 编写：%s · %s</p>\n", html.EscapeString(title), html.EscapeString(r.Platform),
		r.Period.Start.Format("2006-01-02"), r.Period.End.Format("2006-01-02"), html.EscapeString(author), html.EscapeString(status))
	b.WriteString(content)
	b.WriteString("</body></html>\n")
	return b.Bytes(), nil
}

func nthIndex(s, sub string, n int) int {
	off := 0
	for i := 0; i < n; i++ {
		j := strings.Index(s[off:], sub)
		if j < 0 {
			return -1
		}
		if i == n-1 {
			return off + j
		}
		off += j + len(sub)
	}
	return -1
}

package rules

import (
	"bytes"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"

	"github.com/opsbook/opsbook/internal/diag"
	"github.com/opsbook/opsbook/internal/record"
)

var markdown = goldmark.New()

// Section is a heading of a Markdown body and whether anything follows it
// before the next heading of the same or a higher level.
type Section struct {
	Title string
	Level int
	Line  int // 1-based line in the file
	Empty bool
}

// Sections lists the headings of a record's Markdown body. A heading is
// empty when no content block follows it before the next heading of the same
// or a higher level.
func Sections(r *record.Record) []Section {
	src := []byte(r.Body)
	doc := markdown.Parser().Parse(text.NewReader(src))
	var blocks []ast.Node
	for n := doc.FirstChild(); n != nil; n = n.NextSibling() {
		blocks = append(blocks, n)
	}
	var out []Section
	for i, n := range blocks {
		h, ok := n.(*ast.Heading)
		if !ok {
			continue
		}
		line := r.BodyLine
		if lines := h.Lines(); lines.Len() > 0 {
			line += bytes.Count(src[:lines.At(0).Start], []byte{'\n'})
		}
		s := Section{Title: plainText(h, src), Level: h.Level, Line: line, Empty: true}
		for _, next := range blocks[i+1:] {
			if nh, ok := next.(*ast.Heading); ok {
				if nh.Level <= h.Level {
					break
				}
				continue
			}
			s.Empty = false
			break
		}
		out = append(out, s)
	}
	return out
}

func plainText(n ast.Node, src []byte) string {
	var b strings.Builder
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if t, ok := c.(*ast.Text); ok && entering {
			b.Write(t.Segment.Value(src))
		}
		return ast.WalkContinue, nil
	})
	return strings.TrimSpace(b.String())
}

// checkSections requires each named section as a heading with content.
func checkSections(r *record.Record, required []string) []diag.Violation {
	secs := Sections(r)
	var vs []diag.Violation
	for _, name := range required {
		found := false
		for _, s := range secs {
			if !strings.Contains(s.Title, name) {
				continue
			}
			found = true
			if s.Empty {
				vs = append(vs, diag.At(r.Path, s.Line, 1, "body/section-empty", "「%s」一节是空的；请写明具体内容", name))
			}
			break
		}
		if !found {
			vs = append(vs, diag.At(r.Path, max(r.BodyLine, 1), 1, "body/section-missing", "缺少「%s」一节：请在正文中加入 ## %s 标题及其内容", name, name))
		}
	}
	return vs
}

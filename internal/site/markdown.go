package site

import (
	"bufio"
	"bytes"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// bodyRenderer renders record bodies in Go rather than in Hugo, so a
// record cannot run Hugo shortcodes ({{< youtube >}} and friends): raw HTML
// is dropped, dangerous link URLs are emptied (goldmark's default), and
// images on other hosts become plain links so the site never loads them.
var bodyRenderer = goldmark.New(
	goldmark.WithExtensions(extension.Table, extension.Strikethrough, extension.TaskList),
	goldmark.WithParserOptions(parser.WithAutoHeadingID(), parser.WithASTTransformers(util.Prioritized(offlineImages{}, 100))),
)

// renderScratch is a buffer and the buffered writer over it that
// goldmark renders into, reused from one body to the next (goldmark would
// otherwise allocate a writer for every body).
type renderScratch struct {
	b bytes.Buffer
	w *bufio.Writer
}

var renderPool = sync.Pool{New: func() any {
	s := &renderScratch{}
	s.w = bufio.NewWriter(&s.b)
	return s
}}

// renderBody turns a record's Markdown body into HTML.
func renderBody(md string) (string, error) {
	sc := renderPool.Get().(*renderScratch)
	defer renderPool.Put(sc)
	sc.b.Reset()
	sc.w.Reset(&sc.b)
	ctx := parser.NewContext(parser.WithIDs(&headingIDs{seen: map[string]int{}}))
	if err := bodyRenderer.Convert([]byte(md), sc.w, parser.WithContext(ctx)); err != nil {
		return "", err
	}
	if err := sc.w.Flush(); err != nil {
		return "", err
	}
	return sc.b.String(), nil
}

// headingIDs makes heading anchors that keep Chinese text (实施方案 →
// #实施方案), as Hugo does, instead of goldmark's ASCII-only default.
type headingIDs struct{ seen map[string]int }

func (h *headingIDs) Generate(value []byte, _ ast.NodeKind) []byte {
	var b strings.Builder
	for _, r := range strings.ToLower(string(value)) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || r == '-':
			b.WriteRune(r)
		case unicode.IsSpace(r):
			b.WriteRune('-')
		}
	}
	id := b.String()
	if id == "" {
		id = "heading"
	}
	if n := h.seen[id]; n > 0 {
		h.seen[id] = n + 1
		id = id + "-" + strconv.Itoa(n)
	} else {
		h.seen[id] = 1
	}
	return []byte(id)
}

func (h *headingIDs) Put(value []byte) { h.seen[string(value)]++ }

// offlineImages replaces images whose source is on another host with a
// link to it, keeping the alt text.
type offlineImages struct{}

func (offlineImages) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	var images []*ast.Image
	ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if img, ok := n.(*ast.Image); ok && entering && externalURL(string(img.Destination)) {
			images = append(images, img)
		}
		return ast.WalkContinue, nil
	})
	for _, img := range images {
		link := ast.NewLink()
		link.Destination = img.Destination
		link.Title = img.Title
		for c := img.FirstChild(); c != nil; {
			next := c.NextSibling()
			link.AppendChild(link, c)
			c = next
		}
		if link.ChildCount() == 0 {
			link.AppendChild(link, ast.NewString(img.Destination))
		}
		img.Parent().ReplaceChild(img.Parent(), img, link)
	}
}

func externalURL(u string) bool {
	u = strings.ToLower(strings.TrimSpace(u))
	return strings.HasPrefix(u, "http://") || strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "//") || strings.Contains(u, ":") && !strings.HasPrefix(u, "#")
}

// Package scaffold writes new records: the next free id, the right place
// under content/, and a Chinese template of the kind's required fields
// generated from its schema, so templates never drift from the schemas.
package scaffold

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/opsbook/opsbook/internal/atomicfile"
	"github.com/opsbook/opsbook/internal/layout"
	"github.com/opsbook/opsbook/internal/rules"
	"github.com/opsbook/opsbook/internal/schema"
)

// Request describes the record to create.
type Request struct {
	Kind  string
	Title string    // default 新建<label>
	ID    string    // default: the next free id
	Now   time.Time // in the repository's time zone
}

// Plan is a record ready to be written.
type Plan struct {
	Path    string // repository-relative
	ID      string
	Content []byte
}

// Build plans a new record of req.Kind in the repository described by c.
func Build(c *rules.Context, req Request) (*Plan, error) {
	k, ok := c.Schemas.Kinds[req.Kind]
	if !ok {
		return nil, fmt.Errorf("未知的记录类型 %q；可选：%s", req.Kind, strings.Join(c.Schemas.KindNames(), ", "))
	}
	year := strconv.Itoa(req.Now.Year())
	id := req.ID
	if id == "" {
		id = NextID(c.Index, k, year)
	} else if len(c.Index.Lookup(id)) > 0 {
		return nil, fmt.Errorf("编号 %s 已被 %s 使用", id, c.Index.Lookup(id)[0].Path)
	}
	if k.Prefix != "" && strings.HasPrefix(id, k.Prefix+"-") && len(id) >= len(k.Prefix)+5 {
		year = id[len(k.Prefix)+1 : len(k.Prefix)+5]
	}
	title := req.Title
	if title == "" {
		title = "新建" + k.Label
	}
	g := &generator{ctx: c, now: req.Now.In(c.Config.Location), times: map[string]time.Time{}}
	if k.Name == "change" {
		g.times["/window/start"], g.times["/window/end"] = c.SuggestWindow(req.Now)
	}
	var b strings.Builder
	if k.Format == schema.FormatMarkdown {
		b.WriteString("---\n")
	}
	fmt.Fprintf(&b, "# yaml-language-server: $schema=../../../schemas/%s\n", k.File)
	g.object(&b, k.File, k.Root, 0, map[string]string{"id": id, "kind": k.Name, "title": title})
	if k.Name == "document" {
		g.documentAttributes(&b, g.firstID("project"))
	}
	if k.Attachments {
		fmt.Fprintf(&b, "# 附件：把文件放进 %s/%s/%s/%s/ 目录，然后运行 opsbook docs hash %s --add 登记（files: 路径、sha256、大小）\n", layout.ContentDir, k.Name, year, id, id)
	}
	if k.Format == schema.FormatMarkdown {
		b.WriteString("---\n")
		b.WriteString(body(k))
	}
	return &Plan{Path: fmt.Sprintf("%s/%s/%s/%s%s", layout.ContentDir, k.Name, year, id, k.Ext()), ID: id, Content: []byte(b.String())}, nil
}

func body(k *schema.Kind) string {
	if len(k.Sections) == 0 {
		return "\n## 正文\n\n（请在此填写正文。）\n"
	}
	var b strings.Builder
	for _, s := range k.Sections {
		fmt.Fprintf(&b, "\n## %s\n\n1. （请填写%s的具体步骤）\n", s, s)
	}
	return b.String()
}

var seqRe = regexp.MustCompile(`^(?:[A-Za-z]+|[a-z]+)-(?:([0-9]{4})-)?([0-9]+)$`)

// NextID returns the next free id of kind k in year: PFX-YYYY-NNN for
// prefixed kinds, <kind>-NNN for slug kinds (assets, departments, projects).
func NextID(ix *layout.Index, k *schema.Kind, year string) string {
	stem := k.Name + "-"
	if k.Prefix != "" {
		stem = k.Prefix + "-" + year + "-"
	}
	next, width := 1, 3
	for _, e := range ix.OfKind(k.Name) {
		if !strings.HasPrefix(e.Stem, stem) {
			continue
		}
		digits := strings.TrimPrefix(e.Stem, stem)
		if n, err := strconv.Atoi(digits); err == nil && n >= next {
			next, width = n+1, max(width, len(digits))
		}
	}
	for {
		id := fmt.Sprintf("%s%0*d", stem, width, next)
		if len(ix.Lookup(id)) == 0 {
			return id
		}
		next++
	}
}

// Write writes the plan under root without replacing an existing file,
// through a temporary file so no half-written record is ever left behind.
func Write(root string, p *Plan) (string, error) {
	final := filepath.Join(root, filepath.FromSlash(p.Path))
	if err := atomicfile.Create(final, p.Content); err != nil { // fails if final exists
		return "", fmt.Errorf("无法创建 %s：%w", p.Path, err)
	}
	return final, nil
}

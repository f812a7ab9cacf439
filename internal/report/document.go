package report

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/opsbook/opsbook/internal/record"
)

// Markers delimit a generated block: `<!-- opsbook:begin 巡检 -->` … `<!-- opsbook:end 巡检 -->`.
var markerRE = regexp.MustCompile(`^<!-- opsbook:(begin|end) ([^\s<>]+) -->$`)

func beginMarker(name string) string { return "<!-- opsbook:begin " + name + " -->" }
func endMarker(name string) string   { return "<!-- opsbook:end " + name + " -->" }

// MarkerError is a damaged pair of markers in an existing report.
type MarkerError struct {
	Line    int // 1-based line of the body
	Message string
}

func (e *MarkerError) Error() string { return fmt.Sprintf("第 %d 行：%s", e.Line, e.Message) }

// segment is a run of body text: human text (name "") or a generated block
// including its marker lines.
type segment struct {
	name string
	text string
}

// split cuts a body into human text and generated blocks.
func split(body string, lineOffset int) ([]segment, error) {
	var segs []segment
	var cur strings.Builder
	open, openLine := "", 0
	lines := strings.SplitAfter(body, "\n")
	for i, line := range lines {
		m := markerRE.FindStringSubmatch(strings.TrimRight(line, "\r\n"))
		switch {
		case m == nil:
			cur.WriteString(line)
		case m[1] == "begin":
			if open != "" {
				return nil, &MarkerError{lineOffset + i, fmt.Sprintf("生成区块「%s」（第 %d 行开始）还没有结束标记就开始了「%s」：请恢复 %s", open, openLine, m[2], endMarker(open))}
			}
			if cur.Len() > 0 {
				segs = append(segs, segment{text: cur.String()})
				cur.Reset()
			}
			open, openLine = m[2], lineOffset+i
			cur.WriteString(line)
		default:
			if open != m[2] {
				return nil, &MarkerError{lineOffset + i, fmt.Sprintf("结束标记「%s」没有对应的开始标记：请删除该行或恢复 %s", m[2], beginMarker(m[2]))}
			}
			cur.WriteString(line)
			segs = append(segs, segment{name: open, text: cur.String()})
			cur.Reset()
			open = ""
		}
	}
	if open != "" {
		return nil, &MarkerError{openLine, fmt.Sprintf("生成区块「%s」没有结束标记：请在该区块末尾恢复 %s", open, endMarker(open))}
	}
	if cur.Len() > 0 {
		segs = append(segs, segment{text: cur.String()})
	}
	return segs, nil
}

func blockText(b Block) string {
	return beginMarker(b.Name) + "\n" + strings.TrimRight(b.Markdown, "\n") + "\n" + endMarker(b.Name) + "\n"
}

// FreshBody is the body of a newly created report: the generated blocks,
// with the sections people fill in between the suggestions and the appendix.
func FreshBody(blocks []Block) string {
	var b strings.Builder
	for _, blk := range blocks {
		if blk.Name == "附录" {
			for _, h := range HumanSections {
				fmt.Fprintf(&b, "## %s\n\n%s\n\n", h.Heading, h.Hint)
			}
		}
		b.WriteString(blockText(blk))
		b.WriteString("\n")
	}
	return b.String()
}

// MergeBody replaces the generated blocks of an existing body with fresh
// ones and keeps every byte outside the markers. Blocks the old body lacks
// are inserted after the block that precedes them in the fresh order (or at
// the top); blocks no longer generated are removed.
func MergeBody(old string, lineOffset int, blocks []Block) (string, error) {
	segs, err := split(old, lineOffset)
	if err != nil {
		return "", err
	}
	fresh := map[string]Block{}
	for _, b := range blocks {
		fresh[b.Name] = b
	}
	present := map[string]bool{}
	for _, s := range segs {
		if s.name != "" {
			present[s.name] = true
		}
	}
	if len(present) == 0 && len(blocks) > 0 {
		// A hand-written report without markers: figures first, the text
		// as written, then the appendix last.
		var out strings.Builder
		for _, b := range blocks[:len(blocks)-1] {
			out.WriteString(blockText(b) + "\n")
		}
		out.WriteString(old)
		if !strings.HasSuffix(old, "\n\n") {
			out.WriteString("\n")
		}
		out.WriteString(blockText(blocks[len(blocks)-1]))
		return out.String(), nil
	}
	// A missing block goes after the nearest earlier block (in the fresh
	// order) that the old body has, or at the top.
	after := map[string][]Block{}
	anchor := ""
	for _, b := range blocks {
		if present[b.Name] {
			anchor = b.Name
		} else {
			after[anchor] = append(after[anchor], b)
		}
	}
	var out strings.Builder
	emit := func(key string) {
		for _, b := range after[key] {
			if key != "" || out.Len() > 0 {
				out.WriteString("\n")
			}
			out.WriteString(blockText(b))
		}
		if key == "" && len(after[""]) > 0 {
			out.WriteString("\n")
		}
	}
	emit("")
	for _, s := range segs {
		if s.name == "" {
			out.WriteString(s.text)
			continue
		}
		if b, ok := fresh[s.name]; ok {
			out.WriteString(blockText(b))
			emit(s.name)
		}
	}
	return out.String(), nil
}

// Document is a report record file.
type Document struct {
	Front map[string]any // front matter values the generator writes
	Body  string
}

// frontOrder is the order of the front matter keys.
var frontOrder = []string{"id", "kind", "title", "period_type", "period", "author", "status", "tags", "notes", "generated_at", "figures"}

// Render writes the record file: YAML front matter between --- lines and the body.
func (r *Report) Render(front map[string]any, body string) ([]byte, error) {
	root := &yaml.Node{Kind: yaml.MappingNode}
	add := func(k string, v *yaml.Node) {
		root.Content = append(root.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: k}, v)
	}
	for _, k := range frontOrder {
		v, ok := front[k]
		if !ok || v == nil {
			continue
		}
		if k == "figures" {
			add(k, r.figuresNode())
			continue
		}
		var n yaml.Node
		if err := n.Encode(v); err != nil {
			return nil, fmt.Errorf("front matter %s: %w", k, err)
		}
		if n.Kind == yaml.SequenceNode && len(n.Content) <= 8 {
			n.Style = yaml.FlowStyle // tags: [周报, 重大活动]
		}
		if k == "period" {
			n.Style = yaml.FlowStyle
			n.Content = nil // start before end, dates unquoted
			per, _ := v.(map[string]any)
			for _, pk := range []string{"start", "end"} {
				ps, _ := per[pk].(string)
				n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: pk}, &yaml.Node{Kind: yaml.ScalarNode, Value: ps, Tag: "!!timestamp"})
			}
		}
		add(k, &n)
	}
	var buf bytes.Buffer
	buf.WriteString("---\n")
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(root); err != nil {
		return nil, err
	}
	_ = enc.Close()
	buf.WriteString("---\n\n")
	buf.WriteString(strings.TrimLeft(body, "\n"))
	return buf.Bytes(), nil
}

// figuresNode is figures as one flow mapping per line: key: {label, unit, value, previous}.
func (r *Report) figuresNode() *yaml.Node {
	m := &yaml.Node{Kind: yaml.MappingNode}
	str := func(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Value: s, Tag: "!!str"} }
	numNode := func(v *float64) *yaml.Node {
		if v == nil {
			return &yaml.Node{Kind: yaml.ScalarNode, Value: "null", Tag: "!!null"}
		}
		if *v == float64(int64(*v)) {
			return &yaml.Node{Kind: yaml.ScalarNode, Value: fmt.Sprint(int64(*v)), Tag: "!!int"}
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Value: fmt.Sprint(*v), Tag: "!!float"}
	}
	for _, f := range r.Figures {
		v := &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle, Content: []*yaml.Node{
			str("label"), str(f.Label), str("unit"), str(f.Unit), str("value"), numNode(f.Value), str("previous"), numNode(f.Prev)}}
		m.Content = append(m.Content, str(f.Key), v)
	}
	return m
}

// keptFields are front matter fields people may edit; regeneration keeps them.
var keptFields = []string{"title", "author", "status", "tags", "notes"}

// Regenerate builds the file content for the report: from scratch when old
// is nil, otherwise keeping the old file's human-edited fields and text.
func (r *Report) Regenerate(old *record.Record, author string, generatedAt string) ([]byte, error) {
	front := map[string]any{
		"id": ID(r.Period), "kind": "report", "title": Title(r.Period), "period_type": string(r.Period.Type),
		"period": map[string]any{"start": r.Period.Start.Format("2006-01-02"), "end": r.Period.End.Format("2006-01-02")},
		"author": author, "status": "draft", "generated_at": generatedAt, "figures": true,
	}
	blocks := r.Blocks()
	body := FreshBody(blocks)
	if old != nil {
		for _, k := range keptFields {
			if v, ok := old.Fields[k]; ok && v != nil && v != "" {
				front[k] = v
			}
		}
		var err error
		body, err = MergeBody(old.Body, old.BodyLine, blocks)
		if err != nil {
			return nil, err
		}
	}
	return r.Render(front, body)
}

package record

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math/big"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// MaxDepth caps nesting of mappings and sequences; records are shallow.
const MaxDepth = 32

var yamlLineRe = regexp.MustCompile(`^yaml: (?:line (\d+): )?(.*)$`)

// parseYAML parses exactly one YAML document holding a mapping. lineOffset
// is added to every line (front matter starts below the --- line).
func parseYAML(data []byte, lineOffset int, positions bool) (map[string]any, map[string]Pos, error) {
	var doc yaml.Node
	if mayHoldDocuments(data) {
		dec := yaml.NewDecoder(bytes.NewReader(data))
		if err := dec.Decode(&doc); err != nil {
			if errors.Is(err, io.EOF) {
				return nil, nil, errorf(1+lineOffset, 1, "record/empty", "记录为空：至少需要 id、kind 和 title")
			}
			return nil, nil, syntaxError(err, lineOffset)
		}
		var extra yaml.Node
		switch err := dec.Decode(&extra); {
		case err == nil:
			return nil, nil, errorf(extra.Line+lineOffset, 1, "yaml/multi-document", "一个文件只能有一个 YAML 文档；请删除多余的 --- 分隔行，或拆成多个文件")
		case !errors.Is(err, io.EOF):
			return nil, nil, syntaxError(err, lineOffset)
		}
	} else {
		// One document at most: parsing the bytes in place is much
		// cheaper than the decoder's reader.
		if err := yaml.Unmarshal(data, &doc); err != nil {
			return nil, nil, syntaxError(err, lineOffset)
		}
		if doc.Kind == 0 {
			return nil, nil, errorf(1+lineOffset, 1, "record/empty", "记录为空：至少需要 id、kind 和 title")
		}
	}
	w := walker{lineOffset: lineOffset}
	if positions {
		w.index = map[string]Pos{}
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if root.Kind != yaml.MappingNode {
		if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
			return nil, nil, errorf(1+lineOffset, 1, "record/empty", "记录为空：至少需要 id、kind 和 title")
		}
		return nil, nil, w.errAt(root, "record/not-mapping", "记录的顶层必须是键值映射（key: value），而不是%s", nodeKindName(root))
	}
	v, err := w.value(root, "", 0)
	if err != nil {
		return nil, nil, err
	}
	return v.(map[string]any), w.index, nil
}

// mayHoldDocuments reports whether data has a line that starts with a
// document marker (--- or ...), and so may hold more than one document.
// Lines are those yaml.v3 sees: a lone CR and U+0085, U+2028, U+2029 break
// lines too, so data holding one of those takes the decoder's path.
func mayHoldDocuments(data []byte) bool {
	for i, c := range data {
		if c == '\r' && (i+1 == len(data) || data[i+1] != '\n') {
			return true
		}
	}
	if bytes.ContainsRune(data, '\u0085') || bytes.ContainsRune(data, '\u2028') || bytes.ContainsRune(data, '\u2029') {
		return true
	}
	for line := range bytes.Lines(data) {
		if bytes.HasPrefix(line, []byte("---")) || bytes.HasPrefix(line, []byte("...")) {
			return true
		}
	}
	return false
}

// syntaxError turns a yaml.v3 error string into a positioned Error. yaml.v3
// prints scanner errors with 1-based lines but parser errors ("did not find
// expected …", naming where the unfinished construct began) with 0-based ones,
// and omits line 0 entirely; this undoes both quirks.
func syntaxError(err error, lineOffset int) error {
	msg := err.Error()
	line := 0
	if m := yamlLineRe.FindStringSubmatch(msg); m != nil {
		if m[1] != "" {
			line, _ = strconv.Atoi(m[1])
		}
		msg = m[2]
	}
	if isParserError(msg) || line == 0 {
		line++
	}
	return errorf(line+lineOffset, 1, "yaml/syntax", "YAML 语法错误：%s（检查缩进、冒号后的空格和括号是否配对）", msg)
}

func isParserError(msg string) bool {
	return strings.HasPrefix(msg, "did not find expected") || strings.HasPrefix(msg, "found duplicate %") ||
		msg == "found incompatible YAML document" || msg == "found undefined tag handle"
}

type walker struct {
	index      map[string]Pos
	lineOffset int
}

func (w *walker) errAt(n *yaml.Node, rule, format string, args ...any) *Error {
	return errorf(n.Line+w.lineOffset, n.Column, rule, format, args...)
}

func nodeKindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "列表"
	case yaml.ScalarNode:
		return "单个值"
	case yaml.AliasNode:
		return "别名"
	}
	return "其他结构"
}

func (w *walker) value(n *yaml.Node, ptr string, depth int) (any, error) {
	if depth > MaxDepth {
		return nil, w.errAt(n, "yaml/too-deep", "嵌套超过 %d 层；记录应保持扁平", MaxDepth)
	}
	if n.Kind == yaml.AliasNode {
		return nil, w.errAt(n, "yaml/anchor-alias", "不允许使用 YAML 别名（*%s）；请直接写出内容", n.Value)
	}
	if n.Anchor != "" {
		return nil, w.errAt(n, "yaml/anchor-alias", "不允许使用 YAML 锚点（&%s）；请直接写出内容", n.Anchor)
	}
	if err := w.checkTag(n); err != nil {
		return nil, err
	}
	if w.index != nil {
		pos := w.index[ptr]
		pos.Line, pos.Col = n.Line+w.lineOffset, n.Column
		w.index[ptr] = pos
	}
	switch n.Kind {
	case yaml.MappingNode:
		return w.mapping(n, ptr, depth)
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for i, item := range n.Content {
			var child string
			if w.index != nil {
				child = ptr + "/" + strconv.Itoa(i)
			}
			v, err := w.value(item, child, depth+1)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.ScalarNode:
		return w.scalar(n)
	}
	return nil, w.errAt(n, "yaml/syntax", "无法识别的 YAML 结构")
}

func (w *walker) mapping(n *yaml.Node, ptr string, depth int) (any, error) {
	out := make(map[string]any, len(n.Content)/2)
	seen := make(map[string]int, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.AliasNode || k.Anchor != "" {
			return nil, w.errAt(k, "yaml/anchor-alias", "不允许使用 YAML 锚点或别名")
		}
		if err := w.checkTag(k); err != nil {
			return nil, err
		}
		if k.Kind == yaml.ScalarNode && k.Tag == "!!merge" {
			return nil, w.errAt(k, "yaml/merge-key", "不允许使用合并键（<<）；请直接写出每个字段")
		}
		if k.Kind != yaml.ScalarNode || k.Tag != "!!str" {
			return nil, w.errAt(k, "yaml/non-string-key", "键必须是字符串，%q 不是；如确需此名称请加引号", k.Value)
		}
		if first, dup := seen[k.Value]; dup {
			return nil, w.errAt(k, "yaml/duplicate-key", "重复的键 %q（第一次出现在第 %d 行）；请删除或合并其中一个", k.Value, first)
		}
		seen[k.Value] = k.Line + w.lineOffset
		var child string
		if w.index != nil { // positions wanted: JSON pointer → line:col
			child = ptr + "/" + EscapeToken(k.Value)
			w.index[child] = Pos{KeyLine: k.Line + w.lineOffset, KeyCol: k.Column}
		}
		val, err := w.value(v, child, depth+1)
		if err != nil {
			return nil, err
		}
		out[k.Value] = val
	}
	return out, nil
}

// checkTag refuses a tag written in the source (!!binary, !!timestamp,
// !!int, !!set, !custom, %TAG-expanded …) unless it only restates the
// node's plain kind: !!str on a scalar, !!map on a mapping, !!seq on a
// sequence. Tags yaml.v3 resolves for untagged scalars are not affected.
func (w *walker) checkTag(n *yaml.Node) error {
	if n.Style&yaml.TaggedStyle == 0 {
		return nil
	}
	switch {
	case n.Kind == yaml.ScalarNode && n.Tag == "!!str",
		n.Kind == yaml.MappingNode && n.Tag == "!!map",
		n.Kind == yaml.SequenceNode && n.Tag == "!!seq":
		return nil
	}
	return w.errAt(n, "yaml/tag", "不支持的 YAML 标签 %s；请去掉标签，直接写值（文本需要时加引号）", n.Tag)
}

var decimalInt = regexp.MustCompile(`^[-+]?[0-9]+$`)

// scalar converts a scalar without YAML 1.1 coercions: timestamps stay
// strings, integers keep every digit, and unknown tags are rejected (explicit
// tags were refused before, by checkTag).
func (w *walker) scalar(n *yaml.Node) (any, error) {
	switch n.Tag {
	case "!!str", "!!timestamp": // timestamps only as resolved, never tagged (checkTag)
		return n.Value, nil
	case "!!null":
		return nil, nil
	case "!!bool":
		return strings.EqualFold(n.Value, "true"), nil
	case "!!int":
		return w.integer(n)
	case "!!float":
		if s := strings.ReplaceAll(n.Value, "_", ""); decimalInt.MatchString(s) {
			return w.integer(n) // an integer too long for int64
		}
		f, err := strconv.ParseFloat(strings.ReplaceAll(n.Value, "_", ""), 64)
		if err != nil || f != f || f > 1e308 || f < -1e308 {
			return nil, w.errAt(n, "yaml/number", "无法表示的数值 %q；如是文本请加引号", n.Value)
		}
		return json.Number(strconv.FormatFloat(f, 'g', -1, 64)), nil
	}
	return nil, w.errAt(n, "yaml/tag", "不支持的 YAML 标签 %s；请去掉标签", n.Tag)
}

func (w *walker) integer(n *yaml.Node) (any, error) {
	s := strings.ReplaceAll(n.Value, "_", "")
	if decimalInt.MatchString(s) {
		var b big.Int
		if _, ok := b.SetString(s, 10); ok {
			return json.Number(b.String()), nil
		}
	}
	var b big.Int
	if _, ok := b.SetString(strings.Replace(s, "0o", "0", 1), 0); ok {
		return json.Number(b.String()), nil
	}
	return nil, w.errAt(n, "yaml/number", "无法识别的整数 %q；如是文本请加引号", n.Value)
}

// ParseYAML parses a standalone YAML file (a schema, the repository config)
// with the same strict rules as records.
func ParseYAML(data []byte) (map[string]any, map[string]Pos, error) {
	if err := checkText(data); err != nil {
		return nil, nil, err
	}
	return parseYAML(data, 0, true)
}

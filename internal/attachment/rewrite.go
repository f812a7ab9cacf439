package attachment

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/opsbook/opsbook/internal/record"
)

// RewriteFiles returns the record source data (a YAML record or Markdown
// with front matter, at repository path rel) with its top-level `files:`
// block replaced by files — every line from the `files:` key to the next
// top-level key, leaving comment lines that start in column 1 before that
// key in place — or, when the record has no `files:` yet, with the block
// inserted before `confidentiality`, `attributes` or `tags` (else at the
// end of the YAML). Everything else is kept byte for byte; comments inside
// the old block are lost.
func RewriteFiles(data []byte, rel string, files []Ref) ([]byte, error) {
	r, err := record.Parse(rel, data)
	if err != nil {
		return nil, err
	}
	lines := strings.SplitAfter(string(data), "\n")
	// keyLines are the lines of the top-level keys, in order.
	type key struct {
		name string
		line int
	}
	var keys []key
	for ptr, p := range r.Index {
		if ptr != "" && strings.Count(ptr, "/") == 1 && p.KeyLine > 0 {
			keys = append(keys, key{ptr[1:], p.KeyLine})
		}
	}
	for i := range keys {
		for j := i + 1; j < len(keys); j++ {
			if keys[j].line < keys[i].line {
				keys[i], keys[j] = keys[j], keys[i]
			}
		}
	}
	// end is the 1-based line just past the YAML: the closing --- of front
	// matter, or one past the last line.
	end := len(lines) + 1
	if record.IsMarkdown(rel) {
		end = r.BodyLine - 1
	}
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
		if !record.IsMarkdown(rel) {
			end = len(lines) + 1
		}
	}
	block := FilesBlock(files)
	var from, to int // replace lines [from, to) (1-based)
	at := -1
	for i, k := range keys {
		if k.name == "files" {
			at = i
		}
	}
	if at >= 0 {
		if p := r.KeyAt("/files"); p.Col != 1 {
			return nil, fmt.Errorf("%s:%d:%d: files 应是顶层字段（从第 1 列开始）", rel, p.Line, p.Col)
		}
		from, to = keys[at].line, end
		if at+1 < len(keys) {
			to = keys[at+1].line
		}
		for to-1 > from {
			l := strings.TrimRight(lines[to-2], "\r\n")
			if strings.TrimSpace(l) == "" || strings.HasPrefix(l, "#") {
				to--
				continue
			}
			break
		}
	} else {
		from = end
		for _, name := range []string{"confidentiality", "attributes", "tags"} {
			for _, k := range keys {
				if k.name == name && k.line < from {
					from = k.line
				}
			}
			if from != end {
				break
			}
		}
		// Keep a comment block that introduces the key we insert before.
		for from > 1 && strings.HasPrefix(lines[from-2], "#") && from != end {
			from--
		}
		to = from
	}
	var b bytes.Buffer
	for i, l := range lines {
		n := i + 1
		if n == from {
			b.WriteString(block)
		}
		if n >= from && n < to {
			continue
		}
		b.WriteString(l)
	}
	if from > len(lines) {
		if b.Len() > 0 && !bytes.HasSuffix(b.Bytes(), []byte("\n")) {
			b.WriteByte('\n')
		}
		b.WriteString(block)
	}
	out := b.Bytes()
	// The result must load and list exactly the files given.
	check, err := record.Parse(rel, out)
	if err != nil {
		return nil, fmt.Errorf("改写后的记录无法解析（请手工编辑 files）：%w", err)
	}
	got := Refs(check.Fields)
	if len(got) != len(files) {
		return nil, fmt.Errorf("改写后的记录有 %d 个附件，应为 %d 个（请手工编辑 files）", len(got), len(files))
	}
	for i := range got {
		if got[i].Path != files[i].Path || got[i].SHA256 != files[i].SHA256 || got[i].Size != files[i].Size {
			return nil, fmt.Errorf("改写后的记录第 %d 个附件不一致（请手工编辑 files）", i+1)
		}
	}
	return out, nil
}

// FilesBlock renders a `files:` block.
func FilesBlock(files []Ref) string {
	var b strings.Builder
	b.WriteString("files:\n")
	for _, f := range files {
		fmt.Fprintf(&b, "  - path: %s\n", yamlString(f.Path))
		if f.SHA256 != "" {
			fmt.Fprintf(&b, "    sha256: %s\n", f.SHA256)
		}
		if f.Size >= 0 {
			fmt.Fprintf(&b, "    size: %d\n", f.Size)
		}
	}
	return b.String()
}

var plainSafe = regexp.MustCompile(`^[\p{L}\p{N}_][\p{L}\p{N}_ .()（）【】《》、，·+\-—/]*$`)
var plainLooksTyped = regexp.MustCompile(`^[-+]?[0-9.]|^(?i:true|false|yes|no|on|off|null|~)$`)

// yamlString writes s as a plain YAML scalar when that reads back as the
// same string, else double-quoted.
func yamlString(s string) string {
	if plainSafe.MatchString(s) && !plainLooksTyped.MatchString(s) && !strings.Contains(s, " #") && strings.TrimSpace(s) == s {
		return s
	}
	return strconv.Quote(s)
}

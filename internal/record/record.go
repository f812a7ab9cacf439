package record

import (
	"path"
	"strings"
)

// Pos is where a value (and, for mapping values, its key) starts in the file.
type Pos struct {
	Line, Col       int // the value
	KeyLine, KeyCol int // the key naming it; zero for the root and array items
}

// Record is one loaded file.
type Record struct {
	Path     string         // repository-relative, slash-separated
	Fields   map[string]any // the YAML document (front matter for Markdown)
	Body     string         // Markdown body; empty for YAML records
	BodyLine int            // 1-based line of the body's first line
	Index    map[string]Pos // JSON pointer ("" is the root) → position
}

// ID returns the record's "id" field, or "" when missing or not a string.
func (r *Record) ID() string { s, _ := r.Fields["id"].(string); return s }

// Kind returns the record's "kind" field, or "" when missing or not a string.
func (r *Record) Kind() string { s, _ := r.Fields["kind"].(string); return s }

// Title returns the record's "title" field, or "" when missing.
func (r *Record) Title() string { s, _ := r.Fields["title"].(string); return s }

// IsMarkdown reports whether the file is a Markdown record.
func IsMarkdown(p string) bool { return strings.EqualFold(path.Ext(p), ".md") }

// IsRecordFile reports whether p has an extension the loader reads.
func IsRecordFile(p string) bool {
	switch strings.ToLower(path.Ext(p)) {
	case ".md", ".yaml", ".yml":
		return true
	}
	return false
}

// At returns the position of the value at pointer, falling back to the
// nearest enclosing value that has one, then to line 1.
func (r *Record) At(pointer string) Pos {
	for {
		if p, ok := r.Index[pointer]; ok {
			return p
		}
		i := strings.LastIndexByte(pointer, '/')
		if i < 0 {
			return Pos{Line: 1, Col: 1}
		}
		pointer = pointer[:i]
	}
}

// KeyAt returns the position of the key naming pointer, or of the value when
// it has no key.
func (r *Record) KeyAt(pointer string) Pos {
	p := r.At(pointer)
	if p.KeyLine > 0 {
		return Pos{Line: p.KeyLine, Col: p.KeyCol}
	}
	return p
}

// Pointer joins reference tokens into a JSON pointer, escaping ~ and /.
func Pointer(tokens ...string) string {
	var b strings.Builder
	for _, t := range tokens {
		b.WriteByte('/')
		b.WriteString(EscapeToken(t))
	}
	return b.String()
}

var tokenEscaper = strings.NewReplacer("~", "~0", "/", "~1")

// EscapeToken escapes one JSON pointer reference token.
func EscapeToken(t string) string {
	if !strings.ContainsAny(t, "~/") {
		return t
	}
	return tokenEscaper.Replace(t)
}

// Str returns field k when it is a string, else "". It is for code that
// reads fields by a name it is given (schema-driven pages, generic
// helpers); code about one kind reads that kind's view in internal/kind.
func (r *Record) Str(k string) string { s, _ := r.Fields[k].(string); return s }

// List returns field k when it is a list, else nil.
func (r *Record) List(k string) []any { l, _ := r.Fields[k].([]any); return l }

// Object returns field k when it is a mapping, else nil.
func (r *Record) Object(k string) map[string]any { m, _ := r.Fields[k].(map[string]any); return m }

// Bool reports whether field k is the boolean true.
func (r *Record) Bool(k string) bool { b, _ := r.Fields[k].(bool); return b }

// Has reports whether field k is written, whatever its value.
func (r *Record) Has(k string) bool { _, ok := r.Fields[k]; return ok }

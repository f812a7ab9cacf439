package condition

import (
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// op is a comparison operator; opNone marks a standalone has().
type op uint8

const (
	opNone op = iota
	opEq
	opNe
	opLt
	opLe
	opGt
	opGe
)

var opText = [...]string{"", "==", "!=", "<", "<=", ">", ">="}

func (o op) ordering() bool { return o >= opLt }

// accessor is one step of a path: .key, ["key"] or [index].
type accessor struct {
	key     string
	index   int
	isIndex bool
}

// path is [NAME] followed by accessors.
type path struct {
	name string
	acc  []accessor
}

// write renders the path, up to but not including accessor n.
func (p *path) write(b *strings.Builder, n int) {
	b.WriteByte('[')
	b.WriteString(p.name)
	b.WriteByte(']')
	for _, a := range p.acc[:n] {
		a.write(b)
	}
}

func (a accessor) write(b *strings.Builder) {
	switch {
	case a.isIndex:
		b.WriteByte('[')
		b.WriteString(strconv.Itoa(a.index))
		b.WriteByte(']')
	case isSimpleKey(a.key):
		b.WriteByte('.')
		b.WriteString(a.key)
	default:
		b.WriteByte('[')
		b.WriteString(strconv.Quote(a.key))
		b.WriteByte(']')
	}
}

// prefix is the text of the path up to accessor n, for messages.
func (p *path) prefix(n int) string {
	var b strings.Builder
	p.write(&b, n)
	return b.String()
}

// isSimpleKey reports whether key can be written after a dot.
func isSimpleKey(key string) bool {
	if key == "" || !utf8.ValidString(key) {
		return false
	}
	for _, r := range key {
		if isDelim(r) || r == '.' {
			return false
		}
	}
	return true
}

// operandKind tells what an operand is.
type operandKind uint8

const (
	kPath operandKind = iota
	kLit
	kLen
	kHas
	kPat
	kAny
)

// operand is one side of a condition.
type operand struct {
	kind  operandKind
	col   int       // 1-based rune column where it starts
	path  *path     // kPath, kLen, kHas
	lit   literal   // kLit
	glob  string    // kPat
	items []literal // kAny
}

func (o *operand) write(b *strings.Builder) {
	switch o.kind {
	case kPath:
		o.path.write(b, len(o.path.acc))
	case kLit:
		o.lit.write(b)
	case kLen, kHas:
		if o.kind == kLen {
			b.WriteString("len(")
		} else {
			b.WriteString("has(")
		}
		o.path.write(b, len(o.path.acc))
		b.WriteByte(')')
	case kPat:
		b.WriteString("pat(")
		if o.glob != strings.TrimSpace(o.glob) || strings.HasPrefix(o.glob, `"`) || !utf8.ValidString(o.glob) {
			b.WriteString(strconv.Quote(o.glob))
		} else {
			b.WriteString(o.glob)
		}
		b.WriteByte(')')
	case kAny:
		b.WriteString("any(")
		for i, it := range o.items {
			if i > 0 {
				b.WriteString(", ")
			}
			it.write(b)
		}
		b.WriteByte(')')
	}
}

// Condition is a parsed condition. It is immutable and safe for
// concurrent use.
type Condition struct {
	left, right operand
	op          op
	names       []string
}

// String returns the canonical text of the condition: single spaces
// around the operator, paths and literals as Parse reads them back.
func (c *Condition) String() string {
	var b strings.Builder
	c.left.write(&b)
	if c.op != opNone {
		b.WriteByte(' ')
		b.WriteString(opText[c.op])
		b.WriteByte(' ')
		c.right.write(&b)
	}
	return b.String()
}

// Placeholders returns the placeholder names the condition uses, without
// brackets, in order of appearance and without repeats.
func (c *Condition) Placeholders() []string { return slices.Clone(c.names) }

func (c *Condition) collectNames() {
	for _, o := range []*operand{&c.left, &c.right} {
		if o.path != nil && !slices.Contains(c.names, o.path.name) {
			c.names = append(c.names, o.path.name)
		}
	}
}

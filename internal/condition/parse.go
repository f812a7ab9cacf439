package condition

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxInput bounds the length of a condition, in bytes.
const maxInput = 4096

// Parse reads a condition. Errors are *Error values with the column and a
// Chinese hint.
func Parse(s string) (*Condition, error) {
	if len(s) > maxInput {
		return nil, &Error{s, 1, fmt.Sprintf("条件过长（%d 字节，上限 %d）；请拆成多个条件", len(s), maxInput)}
	}
	if !utf8.ValidString(s) {
		i := 0
		for i < len(s) {
			r, n := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && n == 1 {
				break
			}
			i += n
		}
		return nil, &Error{s, col(s, i), "含有非法的 UTF-8 字节；请把文件保存为 UTF-8 编码"}
	}
	p := parser{src: s}
	return p.condition()
}

type parser struct {
	src string
	pos int // byte offset
}

func (p *parser) fail(off int, format string, args ...any) *Error {
	return &Error{p.src, col(p.src, off), fmt.Sprintf(format, args...)}
}

func (p *parser) eof() bool { return p.pos >= len(p.src) }

func (p *parser) peek() rune {
	if p.eof() {
		return 0
	}
	r, _ := utf8.DecodeRuneInString(p.src[p.pos:])
	return r
}

func (p *parser) skipSpace() {
	for !p.eof() {
		r, n := utf8.DecodeRuneInString(p.src[p.pos:])
		if !unicode.IsSpace(r) {
			return
		}
		p.pos += n
	}
}

// isDelim reports whether r ends a word or a key.
func isDelim(r rune) bool {
	return unicode.IsSpace(r) || strings.ContainsRune(`()[],"=<>!`, r)
}

// scanWord consumes characters up to a delimiter (or also '.' when dot).
func (p *parser) scanWord(dot bool) string {
	start := p.pos
	for !p.eof() {
		r, n := utf8.DecodeRuneInString(p.src[p.pos:])
		if isDelim(r) || dot && r == '.' {
			break
		}
		p.pos += n
	}
	return p.src[start:p.pos]
}

// next is the text at off for messages: the rest of the word or symbol.
func (p *parser) next(off int) string {
	rest := p.src[off:]
	if rest == "" {
		return "（结尾）"
	}
	r, n := utf8.DecodeRuneInString(rest)
	if isDelim(r) {
		return rest[:n]
	}
	q := parser{src: rest}
	return truncate(q.scanWord(false), 20)
}

func (p *parser) condition() (*Condition, error) {
	p.skipSpace()
	if p.eof() {
		return nil, p.fail(p.pos, "条件为空；例如 [STATUS] == 200")
	}
	c := &Condition{}
	var err error
	if c.left, err = p.operand(false); err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.eof() {
		if c.left.kind == kHas {
			c.collectNames()
			return c, nil
		}
		return nil, p.fail(p.pos, "%s", missingOperator(&c.left))
	}
	opStart := p.pos
	if c.op, err = p.operator(); err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.eof() {
		return nil, p.fail(p.pos, "运算符 %s 右侧缺少要比较的值；例如 [STATUS] %s 200", opText[c.op], opText[c.op])
	}
	if c.right, err = p.operand(true); err != nil {
		return nil, err
	}
	p.skipSpace()
	if !p.eof() {
		return nil, p.fail(p.pos, "多余的内容 %q；含空格或符号的文本请加英文双引号，例如 \"active (running)\"", p.next(p.pos))
	}
	if err := p.check(c, opStart); err != nil {
		return nil, err
	}
	c.collectNames()
	return c, nil
}

func missingOperator(o *operand) string {
	switch o.kind {
	case kPath:
		return fmt.Sprintf("缺少比较运算符和右侧的值；例如 %s == 200，真假值写成 %s == true", o.path.prefix(len(o.path.acc)), o.path.prefix(len(o.path.acc)))
	case kLen:
		return "缺少比较运算符和右侧的值；例如 len([BODY].items) > 0"
	case kLit:
		if validName(o.lit.text) {
			return fmt.Sprintf("缺少比较运算符；占位符要加方括号，例如 [%s] == 200", o.lit.text)
		}
	}
	return "缺少比较运算符（== != < <= > >=）；例如 [STATUS] == 200"
}

func (p *parser) operator() (op, error) {
	s := p.src[p.pos:]
	two := func(o op) (op, error) { p.pos += 2; return o, nil }
	one := func(o op) (op, error) { p.pos++; return o, nil }
	at := func(i int) byte {
		if i < len(s) {
			return s[i]
		}
		return 0
	}
	switch at(0) {
	case '=':
		switch at(1) {
		case '=':
			return two(opEq)
		case '>', '<':
			return 0, p.fail(p.pos, "运算符写法有误；大于等于写 >=，小于等于写 <=")
		}
		return 0, p.fail(p.pos, "等于请写 ==（两个等号）")
	case '!':
		if at(1) == '=' {
			return two(opNe)
		}
		return 0, p.fail(p.pos, "不等于请写 !=")
	case '<':
		switch at(1) {
		case '=':
			return two(opLe)
		case '>':
			return 0, p.fail(p.pos, "不等于请写 !=")
		}
		return one(opLt)
	case '>':
		if at(1) == '=' {
			return two(opGe)
		}
		return one(opGt)
	}
	if strings.ContainsRune("＝＜＞！≠≤≥", p.peek()) {
		return 0, p.fail(p.pos, "请使用半角（英文）运算符：== != < <= > >=")
	}
	return 0, p.fail(p.pos, "此处需要比较运算符（== != < <= > >=），遇到 %q；含空格的文本请加英文双引号", p.next(p.pos))
}

func (p *parser) operand(right bool) (operand, error) {
	start := p.pos
	o := operand{col: col(p.src, start)}
	r := p.peek()
	switch {
	case r == '[':
		pth, err := p.path()
		if err != nil {
			return o, err
		}
		o.kind, o.path = kPath, pth
	case r == '"':
		s, err := p.quoted()
		if err != nil {
			return o, err
		}
		o.kind, o.lit = kLit, literal{litQuoted, s, s}
	case isDelim(r):
		return o, p.fail(start, "此处需要占位符（如 [STATUS]）、函数或值，遇到 %q", p.next(start))
	default:
		w := p.scanWord(false)
		if !p.eof() && p.src[p.pos] == '(' {
			return p.call(w, o, start, right)
		}
		if hint := fullwidthHint(w); hint != "" {
			return o, p.fail(start, "%s", hint)
		}
		o.kind, o.lit = kLit, classify(w)
	}
	return o, nil
}

// fullwidthHint catches full-width punctuation typed where the syntax needs
// ASCII, a common slip with a Chinese input method.
func fullwidthHint(w string) string {
	for _, f := range []string{"len", "has", "pat", "any"} {
		if strings.HasPrefix(w, f+"（") {
			return fmt.Sprintf("函数名后请用半角括号，例如 %s(…)", f)
		}
	}
	r, _ := utf8.DecodeRuneInString(w)
	switch r {
	case '【', '［':
		return "占位符请用半角方括号，例如 [STATUS]"
	case '“', '”', '＂':
		return "文本请用英文双引号 \"…\""
	}
	return ""
}

// validName reports whether s is a placeholder name: A-Z, then A-Z 0-9 _.
func validName(s string) bool {
	if s == "" || s[0] < 'A' || s[0] > 'Z' {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

func (p *parser) path() (*path, error) {
	start := p.pos
	p.pos++ // [
	p.skipSpace()
	nameAt := p.pos
	name := p.scanWord(false)
	p.skipSpace()
	if p.eof() || p.src[p.pos] != ']' {
		if name == "" {
			return nil, p.fail(nameAt, "此处需要占位符名称，例如 [STATUS]")
		}
		return nil, p.fail(p.pos, "占位符缺少 ]；例如 [%s]", name)
	}
	switch {
	case name == "":
		return nil, p.fail(start, "占位符名称为空；例如 [STATUS]")
	case !validName(name) && validName(strings.ToUpper(name)):
		return nil, p.fail(nameAt, "占位符名称须大写：[%s]", strings.ToUpper(name))
	case !validName(name):
		return nil, p.fail(nameAt, "占位符名称 %q 不合法：只能用大写字母、数字和下划线，以字母开头，例如 [RESPONSE_TIME]", name)
	}
	p.pos++ // ]
	pth := &path{name: name}
	for !p.eof() {
		switch p.src[p.pos] {
		case '.':
			p.pos++
			keyAt := p.pos
			key := p.scanWord(true)
			if key == "" {
				return nil, p.fail(keyAt, "“.” 后缺少字段名；例如 [BODY].data.status，含特殊字符的字段写成 [\"a.b\"]")
			}
			pth.acc = append(pth.acc, accessor{key: key})
		case '[':
			a, err := p.bracket()
			if err != nil {
				return nil, err
			}
			pth.acc = append(pth.acc, a)
		default:
			return pth, nil
		}
	}
	return pth, nil
}

// maxIndex bounds list indexes written in conditions.
const maxIndex = 1 << 30

// bracket reads [index] or ["key"] after a placeholder.
func (p *parser) bracket() (accessor, error) {
	p.pos++ // [
	p.skipSpace()
	var a accessor
	at := p.pos
	if p.peek() == '"' {
		key, err := p.quoted()
		if err != nil {
			return a, err
		}
		a.key = key
	} else {
		w := p.scanWord(false)
		i, err := strconv.Atoi(w)
		switch {
		case w == "" || err != nil && !errors.Is(err, strconv.ErrRange):
			return a, p.fail(at, "下标须是整数或带引号的字段名，例如 [0]、[-1] 或 [\"a.b\"]")
		case err != nil || i > maxIndex || i < -maxIndex:
			return a, p.fail(at, "下标 %s 过大", w)
		}
		a.index, a.isIndex = i, true
	}
	p.skipSpace()
	if p.eof() || p.src[p.pos] != ']' {
		return a, p.fail(p.pos, "缺少 ]；下标写成 [0]，字段写成 [\"a.b\"]")
	}
	p.pos++
	return a, nil
}

// quoted reads a Go double-quoted string at p.pos.
func (p *parser) quoted() (string, error) {
	start := p.pos
	i := start + 1
	for i < len(p.src) && p.src[i] != '"' {
		if p.src[i] == '\\' {
			i++
		}
		i++
	}
	if i >= len(p.src) {
		return "", p.fail(start, "引号没有闭合；请在文本末尾补上 \"")
	}
	s, err := strconv.Unquote(p.src[start : i+1])
	if err != nil {
		return "", p.fail(start, "带引号的文本写法有误；引号内的 \" 写成 \\\"，\\ 写成 \\\\")
	}
	p.pos = i + 1
	return s, nil
}

func (p *parser) call(name string, o operand, start int, right bool) (operand, error) {
	switch name {
	case "len", "has":
		p.pos++ // (
		p.skipSpace()
		if p.peek() != '[' {
			return o, p.fail(p.pos, "%s() 的参数须是占位符路径，例如 %s([BODY].items)", name, name)
		}
		pth, err := p.path()
		if err != nil {
			return o, err
		}
		p.skipSpace()
		if p.peek() != ')' {
			return o, p.fail(p.pos, "%s( 缺少右括号 )；例如 %s([BODY].items)", name, name)
		}
		p.pos++
		o.kind, o.path = kLen, pth
		if name == "has" {
			o.kind = kHas
		}
		return o, nil
	case "pat", "any":
		if !right {
			return o, p.fail(start, "%s() 只能写在运算符右侧，例如 [BODY] == pat(*正常*) 或 [STATUS] == any(200, 204)", name)
		}
		p.pos++ // (
		p.skipSpace()
		if name == "any" {
			return p.anyArgs(o)
		}
		o.kind = kPat
		if p.peek() == '"' {
			s, err := p.quoted()
			if err != nil {
				return o, err
			}
			p.skipSpace()
			if p.peek() != ')' {
				return o, p.fail(p.pos, "pat(\"…\") 的引号后应是右括号 )")
			}
			p.pos++
			o.glob = s
			return o, nil
		}
		// The glob runs to the last ")" so it may hold parentheses itself.
		t := strings.TrimRightFunc(p.src[p.pos:], unicode.IsSpace)
		if !strings.HasSuffix(t, ")") {
			return o, p.fail(len(p.src), "pat( 缺少右括号 )；例如 pat(*正常*)")
		}
		o.glob = strings.TrimSpace(t[:len(t)-1])
		p.pos += len(t)
		return o, nil
	}
	return o, p.fail(start, "未知函数 %s()；可用 len()、has()、pat()、any()；若是文本，请加英文双引号", name)
}

func (p *parser) anyArgs(o operand) (operand, error) {
	o.kind = kAny
	for {
		p.skipSpace()
		at := p.pos
		r := p.peek()
		switch {
		case p.eof():
			return o, p.fail(at, "any( 缺少右括号 )；例如 any(200, 204)")
		case r == ')' && len(o.items) == 0:
			return o, p.fail(at, "any() 至少需要一个值，例如 any(200, 204)")
		case r == '"':
			s, err := p.quoted()
			if err != nil {
				return o, err
			}
			o.items = append(o.items, literal{litQuoted, s, s})
		case isDelim(r):
			return o, p.fail(at, "any() 中此处需要一个值，遇到 %q；含空格或符号的值请加英文双引号", p.next(at))
		default:
			w := p.scanWord(false)
			if p.peek() == '(' {
				return o, p.fail(at, "any() 中只能写值，不能写函数")
			}
			if hint := fullwidthHint(w); hint != "" {
				return o, p.fail(at, "%s", hint)
			}
			o.items = append(o.items, classify(w))
		}
		p.skipSpace()
		switch p.peek() {
		case ',':
			p.pos++
		case ')':
			p.pos++
			return o, nil
		default:
			if p.eof() {
				return o, p.fail(p.pos, "any( 缺少右括号 )；例如 any(200, 204)")
			}
			return o, p.fail(p.pos, "any() 的值之间用英文逗号分隔，以 ) 结束；遇到 %q", p.next(p.pos))
		}
	}
}

// check rejects conditions that parse but cannot mean anything.
func (p *parser) check(c *Condition, opStart int) error {
	failAt := func(o *operand, format string, args ...any) error {
		return &Error{p.src, o.col, fmt.Sprintf(format, args...)}
	}
	if (c.right.kind == kPat || c.right.kind == kAny) && c.op.ordering() {
		return p.fail(opStart, "pat() 和 any() 只能与 == 或 != 一起使用")
	}
	sides := [2]*operand{&c.left, &c.right}
	if c.op.ordering() {
		for _, o := range sides {
			switch {
			case o.kind == kHas:
				return failAt(o, "has() 的结果是真假值，只能用 == 或 != 比较")
			case o.kind != kLit:
			case o.lit.kind == litBool:
				return failAt(o, "true/false 只能用 == 或 != 比较")
			case o.lit.kind == litQuoted:
				return failAt(o, "带引号的文本只能用 == 或 != 比较")
			case o.lit.kind == litWord:
				return failAt(o, "%q 不是数字、时长（如 2s、26h、7d）或大小（如 512MB、1GB），不能用 %s 比较", o.lit.text, opText[c.op])
			}
		}
	}
	for i, o := range sides {
		other := sides[1-i]
		if o.kind == kLen && other.kind == kLit && (other.lit.kind == litDuration || other.lit.kind == litSize) {
			return failAt(other, "len() 得到的是个数，不能与时长或大小 %s 比较", other.lit.text)
		}
	}
	if c.left.path == nil && c.right.path == nil {
		for _, o := range sides {
			if o.kind == kLit && o.lit.kind == litWord && validName(o.lit.text) {
				return failAt(o, "占位符要加方括号：[%s]", o.lit.text)
			}
		}
		return p.fail(0, "条件中没有占位符；例如 [STATUS] == 200")
	}
	for i, o := range sides {
		lit := sides[1-i]
		if o.kind != kPath || len(o.path.acc) > 0 || lit.kind != kLit {
			continue
		}
		name, l := o.path.name, lit.lit
		zero := l.kind == litNumber && isZero(l.val)
		switch expectedKind(name) {
		case litDuration:
			if l.kind == litNumber && !zero {
				return failAt(lit, "[%s] 是时长，数字 %s 须带单位；请写成 %ss、%sm 或 %sh", name, l.text, l.text, l.text, l.text)
			}
			if l.kind != litDuration && !zero {
				return failAt(lit, "[%s] 是时长，%s 不是时长；请写成 2s、500ms、26h 或 7d 这样的时长", name, litDisplay(l))
			}
		case litSize:
			if l.kind == litNumber && !zero {
				return failAt(lit, "[%s] 是大小，数字 %s 须带单位；请写成 %sMB、%sGB 或 %sB", name, l.text, l.text, l.text, l.text)
			}
			if l.kind != litSize && !zero {
				return failAt(lit, "[%s] 是大小，%s 不是大小；请写成 512MB、1GB 或 10KiB 这样的大小", name, litDisplay(l))
			}
		}
	}
	return nil
}

func litDisplay(l literal) string {
	var b strings.Builder
	l.write(&b)
	return b.String()
}

var durationSuffixes = []string{"TIME", "AGE", "EXPIRY", "DURATION", "LATENCY", "ELAPSED", "UPTIME"}

// expectedKind is the literal kind a placeholder's name promises, by the
// naming convention of check types: *_TIME, *_AGE … hold durations,
// SIZE and *_SIZE sizes.
func expectedKind(name string) litKind {
	for _, s := range durationSuffixes {
		if name == s || strings.HasSuffix(name, "_"+s) {
			return litDuration
		}
	}
	if name == "SIZE" || strings.HasSuffix(name, "_SIZE") {
		return litSize
	}
	return litWord
}

package condition

import (
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"
)

// side is an evaluated operand: its value and, for a literal, the literal
// (so text comparison uses the text as written and a bare number literal
// can be told from a number value).
type side struct {
	v   any
	lit *literal
}

// incomparable is the outcome of relate for values that are merely
// unequal: text that differs, NaN.
const incomparable = 2

// compare applies o to a and b. The reason is set when they cannot be
// compared at all; the outcome is then false.
func compare(o op, a, b side) (bool, string) {
	c, why := relate(a, b, o)
	if why != "" {
		return false, why
	}
	switch o {
	case opEq:
		return c == 0, ""
	case opNe:
		return c != 0, ""
	}
	if c == incomparable {
		return false, fmt.Sprintf("%s 与 %s 无法比较大小", describe(a.v), describe(b.v))
	}
	switch o {
	case opLt:
		return c < 0, ""
	case opLe:
		return c <= 0, ""
	case opGt:
		return c > 0, ""
	}
	return c >= 0, ""
}

func flip(c int) int {
	if c == -1 || c == 1 {
		return -c
	}
	return c
}

// relate orders a against b: -1, 0, 1 or incomparable, or a reason why
// the two cannot be compared with o.
func relate(a, b side, o op) (int, string) {
	ord := o.ordering()
	for _, s := range [2]side{a, b} {
		switch kindOf(s.v) {
		case vList, vMap:
			return 0, fmt.Sprintf("不能直接比较%s；请用 len(…)、has(…) 或 .字段、[下标] 取出其中的值", describe(s.v))
		case vOther:
			return 0, fmt.Sprintf("不能比较%s", describe(s.v))
		}
	}
	ka, kb := kindOf(a.v), kindOf(b.v)
	if ka == vNull || kb == vNull {
		if ord {
			return 0, fmt.Sprintf("值为 null，不能用 %s 比较", opText[o])
		}
		if ka == kb || isNullWord(a) || isNullWord(b) {
			return 0, ""
		}
		return incomparable, ""
	}
	if ka == vStr && kb != vStr {
		return relateText(a, b, o)
	}
	if kb == vStr && ka != vStr {
		c, why := relateText(b, a, o)
		return flip(c), why
	}
	switch {
	case ka == vStr:
		x, y := a.v.(string), b.v.(string)
		if !ord {
			if x == y {
				return 0, ""
			}
			return incomparable, ""
		}
		nx, okx := parseNumber(strings.TrimSpace(x))
		ny, oky := parseNumber(strings.TrimSpace(y))
		if okx && oky {
			return cmpNum(nx, ny), ""
		}
		return 0, fmt.Sprintf("文本只能用 == 或 != 比较，不能用 %s（%s 与 %s）", opText[o], describe(a.v), describe(b.v))
	case ka == vNum && kb == vNum:
		return cmpNum(a.v, b.v), ""
	case ka == vDur && kb == vDur:
		return cmpInt(int64(a.v.(time.Duration)), int64(b.v.(time.Duration))), ""
	case ka == vSize && kb == vSize:
		return cmpInt(int64(a.v.(Size)), int64(b.v.(Size))), ""
	case ka == vBool && kb == vBool:
		if ord {
			return 0, fmt.Sprintf("真假值只能用 == 或 != 比较，不能用 %s", opText[o])
		}
		if a.v.(bool) == b.v.(bool) {
			return 0, ""
		}
		return incomparable, ""
	case kb == vNum && (ka == vDur || ka == vSize):
		return unitless(a, b)
	case ka == vNum && (kb == vDur || kb == vSize):
		c, why := unitless(b, a)
		return flip(c), why
	}
	return 0, fmt.Sprintf("类型不同，无法比较：%s 与 %s", describe(a.v), describe(b.v))
}

func isNullWord(s side) bool { return s.lit != nil && s.lit.kind == litWord && s.lit.text == "null" }

// unitless orders a duration or size u against a plain number n. Zero
// needs no unit; a number value counts bytes against a size; a number
// literal must be written with a unit.
func unitless(u, n side) (int, string) {
	isDur := kindOf(u.v) == vDur
	var x int64
	if isDur {
		x = int64(u.v.(time.Duration))
	} else {
		x = int64(u.v.(Size))
	}
	switch {
	case isZero(n.v):
		return cmpNum(x, n.v), ""
	case !isDur && n.lit == nil:
		return cmpNum(x, n.v), ""
	case n.lit != nil && isDur:
		t := n.lit.text
		return 0, fmt.Sprintf("数字 %s 缺少单位：另一侧是%s；请写成 %ss、%sm 或 %sh", t, describe(u.v), t, t, t)
	case n.lit != nil:
		t := n.lit.text
		return 0, fmt.Sprintf("数字 %s 缺少单位：另一侧是%s；请写成 %sMB、%sGB 或 %sB", t, describe(u.v), t, t, t)
	}
	return 0, fmt.Sprintf("时长不能与不带单位的数字比较：%s 与 %s", describe(u.v), describe(n.v))
}

// relateText orders string s against a typed value t by reading s as a
// value of t's kind; when it cannot, == compares text and an ordering is
// an error.
func relateText(s, t side, o op) (int, string) {
	str := strings.TrimSpace(s.v.(string))
	var parsed any
	switch kindOf(t.v) {
	case vNum:
		parsed, _ = parseNumber(str)
	case vDur:
		if d, ok := parseDuration(str); ok {
			parsed = d
		} else if n, ok := parseNumber(str); ok && isZero(n) {
			parsed = time.Duration(0)
		}
	case vSize:
		if z, ok := parseSize(str); ok {
			parsed = z
		} else if n, ok := parseNumber(str); ok {
			if i, isInt := n.(int64); isInt {
				parsed = Size(i) // a plain number of bytes
			}
		}
	case vBool:
		switch str {
		case "true":
			parsed = true
		case "false":
			parsed = false
		}
	}
	if parsed != nil {
		return relate(side{v: parsed}, t, o)
	}
	if o.ordering() {
		return 0, fmt.Sprintf("%s 不是%s，不能用 %s 比较", describe(s.v), kindName[kindOf(t.v)], opText[o])
	}
	tt := text(t.v)
	if t.lit != nil {
		tt = t.lit.text
	}
	if s.v.(string) == tt {
		return 0, ""
	}
	return incomparable, ""
}

func cmpInt(x, y int64) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

// cmpNum orders two numbers (int64 or float64) exactly.
func cmpNum(x, y any) int {
	switch xv := x.(type) {
	case int64:
		switch yv := y.(type) {
		case int64:
			return cmpInt(xv, yv)
		case float64:
			return cmpIntFloat(xv, yv)
		}
	case float64:
		switch yv := y.(type) {
		case int64:
			return flip(cmpIntFloat(yv, xv))
		case float64:
			switch {
			case xv < yv:
				return -1
			case xv > yv:
				return 1
			case xv == yv:
				return 0
			}
		}
	}
	return incomparable
}

// cmpIntFloat orders i against f without losing precision above 2^53.
func cmpIntFloat(i int64, f float64) int {
	switch {
	case math.IsNaN(f):
		return incomparable
	case f >= 0x1p63:
		return -1
	case f < -0x1p63:
		return 1
	}
	t := math.Trunc(f)
	if c := cmpInt(i, int64(t)); c != 0 {
		return c
	}
	switch frac := f - t; {
	case frac > 0:
		return -1
	case frac < 0:
		return 1
	}
	return 0
}

// match reports whether s matches glob as a whole: * is any run of
// characters, ? exactly one, anything else itself.
func match(glob, s string) bool {
	if strings.IndexByte(glob, '?') < 0 {
		return matchStars(glob, s)
	}
	return matchGlob(glob, s)
}

// matchStars matches a glob without ?: the text before the first * is a
// prefix, the text after the last * a suffix of what remains, and every
// segment between them is found, leftmost first, in order. Linear, and
// strings.Index is fast.
func matchStars(glob, s string) bool {
	i := strings.IndexByte(glob, '*')
	if i < 0 {
		return glob == s
	}
	if !strings.HasPrefix(s, glob[:i]) {
		return false
	}
	s, glob = s[i:], glob[i+1:]
	for {
		j := strings.IndexByte(glob, '*')
		if j < 0 {
			return strings.HasSuffix(s, glob)
		}
		k := strings.Index(s, glob[:j])
		if k < 0 {
			return false
		}
		s, glob = s[k+j:], glob[j+1:]
	}
}

// matchGlob is the general matcher: backtracking to the last *, so
// linear in practice and O(len(glob)·len(s)) at worst, without recursion.
func matchGlob(glob, s string) bool {
	px, sx := 0, 0
	starPx, starSx := -1, -1
	for px < len(glob) || sx < len(s) {
		if px < len(glob) {
			switch c := glob[px]; c {
			case '*':
				starPx, starSx = px, sx
				px++
				continue
			case '?':
				if sx < len(s) {
					_, n := utf8.DecodeRuneInString(s[sx:])
					px++
					sx += n
					continue
				}
			default:
				if sx < len(s) && s[sx] == c {
					px++
					sx++
					continue
				}
			}
		}
		if starPx >= 0 && starSx < len(s) {
			_, n := utf8.DecodeRuneInString(s[starSx:])
			starSx += n
			px, sx = starPx+1, starSx
			continue
		}
		return false
	}
	return true
}

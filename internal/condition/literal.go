package condition

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// litKind classifies a literal by its text.
type litKind uint8

const (
	litWord     litKind = iota // bare text: ok, 目录, 10.0.0.1
	litQuoted                  // "a b"
	litBool                    // true, false
	litNumber                  // 200, 85.5
	litDuration                // 2s, 7d
	litSize                    // 1GB, 10KiB
)

// literal is a constant operand.
type literal struct {
	kind litKind
	text string // as written; for litQuoted the unquoted value
	val  any    // string, bool, int64 or float64, time.Duration, Size
}

// classify reads a bare word as the literal it spells.
func classify(w string) literal {
	switch {
	case w == "true":
		return literal{litBool, w, true}
	case w == "false":
		return literal{litBool, w, false}
	}
	if n, ok := parseNumber(w); ok {
		return literal{litNumber, w, n}
	}
	if d, ok := parseDuration(w); ok {
		return literal{litDuration, w, d}
	}
	if s, ok := parseSize(w); ok {
		return literal{litSize, w, s}
	}
	return literal{litWord, w, w}
}

// write renders the literal so that it parses back to itself.
func (l literal) write(b *strings.Builder) {
	if l.kind == litQuoted {
		b.WriteString(strconv.Quote(l.text))
		return
	}
	b.WriteString(l.text)
}

// isZero reports whether v is a number equal to zero.
func isZero(v any) bool {
	switch x := v.(type) {
	case int64:
		return x == 0
	case float64:
		return x == 0
	}
	return false
}

// scanDecimal returns the length of the longest prefix of s of the form
// [+-]digits[.digits] and whether it holds a fraction.
func scanDecimal(s string) (n int, frac bool) {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	d := i
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == d {
		return 0, false
	}
	if i+1 < len(s) && s[i] == '.' && s[i+1] >= '0' && s[i+1] <= '9' {
		i++
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		frac = true
	}
	return i, frac
}

// parseNumber reads [+-]digits[.digits][e[+-]digits] as int64 when it is
// an integer that fits, float64 otherwise. Inf and NaN are not numbers.
func parseNumber(s string) (any, bool) {
	n, frac := scanDecimal(s)
	if n == 0 {
		return nil, false
	}
	exp := false
	if n < len(s) && (s[n] == 'e' || s[n] == 'E') {
		i := n + 1
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		d := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == d {
			return nil, false
		}
		n, exp = i, true
	}
	if n != len(s) {
		return nil, false
	}
	if !frac && !exp {
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return i, true
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) {
		return nil, false
	}
	return f, true
}

var durationUnits = []struct {
	name string
	d    time.Duration
}{
	// Longest names first so "ms" is not read as "m".
	{"ns", time.Nanosecond}, {"us", time.Microsecond}, {"µs", time.Microsecond}, {"μs", time.Microsecond},
	{"ms", time.Millisecond}, {"s", time.Second}, {"m", time.Minute}, {"h", time.Hour}, {"d", 24 * time.Hour},
}

// parseDuration reads Go duration syntax plus d for days: 2s, 1h30m, 7d,
// 1.5h, -5m. At least one unit is required.
func parseDuration(s string) (time.Duration, bool) {
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	if s == "" {
		return 0, false
	}
	var total float64
	var exact int64
	for s != "" {
		n, frac := scanDecimal(s)
		if n == 0 || s[0] == '+' || s[0] == '-' {
			return 0, false
		}
		num := s[:n]
		s = s[n:]
		unit := time.Duration(0)
		for _, u := range durationUnits {
			if strings.HasPrefix(s, u.name) {
				unit = u.d
				s = s[len(u.name):]
				break
			}
		}
		if unit == 0 {
			return 0, false
		}
		if frac {
			f, err := strconv.ParseFloat(num, 64)
			if err != nil {
				return 0, false
			}
			total += f * float64(unit)
			continue
		}
		i, err := strconv.ParseInt(num, 10, 64)
		if err != nil || i > math.MaxInt64/int64(unit) {
			return 0, false
		}
		v := i * int64(unit)
		if exact > math.MaxInt64-v {
			return 0, false
		}
		exact += v
	}
	sum := total + float64(exact)
	if sum >= math.MaxInt64 {
		return 0, false
	}
	d := time.Duration(exact) + time.Duration(total)
	if neg {
		d = -d
	}
	return d, true
}

var sizeUnits = []struct {
	name string
	mult int64
}{
	{"kib", 1 << 10}, {"mib", 1 << 20}, {"gib", 1 << 30}, {"tib", 1 << 40}, {"pib", 1 << 50}, {"eib", 1 << 60},
	// KB, MB, GB … are powers of 1024 too, as df -h, Oracle and the sql and
	// http checks read them: one meaning of 1GB across opsbook.
	{"kb", 1 << 10}, {"mb", 1 << 20}, {"gb", 1 << 30}, {"tb", 1 << 40}, {"pb", 1 << 50}, {"eb", 1 << 60},
	{"b", 1},
}

// parseSize reads a number and a byte unit: 100B, 512MB, 1.5GB, 10KiB.
func parseSize(s string) (Size, bool) {
	n, frac := scanDecimal(s)
	if n == 0 {
		return 0, false
	}
	num, unit := s[:n], s[n:]
	for i := 0; i < len(unit); i++ {
		if unit[i] >= 0x80 {
			return 0, false // no Unicode case folding: the Kelvin sign is not k
		}
	}
	unit = strings.ToLower(unit)
	for _, u := range sizeUnits {
		if unit != u.name {
			continue
		}
		if frac {
			f, err := strconv.ParseFloat(num, 64)
			v := f * float64(u.mult)
			if err != nil || v >= math.MaxInt64 || v <= math.MinInt64 {
				return 0, false
			}
			return Size(v), true
		}
		i, err := strconv.ParseInt(num, 10, 64)
		if err != nil || i > math.MaxInt64/u.mult || i < math.MinInt64/u.mult {
			return 0, false
		}
		return Size(i * u.mult), true
	}
	return 0, false
}

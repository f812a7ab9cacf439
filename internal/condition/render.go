package condition

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// maxActual bounds Result.Actual, in runes.
const maxActual = 200

// render is v for people, at most maxActual runes: 503, 2.457s, 12.3GB.
// A string is shown as is (an empty one as ""), containers as JSON-like
// text; values of unknown types by their type name only.
func render(v any) string {
	switch x := v.(type) {
	case string:
		if x == "" {
			return `""`
		}
		return strings.ToValidUTF8(truncate(x, maxActual), "\uFFFD")
	case []any, []map[string]any, map[string]any:
		w := &limited{left: maxActual + 1}
		w.value(x, 0)
		return truncate(w.b.String(), maxActual)
	}
	return text(v)
}

// text is the full text of a scalar, as pat() and text comparison see it.
func text(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return strconv.FormatBool(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return formatFloat(x)
	case string:
		return x
	case time.Duration:
		return formatDuration(x)
	case Size:
		return formatSize(x)
	case []any, []map[string]any, map[string]any:
		return render(x)
	}
	return fmt.Sprintf("（%T）", v)
}

// truncate cuts s to at most n runes, the last one an ellipsis. It reads
// no further than rune n+1, so a long body costs no more than a short one.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i, cut := 0, 0
	for k := 0; i < len(s); k++ {
		if k == n-1 {
			cut = i
		}
		if k == n {
			return s[:cut] + "…"
		}
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return s
}

func formatFloat(f float64) string {
	switch a := math.Abs(f); {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 0):
		return strconv.FormatFloat(f, 'g', -1, 64)
	case a != 0 && (a < 1e-6 || a >= 1e21):
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// formatDuration renders d in the literal syntax, truncated to a useful
// precision: 850.123ms, 2.456s, 1h30m, 83d8h.
func formatDuration(d time.Duration) string {
	if d < 0 {
		if d == math.MinInt64 {
			d++
		}
		return "-" + formatDuration(-d)
	}
	switch {
	case d == 0:
		return "0s"
	case d < time.Millisecond:
		return d.String()
	case d < time.Second:
		return d.Truncate(time.Microsecond).String()
	case d < time.Minute:
		return d.Truncate(time.Millisecond).String()
	}
	d = d.Truncate(time.Second)
	var b strings.Builder
	if d >= 48*time.Hour {
		fmt.Fprintf(&b, "%dd", d/(24*time.Hour))
		d %= 24 * time.Hour
	}
	for _, u := range []struct {
		d    time.Duration
		name string
	}{{time.Hour, "h"}, {time.Minute, "m"}, {time.Second, "s"}} {
		if n := d / u.d; n > 0 {
			fmt.Fprintf(&b, "%d%s", n, u.name)
			d %= u.d
		}
	}
	return b.String()
}

// formatSize renders n in units of 1024, truncated (never rounded up) to
// two decimals: 512B, 12.3GB.
func formatSize(n Size) string {
	sign := ""
	u := uint64(n)
	if n < 0 {
		sign, u = "-", uint64(-(n+1))+1
	}
	if u < 1024 {
		return sign + strconv.FormatUint(u, 10) + "B"
	}
	units := []string{"KB", "MB", "GB", "TB", "PB", "EB"}
	div, i := uint64(1024), 0
	for u/div >= 1024 && i < len(units)-1 {
		div *= 1024
		i++
	}
	s := sign + strconv.FormatUint(u/div, 10)
	// div/100 rounds down, so the quotient can reach 100; two decimals cap at .99.
	if frac := min((u%div)/(div/100), 99); frac > 0 {
		s += strings.TrimRight(fmt.Sprintf(".%02d", frac), "0")
	}
	return s + units[i]
}

// limited writes a container as JSON-like text until its budget of runes
// is spent, so a huge or cyclic value costs little.
type limited struct {
	b    strings.Builder
	left int
}

func (w *limited) str(s string) {
	if w.left <= 0 {
		return
	}
	s = truncate(s, w.left)
	w.left -= utf8.RuneCountInString(s)
	w.b.WriteString(s)
}

func (w *limited) value(v any, depth int) {
	if w.left <= 0 {
		return
	}
	if depth > 8 {
		w.str("…")
		return
	}
	switch x := v.(type) {
	case []any:
		w.str("[")
		for i, e := range x {
			if w.left <= 0 {
				return
			}
			if i > 0 {
				w.str(", ")
			}
			w.value(norm(e), depth+1)
		}
		w.str("]")
	case []map[string]any:
		w.str("[")
		for i, e := range x {
			if w.left <= 0 {
				return
			}
			if i > 0 {
				w.str(", ")
			}
			w.value(e, depth+1)
		}
		w.str("]")
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		w.str("{")
		for i, k := range keys {
			if w.left <= 0 {
				return
			}
			if i > 0 {
				w.str(", ")
			}
			w.str(strconv.Quote(truncate(k, maxActual)))
			w.str(": ")
			w.value(norm(x[k]), depth+1)
		}
		w.str("}")
	case string:
		w.str(strconv.Quote(truncate(x, maxActual)))
	default:
		w.str(text(x))
	}
}

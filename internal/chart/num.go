package chart

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// f formats a coordinate with at most one decimal, never "-0".
func f(v float64) string {
	v = math.Round(v*10) / 10
	if v == 0 {
		return "0"
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// finite reports whether v is a real number (not NaN, not ±Inf).
func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// fmtNum formats v with exactly dec decimals and thousands separators.
func fmtNum(v float64, dec int) string {
	s := strconv.FormatFloat(v, 'f', dec, 64)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	if strings.Trim(s, "0.") == "" {
		neg = false // no "-0" or "-0.0"
	}
	intPart, frac := s, ""
	if i := strings.IndexByte(s, '.'); i >= 0 {
		intPart, frac = s[:i], s[i:]
	}
	if len(intPart) > 3 {
		var b strings.Builder
		for i, c := range intPart {
			if i > 0 && (len(intPart)-i)%3 == 0 {
				b.WriteByte(',')
			}
			b.WriteRune(c)
		}
		intPart = b.String()
	}
	if neg {
		return "-" + intPart + frac
	}
	return intPart + frac
}

// valueFormatter formats data values for labels: percentages for ratios,
// else numbers with the unit appended.
type valueFormatter struct {
	percent bool
	unit    string
}

func (vf valueFormatter) format(v float64, dec int) string {
	if vf.percent {
		return fmtNum(v*100, dec) + "%"
	}
	s := fmtNum(v, dec)
	if vf.unit == "" {
		return s
	}
	r, _ := utf8.DecodeRuneInString(vf.unit)
	if vf.unit == "%" || runeEm(r) >= 1 {
		return s + vf.unit // 12小时, 95%
	}
	return s + " " + vf.unit // 12 ms
}

// valueDecimals picks how many decimals data labels need: the fewest that
// show every value exactly, but no more than about three significant digits
// of the largest value allow (one for percentages and values of 1 or more).
func valueDecimals(vals []float64, percent bool) int {
	maxAbs := 0.0
	for _, v := range vals {
		if finite(v) {
			if percent {
				v *= 100
			}
			maxAbs = math.Max(maxAbs, math.Abs(v))
		}
	}
	limit := 1
	if maxAbs > 0 && maxAbs < 1 {
		limit = min(2-int(math.Floor(math.Log10(maxAbs))), 10)
	}
	for d := 0; d < limit; d++ {
		p := math.Pow(10, float64(d))
		exact := true
		for _, v := range vals {
			if !finite(v) {
				continue
			}
			if percent {
				v *= 100
			}
			if math.Abs(v*p-math.Round(v*p)) > 1e-6 {
				exact = false
				break
			}
		}
		if exact {
			return d
		}
	}
	return limit
}

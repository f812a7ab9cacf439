package chart

import "math"

// axis is a linear value scale with nice (1-2-5) tick steps.
type axis struct {
	lo, hi float64
	step   float64
	ticks  []float64
	dec    int // decimals shown on tick labels (in display units)
}

// niceStep rounds raw up to 1, 2 or 5 times a power of ten.
func niceStep(raw float64) float64 {
	if raw <= 0 || !finite(raw) {
		return 1
	}
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	switch n := raw / mag; {
	case n <= 1:
		return mag
	case n <= 2:
		return 2 * mag
	case n <= 5:
		return 5 * mag
	default:
		return 10 * mag
	}
}

// newAxis builds a scale over [dmin, dmax] with about target ticks. The range
// includes zero when zero is set, else only when the data come close to it
// (see nearZero); fixed ends (YMin/YMax) are kept exactly.
// Integer data never gets fractional steps; ratio data shown as percentages
// stops at 100% when no value exceeds it.
func newAxis(dmin, dmax float64, o Options, target int, integer, zero bool) axis {
	if !finite(dmin) || !finite(dmax) {
		dmin, dmax = 0, 0
	}
	lo, hi := math.Min(dmin, 0), math.Max(dmax, 0)
	if !zero && !nearZero(dmin, dmax) {
		lo, hi = dmin, dmax
	}
	var fixLo, fixHi bool
	if o.YMin != nil && finite(*o.YMin) {
		lo, fixLo = *o.YMin, true
	}
	if o.YMax != nil && finite(*o.YMax) {
		hi, fixHi = *o.YMax, true
	}
	if lo >= hi && fixLo && fixHi {
		// Inconsistent fixed ends: fall back to the automatic range.
		lo, hi = math.Min(dmin, 0), math.Max(dmax, 0)
		fixLo, fixHi = false, false
	}
	if lo >= hi {
		// All values equal (often all zero), or one fixed end beyond the data.
		span := 1.0
		if integer && !o.Percent {
			span = 5
		}
		if fixHi {
			lo = hi - span
		} else {
			hi = lo + span
		}
	}
	if target < 2 {
		target = 2
	}
	step := niceStep((hi - lo) / float64(target))
	if integer && !o.Percent && step < 1 {
		step = 1
	}
	if !fixLo {
		lo = math.Floor(lo/step+1e-9) * step
	}
	if !fixHi {
		hi = math.Ceil(hi/step-1e-9) * step
		if o.Percent && dmax <= 1 && hi > 1 && lo < 1 {
			hi = 1
		}
	}
	a := axis{lo: lo, hi: hi, step: step}
	first := math.Ceil(lo/step - 1e-9)
	for k := first; ; k++ {
		t := k * step
		if t > hi+step*1e-9 {
			break
		}
		if math.Abs(t) < step*1e-9 {
			t = 0
		}
		a.ticks = append(a.ticks, t)
		if len(a.ticks) > 100 {
			break
		}
	}
	disp := step
	if o.Percent {
		disp *= 100
	}
	if d := -int(math.Floor(math.Log10(disp) + 1e-9)); d > 0 {
		a.dec = d
	}
	if a.dec > 10 {
		a.dec = 10
	}
	return a
}

// nearZero reports whether a line chart of values in [dmin, dmax] should keep
// zero on its axis: yes unless all values share a sign and their spread is
// small next to their size (a pass rate between 82% and 100% gets an axis
// from 80%, so its dips are visible), and yes when all values are equal.
func nearZero(dmin, dmax float64) bool {
	switch {
	case dmin == dmax:
		return true
	case dmin > 0:
		return dmax-dmin >= 0.6*dmax
	case dmax < 0:
		return dmax-dmin >= 0.6*-dmin
	}
	return true
}

// pos maps v to [0, 1] along the axis.
func (a axis) pos(v float64) float64 { return (v - a.lo) / (a.hi - a.lo) }

// ticksFor picks a tick target so that labels get about px pixels each.
func ticksFor(length, px float64) int {
	n := int(length / px)
	if n < 2 {
		return 2
	}
	if n > 10 {
		return 10
	}
	return n
}

// allIntegers reports whether every finite value is a whole number.
func allIntegers(series []Series, n int) bool {
	for _, s := range series {
		for i, v := range s.Values {
			if i >= n {
				break
			}
			if finite(v) && v != math.Trunc(v) {
				return false
			}
		}
	}
	return true
}

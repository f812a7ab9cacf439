package chart

import (
	"math"
	"reflect"
	"strings"
	"testing"
)

func TestTextWidth(t *testing.T) {
	for _, tc := range []struct {
		s  string
		em float64
	}{
		{"南通市数据局", 6},
		{"（）：，。", 5}, // full-width punctuation
		{"…", 1},
		{"ＡＢ", 2}, // full-width Latin
		{"10-01", 2.82},
		{"2025-W40", 4.94},
		{"e\u0301", 0.6}, // combining accent adds nothing
		{"", 0},
	} {
		got := textWidth(tc.s, 1)
		if math.Abs(got-tc.em) > 0.01 {
			t.Errorf("textWidth(%q) = %.2f em, want %.2f", tc.s, got, tc.em)
		}
	}
	// Latin text is narrower than CJK of the same rune count, but not much
	// narrower than a real font draws it (0.5–0.7 em for digits and letters).
	if w := textWidth("0123456789", 1); w < 5 || w > 7 {
		t.Errorf("ten digits = %.2f em", w)
	}
}

func TestTruncate(t *testing.T) {
	s := "南通经济技术开发区管理委员会"
	got, cut := truncate(s, 6*12, 12)
	if !cut || got != "南通经济技…" {
		t.Errorf("truncate = %q, %v", got, cut)
	}
	if textWidth(got, 12) > 6*12 {
		t.Errorf("truncated text %q wider than the limit", got)
	}
	if got, cut := truncate("短", 100, 12); cut || got != "短" {
		t.Errorf("short text changed: %q %v", got, cut)
	}
	if got, _ := truncate("ab cdef", textWidth("ab …", 10)+0.1, 10); got != "ab…" {
		t.Errorf("trailing space before … not trimmed: %q", got)
	}
}

func TestNumbers(t *testing.T) {
	for _, tc := range []struct {
		v    float64
		dec  int
		want string
	}{
		{1234567.891, 1, "1,234,567.9"},
		{-1234, 0, "-1,234"},
		{-0.0001, 2, "0.00"},
		{999, 0, "999"},
		{0.5, 0, "0"}, // round half to even, fixed and deterministic
	} {
		if got := fmtNum(tc.v, tc.dec); got != tc.want {
			t.Errorf("fmtNum(%v, %d) = %q, want %q", tc.v, tc.dec, got, tc.want)
		}
	}
	if f(-0.01) != "0" || f(12.345) != "12.3" || f(7) != "7" {
		t.Errorf("f: %q %q %q", f(-0.01), f(12.345), f(7))
	}
	vf := valueFormatter{unit: "小时"}
	if got := vf.format(2.5, 1); got != "2.5小时" {
		t.Errorf("CJK unit: %q", got)
	}
	if got := (valueFormatter{unit: "ms"}).format(12, 0); got != "12 ms" {
		t.Errorf("Latin unit: %q", got)
	}
	if got := (valueFormatter{percent: true, unit: "件"}).format(0.973, 1); got != "97.3%" {
		t.Errorf("percent: %q", got)
	}
	for _, tc := range []struct {
		v       []float64
		percent bool
		want    int
	}{
		{[]float64{1, 2, 300}, false, 0},
		{[]float64{2.4, 12.25}, false, 1},
		{[]float64{0.948, 0.95}, false, 3},
		{[]float64{0.973, 1}, true, 1},
		{[]float64{0.97, 1, math.NaN()}, true, 0},
	} {
		if got := valueDecimals(tc.v, tc.percent); got != tc.want {
			t.Errorf("valueDecimals(%v, %v) = %d, want %d", tc.v, tc.percent, got, tc.want)
		}
	}
}

func TestAxis(t *testing.T) {
	for _, tc := range []struct {
		name       string
		min, max   float64
		o          Options
		integer    bool
		zero       bool
		wantTicks  []float64
		wantDec    int
		wantLoHigh [2]float64
	}{
		{"counts", 0, 16, Options{}, true, true, []float64{0, 5, 10, 15, 20}, 0, [2]float64{0, 20}},
		{"all zero counts", 0, 0, Options{}, true, true, []float64{0, 1, 2, 3, 4, 5}, 0, [2]float64{0, 5}},
		{"all zero", 0, 0, Options{}, false, true, []float64{0, 0.2, 0.4, 0.6, 0.8, 1}, 1, [2]float64{0, 1}},
		{"pass rate from zero", 0.82, 1, Options{Percent: true}, false, true, []float64{0, 0.2, 0.4, 0.6, 0.8, 1}, 0, [2]float64{0, 1}},
		{"pass rate line", 0.82, 1, Options{Percent: true}, false, false, []float64{0.8, 0.85, 0.9, 0.95, 1}, 0, [2]float64{0.8, 1}},
		{"percent stops at 100", 0.5, 0.99, Options{Percent: true}, false, true, []float64{0, 0.2, 0.4, 0.6, 0.8, 1}, 0, [2]float64{0, 1}},
		{"fixed range", 0.5, 1.2, Options{YMin: ptr(0.9), YMax: ptr(1), Percent: true}, false, true, []float64{0.9, 0.92, 0.94, 0.96, 0.98, 1}, 0, [2]float64{0.9, 1}},
		{"inverted fixed range ignored", 1, 2, Options{YMin: ptr(5), YMax: ptr(1)}, true, true, []float64{0, 1, 2}, 0, [2]float64{0, 2}},
		{"negative", -5, 3, Options{}, true, true, []float64{-6, -4, -2, 0, 2, 4}, 0, [2]float64{-6, 4}},
		{"small", 0, 0.003, Options{}, false, true, []float64{0, 0.001, 0.002, 0.003}, 3, [2]float64{0, 0.003}},
	} {
		a := newAxis(tc.min, tc.max, tc.o, 5, tc.integer, tc.zero)
		for i := range a.ticks {
			a.ticks[i] = math.Round(a.ticks[i]*1e9) / 1e9
		}
		if !reflect.DeepEqual(a.ticks, tc.wantTicks) || a.dec != tc.wantDec ||
			math.Abs(a.lo-tc.wantLoHigh[0]) > 1e-9 || math.Abs(a.hi-tc.wantLoHigh[1]) > 1e-9 {
			t.Errorf("%s: ticks %v dec %d range [%g, %g]; want %v dec %d range %v",
				tc.name, a.ticks, a.dec, a.lo, a.hi, tc.wantTicks, tc.wantDec, tc.wantLoHigh)
		}
	}
	for raw, want := range map[float64]float64{0.7: 1, 1.3: 2, 3: 5, 7: 10, 0.023: 0.05, 0: 1} {
		if got := niceStep(raw); math.Abs(got-want) > 1e-12 {
			t.Errorf("niceStep(%g) = %g, want %g", raw, got, want)
		}
	}
}

func TestHBarCountsOrder(t *testing.T) {
	svg := HBarCounts(map[string]float64{"乙": 2, "甲": 2, "丙": 5}, Options{Title: "t"}, "无")
	i, j, k := strings.Index(svg, ">丙<"), strings.Index(svg, ">乙<"), strings.Index(svg, ">甲<")
	if i < 0 || j < 0 || k < 0 || !(i < j && j < k) {
		t.Errorf("want 丙 (5) before 乙 and 甲 (2, by label): %d %d %d", i, j, k)
	}
	if empty := HBarCounts(nil, Options{Title: "t"}, "暂无工单"); !strings.Contains(empty, "暂无工单") {
		t.Error("empty map: message missing")
	}
}

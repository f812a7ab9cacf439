package chart

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

const (
	hbarRow     = 26.0 // row height when the chart picks its own height
	hbarMaxAuto = 1600.0
	hbarAxisH   = fsTick + 12 // value tick labels under the plot
)

// HBar renders one horizontal bar per label (e.g. tickets per department with
// long Chinese names, or mean time to resolve per category), labels on the
// left, the value at the end of each bar. The left margin fits the longest
// label up to 40% of the width; longer labels are truncated with "…" and keep
// their full text in a hover <title>. Negative values draw no bar (their
// label still shows the value); non-finite values show "无数据". When
// Options.Height is 0 the height follows the number of bars.
func HBar(labels []string, values []float64, o Options) string {
	d := prepare(labels, []Series{{Name: clean(o.YLabel), Values: values}})
	if len(d.labels) == 0 || d.finite == 0 {
		return Empty(o, "")
	}
	n := len(d.labels)
	v := d.vals[0]
	w, _ := o.size(0)
	c := &canvas{w: w}
	top := c.header(o, nil) + 6
	auto := math.Min(top+float64(n)*hbarRow+hbarAxisH+pad/2, hbarMaxAuto)
	_, h := o.size(auto)
	c.h = h
	vf := valueFormatter{percent: o.Percent, unit: clean(o.Unit)}
	dec := valueDecimals(v, o.Percent)

	// Left margin from the widest label, bounded to 40% of the width.
	widest := 0.0
	for _, l := range d.labels {
		widest = math.Max(widest, textWidth(l, fsTick))
	}
	labelMax := math.Min(widest, w*0.4-pad-8)
	left := pad + labelMax + 8

	valText := make([]string, n)
	valW := 0.0
	for i, x := range v {
		if finite(x) {
			valText[i] = vf.format(x, dec)
		} else {
			valText[i] = "无数据"
		}
		valW = math.Max(valW, textWidth(valText[i], fsValue))
	}
	right := w - pad - valW - 6
	if right-left < 60 {
		right = left + 60
	}
	bottom := h - pad/2 - hbarAxisH
	if bottom-top < 20 {
		bottom = top + 20
	}

	pos := make([]float64, n)
	for i, x := range v {
		if finite(x) {
			pos[i] = math.Max(x, 0)
		}
	}
	hi := 0.0
	for _, x := range pos {
		hi = math.Max(hi, x)
	}
	// Tick labels under the plot need about their width plus a gap each.
	probe := newAxis(0, hi, o, 5, allIntegers([]Series{{Values: pos}}, n) && !o.Percent, true)
	a := newAxis(0, hi, o, ticksFor(right-left, tickLabelWidth(probe, vf)+28), allIntegers([]Series{{Values: pos}}, n) && !o.Percent, true)
	xAt := func(x float64) float64 { return left + a.pos(x)*(right-left) }

	// Vertical gridlines and value ticks.
	c.b.WriteString(`<g class="oc-grid">` + "\n")
	prevRight := math.Inf(-1)
	for _, t := range a.ticks {
		x := xAt(t)
		col, cls := colGrid, "oc-gridline"
		if t == 0 {
			col, cls = colAxis, "oc-zero"
		}
		c.printf(`<line class="%s" x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="1"/>`+"\n", cls, f(x), f(top), f(x), f(bottom), col)
		lbl := vf.tick(t, a.dec)
		tw := textWidth(lbl, fsTick)
		if x-tw/2 < prevRight+6 || x+tw/2 > w-2 {
			continue
		}
		prevRight = x + tw/2
		c.text(x, bottom+fsTick+4, lbl, fsTick, "oc-tick", ` text-anchor="middle" fill="`+colMuted+`"`, 0)
	}
	c.b.WriteString("</g>\n")

	rowH := (bottom - top) / float64(n)
	barH := math.Min(rowH*0.68, 20)
	every := 1
	if need := fsTick * 1.25; rowH < need {
		every = int(math.Ceil(need / rowH))
	}
	color := palette[0]
	c.b.WriteString(`<g class="oc-series">` + "\n")
	for i := 0; i < n; i++ {
		cy := top + (float64(i)+0.5)*rowH
		x0, x1 := xAt(0), xAt(math.Min(pos[i], a.hi))
		if x1-x0 > 0 {
			c.printf(`<rect class="oc-bar" x="%s" y="%s" width="%s" height="%s" fill="%s"><title>%s</title></rect>`+"\n",
				f(x0), f(cy-barH/2), f(x1-x0), f(barH), color, esc(d.labels[i]+"："+valText[i]))
		}
		if i%every != 0 {
			continue
		}
		c.text(left-8, cy+fsTick*0.35, d.labels[i], fsTick, "oc-yl", ` text-anchor="end" fill="`+colText+`"`, labelMax)
		fill := colText
		if !finite(v[i]) {
			fill = colMuted
		}
		c.text(x1+4, cy+fsValue*0.35, valText[i], fsValue, "oc-value", ` fill="`+fill+`"`, 0)
	}
	c.b.WriteString("</g>\n")
	return c.finish("hbar", titleOr(o, "条形图"), hbarSummary(o, d.labels, valText, v))
}

// hbarSummary lists label and value pairs (the first 30) for <desc>.
func hbarSummary(o Options, labels, texts []string, v []float64) string {
	if s := clean(o.Desc); s != "" {
		return s
	}
	var b strings.Builder
	b.WriteString("条形图")
	if t := clean(o.Title); t != "" {
		b.WriteString("：" + t)
	}
	fmt.Fprintf(&b, "。共 %d 项", len(labels))
	if l := axisTitle(o); l != "" {
		b.WriteString("，数值为" + l)
	}
	b.WriteString("：")
	for i := range labels {
		if i == 30 {
			fmt.Fprintf(&b, "……另有 %d 项", len(labels)-i)
			break
		}
		if i > 0 {
			b.WriteString("；")
		}
		b.WriteString(labels[i] + " " + texts[i])
	}
	b.WriteString("。")
	return b.String()
}

// HBarCounts draws a map of label → value as horizontal bars, largest
// first (ties by label), or an empty chart with msg when m is empty.
func HBarCounts(m map[string]float64, o Options, msg string) string {
	if len(m) == 0 {
		return Empty(o, msg)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if m[keys[i]] != m[keys[j]] {
			return m[keys[i]] > m[keys[j]]
		}
		return keys[i] < keys[j]
	})
	vals := make([]float64, len(keys))
	for i, k := range keys {
		vals[i] = m[k]
	}
	return HBar(keys, vals, o)
}

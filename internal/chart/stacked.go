package chart

import "math"

// StackedBar renders one bar per label with the series stacked bottom-up in
// series order (e.g. anomalies per ISO week by severity: 严重, 重要, 一般).
// Negative and non-finite values count as zero. Totals are printed above the
// bars when they fit. With no labels or no finite value, it renders Empty.
func StackedBar(labels []string, series []Series, o Options) string {
	d := prepare(labels, series)
	if len(d.labels) == 0 || d.finite == 0 {
		return Empty(o, "")
	}
	w, h := o.size(0)
	c := &canvas{w: w, h: h}
	vf := valueFormatter{percent: o.Percent, unit: clean(o.Unit)}

	n := len(d.labels)
	totals := make([]float64, n)
	for _, v := range d.vals {
		for j, x := range v {
			if finite(x) && x > 0 {
				totals[j] += x
			}
		}
	}
	maxTotal := 0.0
	for _, t := range totals {
		maxTotal = math.Max(maxTotal, t)
	}
	dec := valueDecimals(totals, o.Percent)

	fills := make([]string, len(d.vals))
	for i := range d.vals {
		fills[i] = c.pattern(i, d.colors[i])
	}
	var legend []legendItem
	if len(d.vals) > 1 || d.names[0] != "系列 1" {
		for i := range d.vals {
			fill, color := fills[i], d.colors[i]
			legend = append(legend, legendItem{name: d.names[i], swW: 13, swatch: func(c *canvas, x, y float64) {
				c.printf(`<rect x="%s" y="%s" width="13" height="13" fill="%s" stroke="%s" stroke-width="0.8"/>`, f(x), f(y-6.5), fill, color)
			}})
		}
	}
	// Room above the top gridline for the total of the highest bar.
	top := c.header(o, legend) + 8 + fsValue

	a := newAxis(0, maxTotal, o, ticksFor(h-top-24-pad, 40), allIntegers(series, n) && !o.Percent, true)
	left := pad + tickLabelWidth(a, vf) + 6
	right := w - pad
	slot := (right - left) / float64(n)
	xl := layoutX(d.labels, left, slot, w, h*0.35)
	bottom := h - pad/2 - xl.height
	if bottom-top < 40 {
		bottom = top + 40
	}
	yAt := func(v float64) float64 { return bottom - a.pos(v)*(bottom-top) }

	c.yGrid(a, vf, left, top, right, bottom)
	xl.draw(c, bottom)

	bw := slot * 0.64
	if slot < 4 {
		bw = slot * 0.9
	}
	sep := ""
	if bw >= 6 {
		sep = ` stroke="#fff" stroke-width="0.6"`
	}
	decs := make([]int, len(d.vals))
	for i, v := range d.vals {
		decs[i] = valueDecimals(v, o.Percent)
	}
	c.b.WriteString(`<g class="oc-series">` + "\n")
	for j := 0; j < n; j++ {
		x := left + (float64(j)+0.5)*slot - bw/2
		base := 0.0
		for i, v := range d.vals {
			val := v[j]
			if !finite(val) || val <= 0 {
				continue
			}
			y0, y1 := yAt(math.Min(base+val, a.hi)), yAt(math.Min(base, a.hi))
			base += val
			if y1-y0 <= 0 {
				continue
			}
			c.printf(`<rect class="oc-bar oc-s%d" x="%s" y="%s" width="%s" height="%s" fill="%s"%s><title>%s</title></rect>`+"\n",
				i, f(x), f(y0), f(bw), f(y1-y0), fills[i], sep, esc(d.labels[j]+" "+d.names[i]+"："+vf.format(val, decs[i])))
		}
	}
	c.b.WriteString("</g>\n")

	// Totals above the bars, only when every one of them fits its slot.
	if n <= 60 {
		fits := true
		for _, t := range totals {
			if textWidth(vf.format(t, dec), fsValue)+2 > slot {
				fits = false
				break
			}
		}
		if fits {
			c.b.WriteString(`<g class="oc-totals">` + "\n")
			for j, t := range totals {
				if t <= 0 {
					continue
				}
				cx := left + (float64(j)+0.5)*slot
				c.text(cx, math.Max(yAt(math.Min(t, a.hi))-4, top-2), vf.format(t, dec), fsValue, "oc-value", ` text-anchor="middle" fill="`+colText+`"`, 0)
			}
			c.b.WriteString("</g>\n")
		}
	}
	return c.finish("stacked", titleOr(o, "堆叠柱状图"), d.summary("堆叠柱状图", o, vf, dec))
}

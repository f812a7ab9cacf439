package chart

import (
	"math"
	"sort"
	"strings"
)

// markerLimit is the most categories for which every point gets a marker.
const markerLimit = 31

// Line renders a line chart of series over categorical labels (e.g. a pass
// rate per day with labels like "10-01"). Missing and non-finite values leave
// gaps; an isolated point still shows as a marker. Each series' latest value
// is labelled at its end. With no labels or no finite value, it renders Empty.
func Line(labels []string, series []Series, o Options) string {
	d := prepare(labels, series)
	if len(d.labels) == 0 || d.finite == 0 {
		return Empty(o, "")
	}
	w, h := o.size(0)
	c := &canvas{w: w, h: h}
	vf := valueFormatter{percent: o.Percent, unit: clean(o.Unit)}
	dec := valueDecimals(d.flat(), o.Percent)

	var legend []legendItem
	if len(d.vals) > 1 {
		for i := range d.vals {
			color := d.colors[i]
			legend = append(legend, legendItem{name: d.names[i], swW: 26, swatch: func(c *canvas, x, y float64) {
				c.printf(`<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="2"%s/>`, f(x), f(y), f(x+26), f(y), color, dashAttr(i))
				c.marker(i, x+13, y, color)
			}})
		}
	}
	top := c.header(o, legend) + 8

	// The axis needs a plot height; estimate it with one row of x labels.
	a := newAxis(d.min, d.max, o, ticksFor(h-top-24-pad, 40), allIntegers(series, len(d.labels)) && !o.Percent, false)
	left := pad + tickLabelWidth(a, vf) + 6

	// End labels: the latest finite value of each series (up to four).
	type endLabel struct {
		i, last int
		text    string
		y       float64
	}
	var ends []endLabel
	endW := 0.0
	if len(d.vals) <= 4 {
		for i, v := range d.vals {
			for j := len(v) - 1; j >= 0; j-- {
				if finite(v[j]) {
					t := vf.format(v[j], valueDecimals(v, o.Percent))
					ends = append(ends, endLabel{i: i, last: j, text: t})
					endW = max(endW, textWidth(t, fsValue))
					break
				}
			}
		}
	}
	n := float64(len(d.labels))
	right := w - pad
	if endW > 0 {
		// The label sits 7 px right of the last slot's centre.
		slot := (right - left) / n
		right = w - pad - math.Max(0, endW+7-slot/2)
	}
	slot := (right - left) / n
	xl := layoutX(d.labels, left, slot, w, h*0.35)
	bottom := h - pad/2 - xl.height
	if bottom-top < 40 {
		bottom = top + 40
	}
	xAt := func(i int) float64 { return left + (float64(i)+0.5)*slot }
	yAt := func(v float64) float64 { return bottom - a.pos(v)*(bottom-top) }

	c.yGrid(a, vf, left, top, right, bottom)
	xl.draw(c, bottom)

	c.defs.WriteString(`<clipPath id="` + idMark + `-clip"><rect x="` + f(left-6) + `" y="` + f(top-6) + `" width="` + f(right-left+12) + `" height="` + f(bottom-top+12) + `"/></clipPath>` + "\n")
	c.b.WriteString(`<g class="oc-series" clip-path="url(#` + idMark + `-clip)">` + "\n")
	for i, v := range d.vals {
		var p strings.Builder
		pen := false
		for j, x := range v {
			if !finite(x) {
				pen = false
				continue
			}
			if pen {
				p.WriteString("L")
			} else {
				p.WriteString("M")
			}
			p.WriteString(f(xAt(j)) + " " + f(yAt(x)))
			pen = true
		}
		c.printf(`<path class="oc-line oc-s%d" d="%s" fill="none" stroke="%s" stroke-width="2" stroke-linejoin="round" stroke-linecap="round"%s/>`+"\n",
			i, p.String(), d.colors[i], dashAttr(i))
		c.printf(`<g class="oc-points oc-s%d">`, i)
		last := lastFinite(v)
		for j, x := range v {
			if !finite(x) {
				continue
			}
			isolated := (j == 0 || !finite(v[j-1])) && (j == len(v)-1 || !finite(v[j+1]))
			lastPoint := len(ends) > 0 && j == last
			if len(v) <= markerLimit || isolated || lastPoint {
				c.marker(i, xAt(j), yAt(x), d.colors[i])
			}
		}
		c.b.WriteString("</g>\n")
	}
	c.b.WriteString("</g>\n")

	// End labels, pushed apart vertically so they never overlap.
	for k := range ends {
		v := d.vals[ends[k].i][ends[k].last]
		ends[k].y = math.Max(top, math.Min(bottom, yAt(v))) + fsValue*0.35
	}
	sort.SliceStable(ends, func(p, q int) bool { return ends[p].y < ends[q].y })
	minGap := fsValue * 1.2
	for k := 1; k < len(ends); k++ {
		ends[k].y = math.Max(ends[k].y, ends[k-1].y+minGap)
	}
	if k := len(ends) - 1; k >= 0 && ends[k].y > bottom+fsValue {
		shift := ends[k].y - (bottom + fsValue)
		for j := range ends {
			ends[j].y -= shift
		}
	}
	for _, e := range ends {
		ink := d.colors[e.i]
		if luma(ink) > 185 {
			ink = colText // a pale series colour would not read as text
		}
		c.text(xAt(e.last)+7, e.y, e.text, fsValue, "oc-value", ` font-weight="bold" fill="`+ink+`"`, 0)
	}
	return c.finish("line", titleOr(o, "折线图"), d.summary("折线图", o, vf, dec))
}

func lastFinite(v []float64) int {
	for j := len(v) - 1; j >= 0; j-- {
		if finite(v[j]) {
			return j
		}
	}
	return -1
}

func dashAttr(i int) string {
	if d := dashes[i%len(dashes)]; d != "" {
		return ` stroke-dasharray="` + d + `"`
	}
	return ""
}

func titleOr(o Options, def string) string {
	if t := clean(o.Title); t != "" {
		return t
	}
	return def
}

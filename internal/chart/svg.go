package chart

import (
	"fmt"
	"hash/fnv"
	"strings"
)

// idMark stands in for the chart's id prefix while the body is written; it
// cannot occur in caller text (clean drops control characters). The prefix is
// then derived from a hash of the body, so output stays deterministic and two
// different charts on one page do not share pattern or clip ids.
const idMark = "\x00"

const pad = 12.0 // outer padding of the frame

// canvas accumulates SVG markup for one chart.
type canvas struct {
	b    strings.Builder
	defs strings.Builder
	w, h float64
}

func (c *canvas) printf(format string, args ...any) { fmt.Fprintf(&c.b, format, args...) }

// text writes a text element. s must be cleaned (not escaped). When max > 0
// and s is wider than max, it is truncated with "…" and the full text is kept
// in a <title> so it shows on hover. attrs are extra attributes, pre-escaped.
func (c *canvas) text(x, y float64, s string, fs float64, class, attrs string, max float64) {
	short, cut := s, false
	if max > 0 {
		short, cut = truncate(s, max, fs)
	}
	if short == "" {
		return
	}
	if cut {
		c.printf(`<g class="oc-cut"><title>%s</title>`, esc(s))
	}
	c.printf(`<text class="%s" x="%s" y="%s" font-size="%s"%s>%s</text>`, class, f(x), f(y), f(fs), attrs, esc(short))
	if cut {
		c.b.WriteString(`</g>`)
	}
	c.b.WriteByte('\n')
}

// finish wraps body and defs into the root element.
func (c *canvas) finish(kind, title, desc string) string {
	var s strings.Builder
	fmt.Fprintf(&s, `<svg xmlns="http://www.w3.org/2000/svg" class="oc-chart oc-%s" viewBox="0 0 %s %s" width="100%%" role="img" aria-labelledby="%s-t %s-d" font-family="%s" font-size="12">`+"\n",
		kind, f(c.w), f(c.h), idMark, idMark, fontFamily)
	fmt.Fprintf(&s, `<title id="%s-t">%s</title>`+"\n", idMark, esc(title))
	fmt.Fprintf(&s, `<desc id="%s-d">%s</desc>`+"\n", idMark, esc(desc))
	if c.defs.Len() > 0 {
		s.WriteString("<defs>\n")
		s.WriteString(c.defs.String())
		s.WriteString("</defs>\n")
	}
	s.WriteString(c.b.String())
	s.WriteString("</svg>\n")
	out := s.String()
	h := fnv.New32a()
	h.Write([]byte(out))
	return strings.ReplaceAll(out, idMark, fmt.Sprintf("oc%08x", h.Sum32()))
}

// header draws the title, legend and axis title, and returns the y where the
// plot may begin.
func (c *canvas) header(o Options, legend []legendItem) float64 {
	y := 0.0
	if t := clean(o.Title); t != "" {
		c.text(pad, 21, t, fsTitle, "oc-title", ` font-weight="bold" fill="`+colText+`"`, c.w-2*pad)
		y = 30
	}
	if len(legend) > 0 {
		y = c.legend(legend, y+4)
	}
	if l := axisTitle(o); l != "" {
		c.text(pad, y+14, l, fsLegend, "oc-ytitle", ` fill="`+colMuted+`"`, c.w-2*pad)
		y += 20
	}
	return y
}

// axisTitle is YLabel with the unit in full-width brackets: 通过率（%）.
func axisTitle(o Options) string {
	l, u := clean(o.YLabel), clean(o.Unit)
	if o.Percent {
		u = "%"
	}
	switch {
	case l == "":
		return ""
	case u == "" || strings.Contains(l, u):
		return l
	default:
		return l + "（" + u + "）"
	}
}

// legendItem is one legend entry; swatch draws its key at (x, mid-y).
type legendItem struct {
	name   string
	swW    float64
	swatch func(c *canvas, x, y float64)
}

const legendRow = 18.0

// legend lays out items left to right from y, wrapping to new rows when the
// next item would not fit, and returns the y below the last row.
func (c *canvas) legend(items []legendItem, y float64) float64 {
	avail := c.w - 2*pad
	x, row := pad, 0
	for _, it := range items {
		name := it.name
		maxText := avail - it.swW - 5
		name, _ = truncate(name, maxText, fsLegend)
		w := it.swW + 5 + textWidth(name, fsLegend)
		if x > pad && x+w > pad+avail {
			x, row = pad, row+1
		}
		mid := y + float64(row)*legendRow + legendRow/2
		c.b.WriteString(`<g class="oc-key">`)
		it.swatch(c, x, mid)
		c.text(x+it.swW+5, mid+fsLegend*0.35, it.name, fsLegend, "oc-legend", ` fill="`+colText+`"`, maxText)
		c.b.WriteString("</g>\n")
		x += w + 16
	}
	if len(items) == 0 {
		return y
	}
	return y + float64(row+1)*legendRow
}

// yGrid draws horizontal gridlines and tick labels for a vertical value axis
// over the plot box, with the zero line darker.
func (c *canvas) yGrid(a axis, vf valueFormatter, left, top, right, bottom float64) {
	c.b.WriteString(`<g class="oc-grid">` + "\n")
	for _, t := range a.ticks {
		y := bottom - a.pos(t)*(bottom-top)
		col, cls := colGrid, "oc-gridline"
		if t == 0 || t == a.ticks[0] {
			// Zero, or the bottom of an axis that does not start at zero.
			col, cls = colAxis, "oc-zero"
		}
		c.printf(`<line class="%s" x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="1"/>`+"\n", cls, f(left), f(y), f(right), f(y), col)
		c.text(left-6, y+fsTick*0.35, vf.tick(t, a.dec), fsTick, "oc-tick", ` text-anchor="end" fill="`+colMuted+`"`, 0)
	}
	c.b.WriteString("</g>\n")
}

// tick formats an axis tick: like a value label but without the unit (the
// unit is in the axis title), except that percentages keep their sign.
func (vf valueFormatter) tick(v float64, dec int) string {
	if vf.percent {
		return fmtNum(v*100, dec) + "%"
	}
	return fmtNum(v, dec)
}

// tickLabelWidth is the widest tick label of a.
func tickLabelWidth(a axis, vf valueFormatter) float64 {
	w := 0.0
	for _, t := range a.ticks {
		w = max(w, textWidth(vf.tick(t, a.dec), fsTick))
	}
	return w
}

// emptyBox draws the placeholder box with msg centred in it.
func (c *canvas) emptyBox(left, top, right, bottom float64, msg string) {
	c.printf(`<rect class="oc-empty" x="%s" y="%s" width="%s" height="%s" rx="4" fill="#fafafa" stroke="%s" stroke-dasharray="4 3"/>`+"\n",
		f(left), f(top), f(right-left), f(bottom-top), colBorder)
	c.text((left+right)/2, (top+bottom)/2+fsLegend*0.35, msg, fsLegend+1, "oc-msg", ` text-anchor="middle" fill="`+colMuted+`"`, right-left-16)
}

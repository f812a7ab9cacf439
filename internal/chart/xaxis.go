package chart

import "math"

const (
	sin45   = 0.7071067811865476
	xGap    = 8.0          // minimum space between horizontal x labels
	xLineH  = fsTick * 1.3 // minimum distance between rotated x labels
	xHCap   = 160.0        // longest horizontal x label before "…"
	xRotCap = 130.0        // longest rotated x label before "…"
	xOffset = fsTick + 5   // baseline of horizontal labels below the plot
	xRotTop = 8.0          // anchor of rotated labels below the plot
)

// xLabel is one placed category label (the text is cleaned, not escaped).
type xLabel struct {
	x    float64 // anchor x: centre (horizontal) or end (rotated)
	text string
	max  float64 // width limit passed to truncate
}

// xLayout is the decision for a category axis: which labels, rotated or not,
// and how much room they need below the plot.
type xLayout struct {
	rotated bool
	every   int
	labels  []xLabel
	height  float64
}

// layoutX places category labels under slots of width slot starting at left,
// in a frame of width w. Labels that fit side by side stay horizontal; when
// they do not, it thins them (every k-th label) or, if every label fits at 45°
// within maxHeight, rotates them. Labels never overlap by the width estimate.
func layoutX(labels []string, left, slot, w, maxHeight float64) xLayout {
	n := len(labels)
	if n == 0 || slot <= 0 {
		return xLayout{every: 1, height: xOffset + 6}
	}
	var widest float64
	for _, l := range labels {
		widest = max(widest, math.Min(textWidth(l, fsTick), xHCap))
	}
	kh := int(math.Ceil((widest + xGap) / slot))
	rotCap := math.Min(xRotCap, (maxHeight-xRotTop-fsTick)/sin45)
	kr := int(math.Ceil(xLineH / (slot * sin45)))
	rotWidest := math.Min(widest, rotCap)

	lay := xLayout{every: max(kh, 1)}
	switch {
	case kh <= 1:
		lay.every = 1
	case rotCap >= 3*fsTick && (kr == 1 || kh > 3*kr):
		lay.rotated, lay.every = true, max(kr, 1)
	}
	if lay.rotated {
		lay.height = xRotTop + rotWidest*sin45 + fsTick + 4
	} else {
		lay.height = xOffset + 6
	}

	prevRight := math.Inf(-1)
	for i := 0; i < n; i += lay.every {
		cx := left + (float64(i)+0.5)*slot
		if lay.rotated {
			// The text runs up-right to its end at (cx, …); its start must
			// stay inside the frame on the left.
			limit := math.Min(rotCap, (cx+fsTick*0.3-2)/sin45)
			if limit < fsTick {
				continue
			}
			lay.labels = append(lay.labels, xLabel{x: cx + fsTick*0.3, text: labels[i], max: limit})
			continue
		}
		limit := math.Min(xHCap, float64(lay.every)*slot-xGap)
		if lay.every == 1 {
			limit = math.Min(xHCap, slot-2)
		}
		if limit < fsTick {
			limit = fsTick
		}
		t, _ := truncate(labels[i], limit, fsTick)
		tw := textWidth(t, fsTick)
		x := cx
		x = math.Max(x, 2+tw/2)
		x = math.Min(x, w-2-tw/2)
		if x-tw/2 < prevRight+2 {
			continue // would touch the previous label
		}
		prevRight = x + tw/2
		lay.labels = append(lay.labels, xLabel{x: x, text: labels[i], max: limit})
	}
	return lay
}

// draw writes the labels below a plot whose bottom edge is at y.
func (lay xLayout) draw(c *canvas, y float64) {
	c.b.WriteString(`<g class="oc-xaxis">` + "\n")
	for _, l := range lay.labels {
		if lay.rotated {
			ay := y + xRotTop + fsTick*0.7
			c.text(l.x, ay, l.text, fsTick, "oc-xl",
				` text-anchor="end" transform="rotate(-45 `+f(l.x)+` `+f(ay)+`)" fill="`+colMuted+`"`, l.max)
			continue
		}
		c.text(l.x, y+xOffset, l.text, fsTick, "oc-xl", ` text-anchor="middle" fill="`+colMuted+`"`, l.max)
	}
	c.b.WriteString("</g>\n")
}

package chart

import (
	"math"
	"strings"
)

// Series is one named sequence of values, aligned with the chart's labels.
// Values beyond the labels are ignored; missing values count as no data.
type Series struct {
	Name   string
	Values []float64
	// Color is optional: "#rgb"/"#rrggbb" or a CSS colour keyword. Anything
	// else is ignored and the palette colour is used.
	Color string
}

// Options control the frame and the value axis. The zero value is usable.
type Options struct {
	// Width and Height of the viewBox in px; default 640×280. HBar picks a
	// height from the number of bars when Height is 0.
	Width, Height int
	// Title is drawn on top and is the accessible name (<title>).
	Title string
	// YLabel names the value axis (for HBar, the horizontal axis); it is
	// drawn above the plot, followed by the unit: "平均处理时长（小时）".
	YLabel string
	// Unit is appended to value labels ("12.5小时"). Ignored when Percent.
	Unit string
	// YMin and YMax fix the value axis range (in data units). By default the
	// range is nice-rounded around the data and always includes zero.
	YMin, YMax *float64
	// Percent means values are ratios (0.973) shown as percentages (97.3%).
	Percent bool
	// Desc overrides the generated text summary used as <desc>.
	Desc string
}

const (
	defaultWidth  = 640
	defaultHeight = 280
	minWidth      = 200
	minHeight     = 120
	maxSide       = 20000

	fontFamily = `'Noto Sans CJK SC','WenQuanYi Micro Hei','Microsoft YaHei','PingFang SC',sans-serif`

	fsTitle  = 15.0 // title font size
	fsLegend = 12.0 // legend and axis title
	fsTick   = 11.0 // tick and category labels
	fsValue  = 11.0 // value labels

	colText   = "#222"
	colMuted  = "#555"
	colGrid   = "#e3e3e3"
	colAxis   = "#888"
	colBorder = "#bbb"
)

// palette is ordered so that neighbours differ both in hue and in lightness
// (Okabe–Ito based, readable for colour-blind readers and in grayscale).
var palette = []string{
	"#1f5fa8", // dark blue
	"#e69f00", // orange
	"#009e73", // green
	"#c8371a", // vermilion
	"#56b4e9", // sky blue
	"#7a3b8f", // purple
	"#a6a23a", // olive
	"#4d4d4d", // dark gray
}

// dashes vary line series so they stay distinguishable without colour.
var dashes = []string{"", "7 4", "2 3", "10 3 2 3", "4 2", "1 4"}

func (o Options) size(autoHeight float64) (w, h float64) {
	w, h = float64(o.Width), float64(o.Height)
	if o.Width <= 0 {
		w = defaultWidth
	}
	if o.Height <= 0 {
		h = defaultHeight
		if autoHeight > 0 {
			h = autoHeight
		}
	}
	w = math.Min(math.Max(w, minWidth), maxSide)
	h = math.Min(math.Max(h, minHeight), maxSide)
	return w, h
}

// seriesColor returns the caller's colour when it is safe, else the palette's.
func seriesColor(s Series, i int) string {
	if c := safeColor(s.Color); c != "" {
		return c
	}
	return palette[i%len(palette)]
}

// safeColor accepts "#hex" (3, 4, 6 or 8 digits) and plain CSS keywords only,
// so a colour can never smuggle url(...) or markup into an attribute.
func safeColor(c string) string {
	c = strings.TrimSpace(c)
	if c == "" || len(c) > 24 {
		return ""
	}
	if c[0] == '#' {
		h := c[1:]
		switch len(h) {
		case 3, 4, 6, 8:
		default:
			return ""
		}
		for _, r := range h {
			if !isHex(r) {
				return ""
			}
		}
		return strings.ToLower(c)
	}
	for _, r := range c {
		if (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') {
			return ""
		}
	}
	return strings.ToLower(c)
}

func isHex(r rune) bool {
	return (r >= '0' && r <= '9') || (r >= 'a' && r <= 'f') || (r >= 'A' && r <= 'F')
}

// luma estimates the brightness of a colour on a 0–255 scale (Rec. 709 weights
// on gamma-encoded values, close enough here). Keywords other than a few
// light ones count as dark; unparsable colours as mid-dark.
func luma(c string) float64 {
	switch c {
	case "white", "yellow", "gold", "khaki", "lightgray", "lightgrey", "lightblue", "lightgreen", "pink", "orange", "wheat", "beige", "ivory":
		return 220
	}
	if len(c) == 0 || c[0] != '#' {
		return 100
	}
	h := c[1:]
	var r, g, b float64
	switch len(h) {
	case 3, 4:
		r, g, b = hexVal(h[0:1]+h[0:1]), hexVal(h[1:2]+h[1:2]), hexVal(h[2:3]+h[2:3])
	case 6, 8:
		r, g, b = hexVal(h[0:2]), hexVal(h[2:4]), hexVal(h[4:6])
	default:
		return 100
	}
	return 0.2126*r + 0.7152*g + 0.0722*b
}

func hexVal(s string) float64 {
	var v int
	for _, r := range s {
		v *= 16
		switch {
		case r >= '0' && r <= '9':
			v += int(r - '0')
		case r >= 'a' && r <= 'f':
			v += int(r-'a') + 10
		case r >= 'A' && r <= 'F':
			v += int(r-'A') + 10
		}
	}
	return float64(v)
}

package chart

import "strconv"

// marker draws the point symbol of series i at (x, y): shapes differ per
// series so lines stay distinguishable in grayscale print.
func (c *canvas) marker(i int, x, y float64, color string) {
	const r = 3.4
	solid := ` fill="` + color + `" stroke="#fff" stroke-width="1"`
	hollow := ` fill="#fff" stroke="` + color + `" stroke-width="1.6"`
	switch i % 6 {
	case 0:
		c.printf(`<circle cx="%s" cy="%s" r="%s"%s/>`, f(x), f(y), f(r), solid)
	case 1:
		c.printf(`<rect x="%s" y="%s" width="%s" height="%s"%s/>`, f(x-r), f(y-r), f(2*r), f(2*r), solid)
	case 2:
		c.printf(`<path d="M%s %sL%s %sL%s %sZ"%s/>`, f(x), f(y-r-0.8), f(x+r+0.6), f(y+r-0.2), f(x-r-0.6), f(y+r-0.2), solid)
	case 3:
		c.printf(`<path d="M%s %sL%s %sL%s %sL%s %sZ"%s/>`, f(x), f(y-r-1), f(x+r+1), f(y), f(x), f(y+r+1), f(x-r-1), f(y), solid)
	case 4:
		c.printf(`<circle cx="%s" cy="%s" r="%s"%s/>`, f(x), f(y), f(r-0.4), hollow)
	default:
		c.printf(`<rect x="%s" y="%s" width="%s" height="%s"%s/>`, f(x-r+0.5), f(y-r+0.5), f(2*r-1), f(2*r-1), hollow)
	}
}

// pattern defines the fill of bar series i in <defs> and returns the paint to
// use: series 0 is solid, the others overlay hatching, dots or stripes in a
// contrasting ink so stacks read in grayscale too.
func (c *canvas) pattern(i int, color string) string {
	kind := i % 6
	if kind == 0 {
		return color
	}
	ink, op := "#fff", "0.55"
	if luma(color) > 150 {
		ink, op = "#000", "0.35"
	}
	id := idMark + "-p" + itoa(i)
	d := &c.defs
	switch kind {
	case 1: // diagonal stripes
		d.WriteString(`<pattern id="` + id + `" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">`)
		d.WriteString(`<rect width="6" height="6" fill="` + color + `"/><rect width="2.2" height="6" fill="` + ink + `" fill-opacity="` + op + `"/>`)
	case 2: // dots
		d.WriteString(`<pattern id="` + id + `" width="5" height="5" patternUnits="userSpaceOnUse">`)
		d.WriteString(`<rect width="5" height="5" fill="` + color + `"/><circle cx="2.5" cy="2.5" r="1.2" fill="` + ink + `" fill-opacity="` + op + `"/>`)
	case 3: // horizontal stripes
		d.WriteString(`<pattern id="` + id + `" width="6" height="5" patternUnits="userSpaceOnUse">`)
		d.WriteString(`<rect width="6" height="5" fill="` + color + `"/><rect width="6" height="1.8" fill="` + ink + `" fill-opacity="` + op + `"/>`)
	case 4: // cross-hatch
		d.WriteString(`<pattern id="` + id + `" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">`)
		d.WriteString(`<rect width="6" height="6" fill="` + color + `"/><rect width="1.6" height="6" fill="` + ink + `" fill-opacity="` + op + `"/><rect width="6" height="1.6" fill="` + ink + `" fill-opacity="` + op + `"/>`)
	default: // reverse diagonal
		d.WriteString(`<pattern id="` + id + `" width="7" height="7" patternUnits="userSpaceOnUse" patternTransform="rotate(-45)">`)
		d.WriteString(`<rect width="7" height="7" fill="` + color + `"/><rect width="3.5" height="7" fill="` + ink + `" fill-opacity="` + op + `"/>`)
	}
	d.WriteString("</pattern>\n")
	return "url(#" + id + ")"
}

func itoa(i int) string { return strconv.Itoa(i) }

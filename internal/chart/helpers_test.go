package chart

import (
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"testing"
)

// node is a generic XML element tree for assertions on the output.
type node struct {
	XMLName  xml.Name
	Attrs    []xml.Attr `xml:",any,attr"`
	Children []node     `xml:",any"`
	Text     string     `xml:",chardata"`
}

func (n node) attr(name string) string {
	for _, a := range n.Attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

func (n node) num(t *testing.T, name string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(n.attr(name), 64)
	if err != nil {
		t.Fatalf("<%s %s=%q>: %v", n.XMLName.Local, name, n.attr(name), err)
	}
	return v
}

// walk visits n and its descendants; parent is nil for the root.
func (n node) walk(parent *node, fn func(n, parent *node)) {
	fn(&n, parent)
	for _, c := range n.Children {
		c.walk(&n, fn)
	}
}

// wellFormed walks every token of s with a strict decoder and checks the root
// is one <svg> in the SVG namespace with the accessibility attributes.
func wellFormed(t *testing.T, s string) node {
	t.Helper()
	dec := xml.NewDecoder(strings.NewReader(s))
	dec.Strict = true
	depth, roots := 0, 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, s)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				roots++
				if tok.Name.Local != "svg" || tok.Name.Space != "http://www.w3.org/2000/svg" {
					t.Fatalf("root is %v, want svg in the SVG namespace", tok.Name)
				}
			}
			depth++
		case xml.EndElement:
			depth--
		case xml.CharData:
			if depth == 0 && strings.TrimSpace(string(tok)) != "" {
				t.Fatalf("text outside the root: %q", tok)
			}
		case xml.ProcInst, xml.Directive:
			t.Fatalf("unexpected %T in output", tok)
		}
	}
	if roots != 1 {
		t.Fatalf("%d root elements, want 1", roots)
	}
	var root node
	if err := xml.Unmarshal([]byte(s), &root); err != nil {
		t.Fatal(err)
	}
	for _, a := range []string{"viewBox", "role", "aria-labelledby", "width"} {
		if root.attr(a) == "" {
			t.Errorf("root lacks %s", a)
		}
	}
	if root.attr("role") != "img" || root.attr("width") != "100%" {
		t.Errorf("root role=%q width=%q", root.attr("role"), root.attr("width"))
	}
	if len(root.Children) < 2 || root.Children[0].XMLName.Local != "title" || root.Children[1].XMLName.Local != "desc" {
		t.Errorf("root must start with <title> and <desc>")
	}
	ids := map[string]bool{}
	root.walk(nil, func(n, _ *node) {
		if id := n.attr("id"); id != "" {
			ids[id] = true
		}
	})
	for _, ref := range strings.Fields(root.attr("aria-labelledby")) {
		if !ids[ref] {
			t.Errorf("aria-labelledby names missing id %q", ref)
		}
	}
	return root
}

// viewBox returns the width and height of the root's viewBox.
func viewBox(t *testing.T, root node) (w, h float64) {
	t.Helper()
	var x, y float64
	if _, err := fmt.Sscanf(root.attr("viewBox"), "%g %g %g %g", &x, &y, &w, &h); err != nil {
		t.Fatalf("viewBox %q: %v", root.attr("viewBox"), err)
	}
	return w, h
}

// texts returns the text elements with the given class.
func texts(root node, class string) []node {
	var out []node
	root.walk(nil, func(n, _ *node) {
		if n.XMLName.Local == "text" && n.attr("class") == class {
			out = append(out, *n)
		}
	})
	return out
}

// box is the estimated extent of an unrotated text element.
func box(t *testing.T, n node) (x0, x1, y0, y1 float64) {
	t.Helper()
	x, y, fs := n.num(t, "x"), n.num(t, "y"), n.num(t, "font-size")
	w := textWidth(n.Text, fs)
	switch n.attr("text-anchor") {
	case "middle":
		x0 = x - w/2
	case "end":
		x0 = x - w
	default:
		x0 = x
	}
	return x0, x0 + w, y - fs*0.9, y + fs*0.25
}

func overlaps(a0, a1, b0, b1 float64) bool { return a0 < b1 && b0 < a1 }

func ptr(v float64) *float64 { return &v }

// Sample data, deterministic.

func days61() []string {
	var out []string
	for _, mn := range [][2]int{{10, 31}, {11, 30}} {
		for d := 1; d <= mn[1]; d++ {
			out = append(out, fmt.Sprintf("%02d-%02d", mn[0], d))
		}
	}
	return out
}

func passRates(n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		v := 0.97 + 0.02*math.Sin(float64(i)*0.7) - 0.01*math.Cos(float64(i)*0.23)
		switch i {
		case 14:
			v = 0.82 // a bad day
		case 15:
			v = 0.9
		case 40, 41:
			v = math.NaN() // runner down, no data
		}
		out[i] = math.Min(1, math.Round(v*1000)/1000)
	}
	return out
}

func weeks(n int) []string {
	var out []string
	for i := 0; i < n; i++ {
		out = append(out, fmt.Sprintf("2025-W%02d", 40+i))
	}
	return out
}

var departments = []string{
	"南通市行政审批局",
	"南通市数据局",
	"南通市自然资源和规划局",
	"南通市人力资源和社会保障局",
	"南通市市场监督管理局（知识产权局）",
	"南通市住房和城乡建设局",
	"南通市公安局",
	"南通经济技术开发区管理委员会行政审批与数据资源管理局",
	"崇川区政务服务管理办公室",
	"海门区大数据管理中心",
	"Nantong Customs (南通海关)",
	"南通市卫生健康委员会",
}

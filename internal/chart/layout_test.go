package chart

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"sync"
	"testing"
)

var layoutOnce = sync.OnceValue(renderLayoutCases)

// layoutCases renders category charts over many label counts and lengths.
func layoutCases() map[string]string {
	out := map[string]string{}
	for k, v := range layoutOnce() {
		out[k] = v
	}
	return out
}

func renderLayoutCases() map[string]string {
	out := map[string]string{}
	kinds := map[string]func(i int) string{
		"date":  func(i int) string { return fmt.Sprintf("%02d-%02d", 10+i/31%3, i%31+1) },
		"week":  func(i int) string { return fmt.Sprintf("2025-W%02d", i%53+1) },
		"cjk":   func(i int) string { return departments[i%len(departments)] },
		"mixed": func(i int) string { return fmt.Sprintf("WWW服务器%d号 MMM", i) },
	}
	for kname, gen := range kinds {
		for _, n := range []int{1, 2, 5, 7, 12, 13, 31, 52, 61, 200, 365, 3000} {
			labels := make([]string, n)
			vals := make([]float64, n)
			for i := range labels {
				labels[i] = gen(i)
				vals[i] = float64((i*7)%11) + 1
			}
			for _, wd := range []int{320, 640, 1000} {
				if n > 365 && wd != 640 {
					continue
				}
				o := Options{Width: wd, Title: "布局"}
				key := fmt.Sprintf("%s n=%d w=%d", kname, n, wd)
				out["line "+key] = Line(labels, []Series{{Name: "甲", Values: vals}, {Name: "乙", Values: vals}}, o)
				out["stacked "+key] = StackedBar(labels, []Series{{Name: "严重", Values: vals}, {Name: "一般", Values: vals}}, o)
				if n <= 365 {
					out["hbar "+key] = HBar(labels, vals, o)
				}
			}
		}
	}
	return out
}

func TestXLabelsNeverOverlap(t *testing.T) {
	for name, out := range layoutCases() {
		if strings.HasPrefix(name, "hbar") {
			continue
		}
		root := wellFormed(t, out)
		w, h := viewBox(t, root)
		labels := texts(root, "oc-xl")
		if len(labels) == 0 {
			t.Errorf("%s: no x labels at all", name)
			continue
		}
		rotated := labels[0].attr("transform") != ""
		for k, l := range labels {
			fs := l.num(t, "font-size")
			if rotated {
				x, y := l.num(t, "x"), l.num(t, "y")
				tw := textWidth(l.Text, fs)
				if x-tw*sin45 < 0 || y+tw*sin45 > h {
					t.Errorf("%s: rotated label %q leaves the frame", name, l.Text)
				}
				if k > 0 {
					if d := (x - labels[k-1].num(t, "x")) * sin45; d < fs*1.2 {
						t.Errorf("%s: rotated labels %q and %q only %.1f px apart", name, labels[k-1].Text, l.Text, d)
					}
				}
				continue
			}
			x0, x1, _, y1 := box(t, l)
			if x0 < 0 || x1 > w || y1 > h {
				t.Errorf("%s: label %q at [%.1f, %.1f] leaves the %gx%g frame", name, l.Text, x0, x1, w, h)
			}
			if k > 0 {
				_, p1, _, _ := box(t, labels[k-1])
				if x0 < p1 {
					t.Errorf("%s: labels %q and %q overlap (%.1f < %.1f)", name, labels[k-1].Text, l.Text, x0, p1)
				}
			}
		}
	}
}

func TestHBarLabelsFitMargin(t *testing.T) {
	cases := layoutCases()
	cases["golden departments"] = goldenCases()[3].render()
	for name, out := range cases {
		if !strings.HasPrefix(name, "hbar") && name != "golden departments" {
			continue
		}
		root := wellFormed(t, out)
		w, _ := viewBox(t, root)
		plotLeft := math.Inf(1)
		root.walk(nil, func(n, _ *node) {
			if n.XMLName.Local == "rect" && n.attr("class") == "oc-bar" {
				plotLeft = math.Min(plotLeft, n.num(t, "x"))
			}
		})
		prevBottom := math.Inf(-1)
		for _, l := range texts(root, "oc-yl") {
			x0, x1, y0, y1 := box(t, l)
			if x0 < 0 {
				t.Errorf("%s: label %q starts at %.1f, outside the frame", name, l.Text, x0)
			}
			if x1 > plotLeft {
				t.Errorf("%s: label %q ends at %.1f, inside the plot (starts at %.1f)", name, l.Text, x1, plotLeft)
			}
			if x1-x0 > w*0.4 {
				t.Errorf("%s: label %q is %.0f px wide, more than 40%% of the width", name, l.Text, x1-x0)
			}
			if y0 < prevBottom {
				t.Errorf("%s: label %q overlaps the one above", name, l.Text)
			}
			prevBottom = y1
		}
	}
}

// TestTruncatedLabelsKeepFullText: a label cut with "…" sits in a group whose
// <title> holds the whole text, so it shows on hover.
func TestTruncatedLabelsKeepFullText(t *testing.T) {
	out := goldenCases()[3].render() // department names, one too long
	root := wellFormed(t, out)
	var cut int
	root.walk(nil, func(n, _ *node) {
		if n.XMLName.Local != "g" || n.attr("class") != "oc-cut" {
			return
		}
		cut++
		if len(n.Children) != 2 || n.Children[0].XMLName.Local != "title" || n.Children[1].XMLName.Local != "text" {
			t.Fatalf("oc-cut group must hold <title> then <text>")
		}
		full, short := n.Children[0].Text, n.Children[1].Text
		if !strings.HasSuffix(short, "…") || !strings.HasPrefix(full, strings.TrimSuffix(short, "…")) {
			t.Errorf("short %q is not a prefix of full %q with …", short, full)
		}
	})
	if cut != 1 {
		t.Errorf("%d truncated labels, want 1 (the 管理委员会 one)", cut)
	}
	if !strings.Contains(out, "南通经济技术开发区管理委员会行政审批与数据资源管理局</title>") {
		t.Errorf("full department name missing from the hover title")
	}
}

func TestLegendWrapsWithoutOverlap(t *testing.T) {
	var series []Series
	for i := 0; i < 12; i++ {
		series = append(series, Series{Name: strings.Repeat("数据共享交换", i%4+1) + fmt.Sprint(i), Values: []float64{1, 2}})
	}
	series = append(series, Series{Name: strings.Repeat("极长", 80), Values: []float64{1, 2}})
	for _, wd := range []int{200, 400, 640, 1200} {
		for kind, out := range map[string]string{
			"line":    Line([]string{"a", "b"}, series, Options{Width: wd}),
			"stacked": StackedBar([]string{"a", "b"}, series, Options{Width: wd}),
		} {
			root := wellFormed(t, out)
			w, _ := viewBox(t, root)
			items := texts(root, "oc-legend")
			if len(items) != len(series) {
				t.Fatalf("%s w=%d: %d legend entries, want %d", kind, wd, len(items), len(series))
			}
			rows := map[float64][]node{}
			for _, it := range items {
				rows[it.num(t, "y")] = append(rows[it.num(t, "y")], it)
			}
			if len(rows) < 2 {
				t.Errorf("%s w=%d: legend did not wrap", kind, wd)
			}
			for _, row := range rows {
				sort.Slice(row, func(i, j int) bool { return row[i].num(t, "x") < row[j].num(t, "x") })
				for k, it := range row {
					x0, x1, _, _ := box(t, it)
					if x0 < 0 || x1 > w {
						t.Errorf("%s w=%d: legend %q at [%.0f, %.0f] leaves the frame", kind, wd, it.Text, x0, x1)
					}
					if k > 0 {
						if _, p1, _, _ := box(t, row[k-1]); x0-26-5 < p1 {
							t.Errorf("%s w=%d: legend %q crowds %q", kind, wd, it.Text, row[k-1].Text)
						}
					}
				}
			}
		}
	}
}

// TestTextStaysInFrame: no unrotated text of any chart leaves the viewBox,
// and tick labels of one axis never overlap.
func TestTextStaysInFrame(t *testing.T) {
	all := layoutCases()
	for k, v := range edgeCases() {
		all["edge "+k] = v
	}
	for _, g := range goldenCases() {
		all[g.name] = g.render()
	}
	for name, out := range all {
		root := wellFormed(t, out)
		w, h := viewBox(t, root)
		root.walk(nil, func(n, _ *node) {
			if n.XMLName.Local != "text" || n.attr("transform") != "" {
				return
			}
			x0, x1, y0, y1 := box(t, *n)
			if x0 < -0.5 || x1 > w+0.5 || y0 < -0.5 || y1 > h+0.5 {
				t.Errorf("%s: %s %q at x [%.1f, %.1f] y [%.1f, %.1f] leaves the %gx%g frame", name, n.attr("class"), n.Text, x0, x1, y0, y1, w, h)
			}
		})
		ticks := texts(root, "oc-tick")
		for i := 1; i < len(ticks); i++ {
			a0, a1, b0, b1 := box(t, ticks[i-1])
			c0, c1, d0, d1 := box(t, ticks[i])
			if overlaps(a0, a1, c0, c1) && overlaps(b0, b1, d0, d1) {
				t.Errorf("%s: ticks %q and %q overlap", name, ticks[i-1].Text, ticks[i].Text)
			}
		}
	}
}

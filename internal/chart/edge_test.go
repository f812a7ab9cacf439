package chart

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

var edgeOnce = sync.OnceValue(renderEdgeCases)

// edgeCases are inputs that must still give a well-formed, sensible chart.
func edgeCases() map[string]string {
	out := map[string]string{}
	for k, v := range edgeOnce() {
		out[k] = v
	}
	return out
}

func renderEdgeCases() map[string]string {
	nan, inf := math.NaN(), math.Inf(1)
	many := make([]string, 5000)
	manyV := make([]float64, 5000)
	for i := range many {
		many[i] = fmt.Sprintf("L%04d", i)
		manyV[i] = float64(i % 17)
	}
	longNames := []Series{}
	for i := 0; i < 9; i++ {
		longNames = append(longNames, Series{Name: strings.Repeat("非常长的系列名称", i%3+1) + fmt.Sprint(i), Values: []float64{float64(i), float64(i + 1)}})
	}
	return map[string]string{
		"line no labels":          Line(nil, []Series{{Name: "a", Values: []float64{1}}}, Options{}),
		"line no series":          Line([]string{"a"}, nil, Options{Title: "t"}),
		"line all nan":            Line([]string{"a", "b"}, []Series{{Values: []float64{nan, inf}}}, Options{}),
		"line all zeros":          Line([]string{"a", "b", "c"}, []Series{{Values: []float64{0, 0, 0}}}, Options{}),
		"line single point":       Line([]string{"10-01"}, []Series{{Name: "通过率", Values: []float64{0.97}}}, Options{Percent: true}),
		"line isolated points":    Line([]string{"a", "b", "c", "d", "e"}, []Series{{Values: []float64{1, nan, 3, nan, 5}}}, Options{}),
		"line negative":           Line([]string{"a", "b", "c"}, []Series{{Values: []float64{-5, 3, -inf}}}, Options{}),
		"line all negative":       Line([]string{"a", "b", "c"}, []Series{{Values: []float64{-105, -100, -98}}}, Options{}),
		"line 5000 labels":        Line(many, []Series{{Values: manyV}}, Options{}),
		"line fixed range":        Line([]string{"a", "b"}, []Series{{Values: []float64{0.5, 1.2}}}, Options{YMin: ptr(0.9), YMax: ptr(1), Percent: true}),
		"line bad fixed range":    Line([]string{"a", "b"}, []Series{{Values: []float64{1, 2}}}, Options{YMin: ptr(5), YMax: ptr(1)}),
		"line legend wraps":       Line([]string{"a", "b"}, longNames, Options{Title: "图例换行"}),
		"line tiny frame":         Line(days61(), []Series{{Values: passRates(61)}}, Options{Width: 10, Height: 10, Title: "小"}),
		"line short values":       Line([]string{"a", "b", "c"}, []Series{{Values: []float64{1}}}, Options{}),
		"line huge values":        Line([]string{"a", "b"}, []Series{{Values: []float64{1e15, 3e15}}}, Options{Unit: "B"}),
		"line tiny values":        Line([]string{"a", "b"}, []Series{{Values: []float64{1e-7, 3e-7}}}, Options{}),
		"stacked no data":         StackedBar([]string{"a"}, []Series{{Values: []float64{nan}}}, Options{}),
		"stacked all zeros":       StackedBar(weeks(4), []Series{{Name: "严重", Values: []float64{0, 0, 0, 0}}}, Options{}),
		"stacked negatives":       StackedBar([]string{"a", "b"}, []Series{{Values: []float64{-3, 2}}, {Values: []float64{4, -1}}}, Options{}),
		"stacked 5000 labels":     StackedBar(many, []Series{{Values: manyV}, {Values: manyV}}, Options{}),
		"stacked single":          StackedBar([]string{"2025-W40"}, []Series{{Name: "一般", Values: []float64{3}}}, Options{}),
		"stacked 52 weeks":        StackedBar(weeks(52), []Series{{Values: manyV[:52]}, {Values: manyV[1:53]}, {Values: manyV[2:54]}}, Options{}),
		"stacked long labels":     StackedBar(departments, []Series{{Values: manyV[:12]}}, Options{}),
		"stacked 9 series":        StackedBar([]string{"a", "b"}, longNames, Options{}),
		"hbar empty":              HBar(nil, nil, Options{Title: "空"}),
		"hbar all zeros":          HBar([]string{"a", "b"}, []float64{0, 0}, Options{}),
		"hbar negative":           HBar([]string{"a", "b"}, []float64{-3, 5}, Options{}),
		"hbar single":             HBar([]string{"南通市数据局"}, []float64{7}, Options{}),
		"hbar 2000 rows":          HBar(many[:2000], manyV[:2000], Options{}),
		"hbar fixed height crowd": HBar(departments, manyV[:12], Options{Height: 150}),
		"hbar percent":            HBar([]string{"a", "b"}, []float64{0.991, 0.5}, Options{Percent: true}),
		"empty custom msg":        Empty(Options{Width: 300, Height: 100}, "本周无异常 <ok>"),
	}
}

func TestEdgeCasesWellFormed(t *testing.T) {
	for name, s := range edgeCases() {
		t.Run(name, func(t *testing.T) {
			root := wellFormed(t, s)
			w, h := viewBox(t, root)
			if w < minWidth || h < minHeight-1 {
				t.Errorf("viewBox %gx%g below the minimum", w, h)
			}
			if strings.Contains(s, "NaN") || strings.Contains(s, "Inf") || strings.Contains(s, "e+") || strings.Contains(s, "e-0") {
				t.Errorf("a non-finite or exponent number leaked into the output")
			}
		})
	}
}

func TestEmptyFallback(t *testing.T) {
	cases := edgeCases()
	for _, name := range []string{"line no labels", "line no series", "line all nan", "stacked no data", "hbar empty"} {
		if !strings.Contains(cases[name], `class="oc-chart oc-empty"`) || !strings.Contains(cases[name], "暂无数据") {
			t.Errorf("%s: want the 暂无数据 placeholder", name)
		}
	}
	if !strings.Contains(cases["empty custom msg"], "本周无异常 &lt;ok&gt;") {
		t.Errorf("Empty does not show the escaped custom message")
	}
	for _, name := range []string{"line all zeros", "stacked all zeros", "hbar all zeros"} {
		if strings.Contains(cases[name], "oc-empty") {
			t.Errorf("%s: all-zero data is data, not an empty chart", name)
		}
	}
}

func TestEdgeCaseContent(t *testing.T) {
	cases := edgeCases()
	// A single point and isolated points are visible as markers.
	if n := strings.Count(cases["line single point"], "<circle"); n != 1 {
		t.Errorf("single point: %d markers, want 1", n)
	}
	if n := strings.Count(cases["line isolated points"], "<circle"); n != 3 {
		t.Errorf("isolated points: %d markers, want 3", n)
	}
	// Missing values break the line into separate sub-paths.
	root := wellFormed(t, cases["line isolated points"])
	root.walk(nil, func(n, _ *node) {
		if n.XMLName.Local == "path" && strings.HasPrefix(n.attr("class"), "oc-line") {
			if got := strings.Count(n.attr("d"), "M"); got != 3 {
				t.Errorf("path %q has %d sub-paths, want 3", n.attr("d"), got)
			}
		}
	})
	// Negative stacked values are dropped: column b holds only 2, column a only 4.
	if !strings.Contains(cases["stacked negatives"], ">4</text>") || !strings.Contains(cases["stacked negatives"], ">2</text>") {
		t.Errorf("stacked negatives: totals should be 4 and 2:\n%s", cases["stacked negatives"])
	}
	// A negative HBar value draws no bar but keeps its label.
	if got := strings.Count(cases["hbar negative"], `class="oc-bar"`); got != 1 {
		t.Errorf("hbar negative: %d bars, want 1", got)
	}
	if !strings.Contains(cases["hbar negative"], ">-3</text>") {
		t.Errorf("hbar negative: the value -3 is not shown")
	}
	// Percent charts label ratios as percentages and stop at 100%.
	if !strings.Contains(cases["hbar percent"], ">99.1%</text>") || strings.Contains(cases["hbar percent"], ">120%<") {
		t.Errorf("hbar percent labels wrong")
	}
	// Thousands of labels are thinned to a readable handful.
	for _, name := range []string{"line 5000 labels", "stacked 5000 labels"} {
		if n := len(texts(wellFormed(t, cases[name]), "oc-xl")); n < 3 || n > 40 {
			t.Errorf("%s: %d x labels shown", name, n)
		}
	}
	if n := len(texts(wellFormed(t, cases["hbar 2000 rows"]), "oc-yl")); n < 10 || n > 200 {
		t.Errorf("hbar 2000 rows: %d row labels shown", n)
	}
}

// TestDumpEdgeCases writes the edge-case charts to $CHART_DUMP for people to
// look at (e.g. with rsvg-convert); it does nothing otherwise.
func TestDumpEdgeCases(t *testing.T) {
	dir := os.Getenv("CHART_DUMP")
	if dir == "" {
		t.Skip("set CHART_DUMP=DIR to write the edge-case charts there")
	}
	for name, s := range edgeCases() {
		if err := os.WriteFile(filepath.Join(dir, strings.ReplaceAll(name, " ", "_")+".svg"), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

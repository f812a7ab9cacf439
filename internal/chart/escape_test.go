package chart

import (
	"strings"
	"testing"
)

const nasty = `<script>alert("x&y")</script> 'q' & "dq" ]]> <!-- --> &amp;`

func nastyCharts() map[string]string {
	o := Options{Title: nasty, YLabel: nasty, Unit: `<u>&`, Desc: ""}
	s := []Series{
		{Name: nasty, Values: []float64{1, 2, 3}, Color: `red" onload="alert(1)`},
		{Name: "b\x00\x01\x1b\ufffe" + "\xff\xfe" + "c", Values: []float64{2, 1, 0}, Color: "url(http://evil.example/x)"},
	}
	labels := []string{nasty, "javascript:alert(1)", "a\u00a0\tb\nc"}
	return map[string]string{
		"line":    Line(labels, s, o),
		"stacked": StackedBar(labels, s, o),
		"hbar":    HBar(labels, []float64{1, 2, 3}, o),
		"empty":   Empty(o, nasty),
		"desc":    Line(labels, s, Options{Desc: nasty}),
	}
}

func TestEscaping(t *testing.T) {
	for name, out := range nastyCharts() {
		t.Run(name, func(t *testing.T) {
			root := wellFormed(t, out)
			for _, bad := range []string{"<script", "<u>", "onload", "url(http", "evil.example", "\x00", "\x1b", "<!--"} {
				if strings.Contains(out, bad) {
					t.Errorf("output contains %q", bad)
				}
			}
			// The caller's text survives as text: decoded, it reads as given.
			found := false
			root.walk(nil, func(n, _ *node) {
				if strings.Contains(n.Text, `<script>alert("x&y")</script> 'q' & "dq" ]]>`) {
					found = true
				}
			})
			if !found {
				t.Errorf("the escaped text does not decode back to the original")
			}
		})
	}
}

func TestEscapeHelpers(t *testing.T) {
	if got := esc(`<a href='x'>&"`); got != "&lt;a href=&#39;x&#39;&gt;&amp;&quot;" {
		t.Errorf("esc = %q", got)
	}
	if got := clean("a\x00b\x07c\xffd\ufffee  \n f"); got != "abc\ufffdde f" {
		t.Errorf("clean = %q", got)
	}
	for in, want := range map[string]string{
		"#1F5FA8": "#1f5fa8", "#abc": "#abc", "red": "red", "": "", "#12345": "",
		`red" x="`: "", "url(#a)": "", "rgb(1,2,3)": "", "#ggg": "", "expression(alert(1))": "",
	} {
		if got := safeColor(in); got != want {
			t.Errorf("safeColor(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestNoExternalReferences: nothing in any output can fetch or run anything.
func TestNoExternalReferences(t *testing.T) {
	all := map[string]string{}
	for k, v := range nastyCharts() {
		all["nasty "+k] = v
	}
	for k, v := range edgeCases() {
		all[k] = v
	}
	for _, g := range goldenCases() {
		all[g.name] = g.render()
	}
	for name, out := range all {
		root := wellFormed(t, out)
		root.walk(nil, func(n, _ *node) {
			switch n.XMLName.Local {
			case "script", "foreignObject", "image", "use", "a", "style", "iframe":
				t.Errorf("%s: <%s> element in output", name, n.XMLName.Local)
			}
			for _, a := range n.Attrs {
				l := strings.ToLower(a.Name.Local)
				if strings.HasPrefix(l, "on") || l == "href" || l == "src" || l == "style" {
					t.Errorf("%s: attribute %s on <%s>", name, a.Name.Local, n.XMLName.Local)
				}
				if strings.Contains(a.Value, "url(") && !strings.HasPrefix(strings.TrimPrefix(a.Value, "url("), "#") {
					t.Errorf("%s: non-local url in %s=%q", name, a.Name.Local, a.Value)
				}
			}
		})
		if n := strings.Count(out, "http"); n != 1 || !strings.Contains(out, `xmlns="http://www.w3.org/2000/svg"`) {
			t.Errorf("%s: %d mentions of http, want only the xmlns", name, n)
		}
	}
}

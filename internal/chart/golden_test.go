package chart

import (
	"flag"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.svg golden files (and PNGs when rsvg-convert exists)")

type goldenCase struct {
	name   string
	render func() string
}

func goldenCases() []goldenCase {
	return []goldenCase{
		{"line_passrate_61d", func() string {
			return Line(days61(), []Series{{Name: "巡检通过率", Values: passRates(61)}},
				Options{Title: "巡检通过率（每日）", YLabel: "通过率", Percent: true})
		}},
		{"line_multi", func() string {
			labels := days61()[:14]
			a, b, c := make([]float64, 14), make([]float64, 14), make([]float64, 14)
			for i := range a {
				a[i] = 120 + 30*math.Sin(float64(i)/2)
				b[i] = 80 + 10*float64(i%5)
				c[i] = 40 + 3*float64(i)
			}
			b[6], b[7] = math.NaN(), math.Inf(1)
			return Line(labels, []Series{
				{Name: "交换前置机 响应时间", Values: a},
				{Name: "共享库 查询耗时", Values: b},
				{Name: "目录服务 API", Values: c},
			}, Options{Title: "接口响应时间（近两周）", YLabel: "P95 响应时间", Unit: "ms"})
		}},
		{"stacked_anomalies_weeks", func() string {
			crit := []float64{1, 0, 2, 0, 0, 1, 3, 0, 0, 1, 0, 0, 1}
			major := []float64{3, 2, 4, 1, 0, 2, 5, 2, 1, 3, 2, 0, 2}
			minor := []float64{5, 7, 3, 4, 2, 6, 8, 4, 3, 5, 6, 2, 4}
			return StackedBar(weeks(13), []Series{
				{Name: "严重", Values: crit, Color: "#c8371a"},
				{Name: "重要", Values: major, Color: "#e69f00"},
				{Name: "一般", Values: minor, Color: "#1f5fa8"},
			}, Options{Title: "每周异常数（按严重程度）", YLabel: "异常数", Unit: "件"})
		}},
		{"hbar_departments", func() string {
			vals := []float64{128, 96, 74, 61, 55, 43, 38, 31, 22, 17, 9, 4}
			return HBar(departments, vals, Options{Title: "各部门工单数（本季度）", YLabel: "工单数", Unit: "件"})
		}},
		{"hbar_mttr", func() string {
			return HBar([]string{"编目", "发布", "订阅审批", "账号与权限", "接口对接", "其他"},
				[]float64{2.4, 1.15, 6.8, 0.5, 12.25, math.NaN()},
				Options{Title: "平均解决时长（按类别）", YLabel: "平均解决时长", Unit: "小时"})
		}},
		{"empty", func() string {
			return Empty(Options{Title: "每周异常数（按严重程度）", YLabel: "异常数"}, "")
		}},
	}
}

func TestGolden(t *testing.T) {
	for _, tc := range goldenCases() {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.render()
			wellFormed(t, got)
			path := filepath.Join("testdata", tc.name+".svg")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				renderPNG(t, path)
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./internal/chart -update to create it)", err)
			}
			if string(want) != got {
				t.Errorf("%s differs from the golden file; if the change is intended, run go test ./internal/chart -update and review the diff", path)
			}
		})
	}
}

// renderPNG converts a golden SVG to PNG for people to look at, when
// rsvg-convert is installed. Tests never depend on it.
func renderPNG(t *testing.T, svg string) {
	bin, err := exec.LookPath("rsvg-convert")
	if err != nil {
		return
	}
	png := svg[:len(svg)-len(".svg")] + ".png"
	if out, err := exec.Command(bin, "--zoom", "2", "-b", "white", "-o", png, svg).CombinedOutput(); err != nil {
		t.Logf("rsvg-convert %s: %v: %s", svg, err, out)
	}
}

func TestDeterministic(t *testing.T) {
	seen := map[string]string{}
	for _, tc := range goldenCases() {
		a, b := tc.render(), tc.render()
		if a != b {
			t.Errorf("%s: two renders differ", tc.name)
		}
		root := wellFormed(t, a)
		id := root.Children[0].attr("id")
		if other, dup := seen[id]; dup {
			t.Errorf("%s and %s share the id prefix %s", tc.name, other, id)
		}
		seen[id] = tc.name
	}
}

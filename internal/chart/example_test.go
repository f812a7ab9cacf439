package chart_test

import (
	"fmt"
	"strings"

	"github.com/opsbook/opsbook/internal/chart"
)

func ExampleStackedBar() {
	svg := chart.StackedBar(
		[]string{"2025-W40", "2025-W41", "2025-W42"},
		[]chart.Series{
			{Name: "严重", Values: []float64{1, 0, 2}, Color: "#c8371a"},
			{Name: "重要", Values: []float64{3, 2, 4}, Color: "#e69f00"},
			{Name: "一般", Values: []float64{5, 7, 3}},
		},
		chart.Options{Title: "每周异常数", YLabel: "异常数", Unit: "件"},
	)
	// The SVG goes into the page as is (in Hugo: {{ .chart | safeHTML }}).
	lines := strings.Split(svg, "\n")
	fmt.Println(strings.HasPrefix(lines[0], `<svg xmlns="http://www.w3.org/2000/svg" class="oc-chart oc-stacked"`))
	fmt.Println(lines[2][strings.Index(lines[2], ">")+1:])
	// Output:
	// true
	// 堆叠柱状图：每周异常数。共 3 项（2025-W40 至 2025-W42），数值为异常数（件）。严重：最新 2件（2025-W42），最低 0件（2025-W41），最高 2件（2025-W42）。重要：最新 4件（2025-W42），最低 2件（2025-W41），最高 4件（2025-W42）。一般：最新 3件（2025-W42），最低 3件（2025-W42），最高 7件（2025-W41）。</desc>
}

package chart

import (
	"fmt"
	"testing"
)

func BenchmarkLine61Days(b *testing.B) {
	labels, vals := days61(), passRates(61)
	for b.Loop() {
		Line(labels, []Series{{Name: "通过率", Values: vals}}, Options{Percent: true})
	}
}

func BenchmarkStacked5000(b *testing.B) {
	labels := make([]string, 5000)
	vals := make([]float64, 5000)
	for i := range labels {
		labels[i] = fmt.Sprint(i)
		vals[i] = float64(i % 9)
	}
	for b.Loop() {
		StackedBar(labels, []Series{{Values: vals}, {Values: vals}, {Values: vals}}, Options{})
	}
}

func BenchmarkHBarDepartments(b *testing.B) {
	vals := []float64{128, 96, 74, 61, 55, 43, 38, 31, 22, 17, 9, 4}
	for b.Loop() {
		HBar(departments, vals, Options{Title: "各部门工单数"})
	}
}

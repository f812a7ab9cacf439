package chart

import (
	"fmt"
	"math"
	"strings"
)

// data is the caller's input, cleaned and aligned: one value per label per
// series, NaN where a value is missing or not finite.
type data struct {
	labels []string
	names  []string
	colors []string
	vals   [][]float64
	finite int // number of finite values
	min    float64
	max    float64
}

func prepare(labels []string, series []Series) data {
	d := data{labels: make([]string, len(labels)), min: math.Inf(1), max: math.Inf(-1)}
	for i, l := range labels {
		d.labels[i] = clean(l)
	}
	for si, s := range series {
		name := clean(s.Name)
		if name == "" {
			name = fmt.Sprintf("系列 %d", si+1)
		}
		d.names = append(d.names, name)
		d.colors = append(d.colors, seriesColor(s, si))
		v := make([]float64, len(labels))
		for i := range v {
			v[i] = math.NaN()
			if i < len(s.Values) && finite(s.Values[i]) {
				v[i] = s.Values[i]
				d.finite++
				d.min = math.Min(d.min, v[i])
				d.max = math.Max(d.max, v[i])
			}
		}
		d.vals = append(d.vals, v)
	}
	return d
}

// flat returns all values of all series (NaN included).
func (d data) flat() []float64 {
	var out []float64
	for _, v := range d.vals {
		out = append(out, v...)
	}
	return out
}

// span describes the category range for summaries: "10-01 至 11-30".
func (d data) span() string {
	switch len(d.labels) {
	case 0:
		return ""
	case 1:
		return d.labels[0]
	}
	return d.labels[0] + " 至 " + d.labels[len(d.labels)-1]
}

// summary is a short text for <desc>: per series latest, lowest and highest.
func (d data) summary(kind string, o Options, vf valueFormatter, dec int) string {
	if s := clean(o.Desc); s != "" {
		return s
	}
	var b strings.Builder
	b.WriteString(kind)
	if t := clean(o.Title); t != "" {
		b.WriteString("：" + t)
	}
	fmt.Fprintf(&b, "。共 %d 项（%s）", len(d.labels), d.span())
	if l := axisTitle(o); l != "" {
		b.WriteString("，数值为" + l)
	}
	b.WriteString("。")
	for si, v := range d.vals {
		if si == 8 {
			fmt.Fprintf(&b, "另有 %d 个系列。", len(d.vals)-si)
			break
		}
		lo, hi, last := -1, -1, -1
		for i, x := range v {
			if !finite(x) {
				continue
			}
			if lo < 0 || x < v[lo] {
				lo = i
			}
			if hi < 0 || x > v[hi] {
				hi = i
			}
			last = i
		}
		if last < 0 {
			fmt.Fprintf(&b, "%s：无数据。", d.names[si])
			continue
		}
		fmt.Fprintf(&b, "%s：最新 %s（%s），最低 %s（%s），最高 %s（%s）。", d.names[si],
			vf.format(v[last], dec), d.labels[last], vf.format(v[lo], dec), d.labels[lo], vf.format(v[hi], dec), d.labels[hi])
	}
	return b.String()
}

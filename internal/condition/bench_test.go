package condition

import (
	"strings"
	"testing"
	"time"
)

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		for _, s := range seeds[:19] {
			if _, err := Parse(s); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkEval(b *testing.B) {
	big := `{"data":{"status":"ok"},"items":[` + strings.Repeat(`{"name":"目录","id":12345},`, 400) + `{"name":"x"}]}`
	vals := map[string]any{
		"STATUS": int64(200), "RESPONSE_TIME": 120 * time.Millisecond, "IP": "10.0.0.2",
		"BODY": `{"data":{"status":"ok"},"items":[{"name":"目录"}]}`, "BIG": big,
		"PAGE": strings.Repeat("政务数据共享交换平台 ", 1000) + "系统正常",
	}
	for _, bc := range []struct{ name, cond string }{
		{"status", "[STATUS] == 200"},
		{"duration", "[RESPONSE_TIME] < 2s"},
		{"any", "[IP] == any(10.0.0.1, 10.0.0.2)"},
		{"json-small", "[BODY].data.status == ok"},
		{"json-10KB", "len([BIG].items) > 0"},
		{"pat-20KB", "[PAGE] == pat(*正常*)"},
		{"missing", "[NOPE] == 1"},
	} {
		c := mustParse(b, bc.cond)
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if r := c.Eval(vals); !r.Success && bc.name != "missing" {
					b.Fatal(r)
				}
			}
		})
	}
}

// BenchmarkEvalAll is five conditions on one JSON body, decoded once.
func BenchmarkEvalAll(b *testing.B) {
	var conds []*Condition
	for _, s := range []string{"[STATUS] == 200", "[RESPONSE_TIME] < 2s", "[BODY].data.status == ok", "len([BODY].items) > 0", "has([BODY].data)"} {
		conds = append(conds, mustParse(b, s))
	}
	vals := map[string]any{"STATUS": int64(200), "RESPONSE_TIME": 120 * time.Millisecond,
		"BODY": `{"data":{"status":"ok"},"items":[{"name":"目录"}]}`}
	b.ReportAllocs()
	for b.Loop() {
		EvalAll(conds, vals)
	}
}

package rules

import (
	"encoding/json"

	"github.com/opsbook/opsbook/internal/diag"
	"github.com/opsbook/opsbook/internal/kind"
	"github.com/opsbook/opsbook/internal/record"
)

// checkInspectionSummary keeps an inspection's summary counts equal to its
// items: total = all items, passed = ok, failed = failed, warnings = warning.
func checkInspectionSummary(c *Context, r *record.Record) []diag.Violation {
	in, _ := kind.InspectionFrom(r)
	summary := in.Summary
	if summary == nil || !in.HasItems {
		return nil
	}
	count := map[string]int64{"total": int64(len(in.Items))}
	for _, it := range in.Items {
		switch it.Status {
		case "ok":
			count["passed"]++
		case "failed":
			count["failed"]++
		case "warning":
			count["warnings"]++
		}
	}
	var vs []diag.Violation
	for _, field := range []string{"total", "passed", "failed", "warnings"} {
		n, ok := summary[field].(json.Number)
		if !ok {
			continue // absent or mistyped: the schema's business
		}
		if got, err := n.Int64(); err == nil && got != count[field] {
			p := r.At("/summary/" + field)
			vs = append(vs, diag.At(r.Path, p.Line, p.Col, "inspection/summary", "summary.%s 为 %d，但检查项中实际为 %d；请与 items 保持一致", field, got, count[field]))
		}
	}
	return vs
}

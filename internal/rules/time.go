package rules

import (
	"github.com/opsbook/opsbook/internal/calendar"
	"github.com/opsbook/opsbook/internal/diag"
	"github.com/opsbook/opsbook/internal/record"
	"github.com/opsbook/opsbook/internal/schema"
)

// checkTimeOrder enforces every x-after annotation: an end is not before its
// start (dates may be equal; date-times must be strictly later).
func (c *Context) checkTimeOrder(r *record.Record, k *schema.Kind) []diag.Violation {
	var vs []diag.Violation
	for _, a := range k.Afters {
		Each(r.Fields, a.Object, "", func(ptr string, v any) {
			obj, ok := v.(map[string]any)
			if !ok {
				return
			}
			later, ok1 := obj[a.Prop].(string)
			earlier, ok2 := obj[a.Sibling].(string)
			if !ok1 || !ok2 {
				return
			}
			lt, lDate, err1 := calendar.ParseTime(later, c.Config.Location)
			et, eDate, err2 := calendar.ParseTime(earlier, c.Config.Location)
			if err1 != nil || err2 != nil {
				return // the schema's format check reports it
			}
			if lt.Before(et) || (lt.Equal(et) && !(lDate && eDate)) {
				p := r.At(ptr + "/" + record.EscapeToken(a.Prop))
				vs = append(vs, diag.At(r.Path, p.Line, p.Col, "time/order", "%s（%s）必须晚于 %s（%s）", a.Prop, later, a.Sibling, earlier))
			}
		})
	}
	return vs
}

package kind

import (
	"github.com/opsbook/opsbook/internal/diag"
	"github.com/opsbook/opsbook/internal/record"
)

// Inspection is an inspection record (content/inspection/).
type Inspection struct {
	ID, Title, Path string
	Date            string
	Items           []InspectionItem
	// HasItems is whether items is a list; Summary is the summary object
	// (nil when missing or not an object).
	HasItems bool
	Summary  map[string]any
}

// InspectionItem is one checked item of an inspection. A field that is
// missing or not a string is "".
type InspectionItem struct {
	Asset, Name, Status, Message string
}

// InspectionFrom reads an inspection.
func InspectionFrom(r *record.Record) (Inspection, []diag.Violation) {
	in := Inspection{ID: r.ID(), Title: r.Title(), Path: r.Path, Date: r.Str("date"), Summary: r.Object("summary")}
	items, ok := r.Fields["items"].([]any)
	in.HasItems = ok
	for _, x := range items {
		m, _ := x.(map[string]any)
		var it InspectionItem
		it.Asset, _ = m["asset"].(string)
		it.Name, _ = m["name"].(string)
		it.Status, _ = m["status"].(string)
		it.Message, _ = m["message"].(string)
		in.Items = append(in.Items, it)
	}
	return in, nil
}

// Anomaly is an anomaly record (content/anomaly/), as the runner needs it.
type Anomaly struct {
	ID, Path string
	Status   string
	Runbook  string // the runbook whose check opened it
	Check    string
	// Inspection is the inspection that opened it; Inspections the string
	// items of the inspections list that followed.
	Inspection  string
	Inspections []string
}

// AnomalyFrom reads an anomaly.
func AnomalyFrom(r *record.Record) (Anomaly, []diag.Violation) {
	a := Anomaly{ID: r.ID(), Path: r.Path, Status: r.Str("status"), Runbook: r.Str("runbook"), Check: r.Str("check"),
		Inspection: r.Str("inspection")}
	a.Inspections, _ = stringList(r.List("inspections"))
	return a, nil
}

package runner

import (
	"fmt"

	"github.com/opsbook/opsbook/internal/secret"
	"github.com/opsbook/opsbook/internal/store"
)

// derivation is the records a run makes on top of one source: on a push
// that finds another runner's commit first, the run derives them again on
// top of that commit.
type derivation struct {
	inspection   string
	files        []store.File
	newAnomalies []string // opened by this run
	joined       []string // open anomalies this run's inspection was added to
	recovered    []string
	transitions  []transition
}

// apply records in rep what the derivation made.
func (d *derivation) apply(rep *Report) {
	rep.Inspection, rep.NewAnomalies, rep.Recovered, rep.transitions = d.inspection, d.newAnomalies, d.recovered, d.transitions
	rep.Files = rep.Files[:0]
	for _, f := range d.files {
		rep.Files = append(rep.Files, f.Path)
	}
}

// derive makes the inspection record of rep and what its results do to
// the runbook's anomalies, given the records in src:
//
//   - a failed check with an open anomaly adds this inspection to the
//     anomaly's inspections list (one anomaly per check, listing every
//     inspection that found it failing, whichever runner made it);
//   - a failed check without one opens a new anomaly;
//   - a passed check with an open anomaly resolves it.
//
// Ids that are taken in src get a suffix (-2, -3 …): two runners with the
// same name starting in the same second, or an anomaly opened again in the
// minute the last one was resolved, never overwrite a record.
func derive(src source, rep *Report, o Options, redact *secret.Redactor) (*derivation, error) {
	rb := rep.Runbook
	open, err := openAnomalies(src, rb.ID, o.MaxFileSize)
	if err != nil {
		return nil, fmt.Errorf("读取未关闭的异常：%w", err)
	}
	year := rep.Started.Format("2006")
	insPath := func(id string) string { return store.Path("inspection", year, id, ".yaml") }
	anoPath := func(id string) string { return store.Path("anomaly", year, id, ".md") }
	d := &derivation{inspection: freeID(src, inspectionID(rb, rep.Started, o.Runner), insPath)}
	var linked []string
	for _, r := range rep.Results {
		a, isOpen := open[r.Check.Name]
		switch {
		case !r.Success && isOpen:
			linked = append(linked, a.ID)
			if data, ok := linkInspection(a.Path, a.Data, d.inspection); ok {
				d.files = append(d.files, store.File{Path: a.Path, Content: data})
				d.joined = append(d.joined, a.ID)
			}
		case !r.Success:
			id := freeID(src, anomalyID(rb, r.Check, rep.Started), anoPath)
			data, err := anomalyMarkdown(rb, id, d.inspection, r, rep.Started)
			if err != nil {
				return nil, err
			}
			d.files = append(d.files, store.File{Path: anoPath(id), Content: []byte(redact.String(string(data)))})
			d.newAnomalies = append(d.newAnomalies, id)
			d.transitions = append(d.transitions, transition{"anomaly", id, r})
			linked = append(linked, id)
		case isOpen:
			if data, ok := resolveAnomaly(a.Data, d.inspection, rep.End); ok {
				d.files = append(d.files, store.File{Path: a.Path, Content: data})
				d.recovered = append(d.recovered, a.ID)
				d.transitions = append(d.transitions, transition{"recovery", a.ID, r})
			}
		}
	}
	data, err := inspectionYAML(rb, d.inspection, o.Runner, rep.Started, rep.End, rep.Results, linked)
	if err != nil {
		return nil, err
	}
	d.files = append([]store.File{{Path: insPath(d.inspection), Content: []byte(redact.String(string(data)))}}, d.files...)
	return d, nil
}

// freeID returns id, or id-2, id-3 … when the record path is taken.
func freeID(src source, id string, path func(string) string) string {
	cand := id
	for n := 2; exists(src, path(cand)); n++ {
		cand = fmt.Sprintf("%s-%d", id, n)
	}
	return cand
}

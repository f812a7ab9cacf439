package report

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"time"

	"github.com/opsbook/opsbook/internal/diag"
	"github.com/opsbook/opsbook/internal/period"
	"github.com/opsbook/opsbook/internal/record"
	"github.com/opsbook/opsbook/internal/repofile"
	"github.com/opsbook/opsbook/internal/store"
	"github.com/opsbook/opsbook/internal/workspace"
)

// GenerateOptions are the inputs of Generate besides the period.
type GenerateOptions struct {
	Now    time.Time // "now" in the repository's zone (overdue, period not over, generated_at)
	Author string    // author of a new report; an existing report keeps its own
}

// Result is what Generate did.
type Result struct {
	Rel     string // repository-relative path of the report record
	Report  *Report
	Content []byte // the file as it now is
	Created bool   // there was no report before
	Changed bool   // the file was written (false: same figures and text, left alone)
}

// InvalidError is a generated report that did not validate; the previous
// file (or its absence) was left as it was.
type InvalidError struct {
	Rel        string
	Violations []diag.Violation
}

func (e *InvalidError) Error() string {
	s := fmt.Sprintf("生成的 %s 未通过校验，已恢复原状：", e.Rel)
	for _, v := range e.Violations {
		s += "\n  " + v.String()
	}
	return s
}

// Path is where the report record of p lives.
func Path(p period.Period) string {
	return store.Path("report", fmt.Sprint(p.Year), ID(p), ".md")
}

var generatedAtLine = regexp.MustCompile(`(?m)^generated_at: .*$`)

func withoutGeneratedAt(b []byte) []byte { return generatedAtLine.ReplaceAll(b, nil) }

// Generate computes the report of p, validates it and writes (or
// regenerates) its record atomically through the record store; a report
// that does not validate is not written. Regenerating with unchanged
// records leaves the file byte for byte as it was.
func Generate(ctx context.Context, rp *workspace.Workspace, p period.Period, o GenerateOptions) (*Result, error) {
	data, err := Load(ctx, rp, p.Prev().Start.Year(), p.End.Year())
	if err != nil {
		return nil, err
	}
	rpt := Compute(data, p, Options{Now: o.Now, Platform: rp.Config.Platform, SLA: rp.Config.TicketSLA})
	res := &Result{Rel: Path(p), Report: rpt}
	var old *record.Record
	oldBytes, err := repofile.ReadFile(rp.Root, res.Rel)
	switch {
	case err == nil:
		if old, err = record.Parse(res.Rel, oldBytes); err != nil {
			return nil, fmt.Errorf("已有的 %s 无法读取，未做任何修改：%w", res.Rel, err)
		}
	case errors.Is(err, fs.ErrNotExist):
		res.Created = true
	default:
		return nil, err
	}
	author := o.Author
	if author == "" {
		author = "opsbook"
	}
	content, err := rpt.Regenerate(old, author, o.Now.In(rp.Config.Location).Format("2006-01-02 15:04"))
	if err != nil {
		return nil, fmt.Errorf("%s 的生成区块标记已损坏，未做任何修改：%w", res.Rel, err)
	}
	if old != nil && bytes.Equal(withoutGeneratedAt(content), withoutGeneratedAt(oldBytes)) {
		res.Content = oldBytes
		return res, nil
	}
	if err := store.New(rp.Root, rp.Rules).Put(store.File{Path: res.Rel, Content: content}, store.Replace); err != nil {
		if invalid, ok := errors.AsType[*store.InvalidError](err); ok {
			diag.Sort(invalid.Violations) // in validate's order
			return nil, &InvalidError{Rel: res.Rel, Violations: invalid.Violations}
		}
		return nil, err
	}
	res.Content, res.Changed = content, true
	return res, nil
}

// Package export writes records for other systems — such as the provincial
// 苏政源 resource base — as one versioned JSON document or as CSV, with each
// record's git-derived metadata where known.
package export

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/opsbook/opsbook/internal/gitrepo"
)

// Version names the JSON shape; it changes only on incompatible changes.
const Version = "opsbook.export/v1"

// Record is one exported record.
type Record struct {
	ID        string            `json:"id"`
	Kind      string            `json:"kind"`
	KindLabel string            `json:"kind_label"`
	Title     string            `json:"title"`
	Path      string            `json:"path"`
	Date      string            `json:"date,omitempty"` // the record's own date, see DateOf
	Fields    map[string]any    `json:"fields"`
	Body      string            `json:"body,omitempty"`
	Git       *gitrepo.FileMeta `json:"git,omitempty"`
}

// Document is the JSON export.
type Document struct {
	Format      string    `json:"format"`
	GeneratedAt time.Time `json:"generated_at"`
	Platform    string    `json:"platform"`
	Count       int       `json:"count"`
	Records     []Record  `json:"records"`
}

// dateFields are where a record's own date lives, in order of preference.
var dateFields = [][]string{
	{"date"}, {"detected_at"}, {"reported_at"}, {"window", "start"}, {"started_at"},
	{"period", "start"}, {"start"}, {"updated"}, {"since"}, {"joined"},
}

// DateOf returns the record's own date (YYYY-MM-DD…) or "".
func DateOf(fields map[string]any) string {
	for _, path := range dateFields {
		var v any = fields
		for _, k := range path {
			m, _ := v.(map[string]any)
			v = m[k]
		}
		if s, ok := v.(string); ok && len(s) >= 10 {
			return s
		}
	}
	return ""
}

// WriteJSON writes doc as indented JSON.
func WriteJSON(w io.Writer, doc Document) error {
	doc.Format, doc.Count = Version, len(doc.Records)
	if doc.Records == nil {
		doc.Records = []Record{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

// CSVHeader is the column order of the CSV export.
var CSVHeader = []string{"id", "kind", "kind_label", "title", "path", "date", "created_at", "created_by", "updated_at", "updated_by", "fields_json"}

// WriteCSV writes one row per record (UTF-8 with a BOM so spreadsheet
// programs on Windows read the Chinese correctly).
func WriteCSV(w io.Writer, recs []Record) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	for _, r := range recs {
		fields, err := json.Marshal(r.Fields)
		if err != nil {
			return fmt.Errorf("encode %s: %w", r.Path, err)
		}
		row := []string{r.ID, r.Kind, r.KindLabel, r.Title, r.Path, r.Date, "", "", "", "", string(fields)}
		if g := r.Git; g != nil {
			row[6], row[7] = g.CreatedAt.Format(time.RFC3339), g.CreatedBy
			row[8], row[9] = g.UpdatedAt.Format(time.RFC3339), g.UpdatedBy
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// Sort orders records by kind, then id.
func Sort(recs []Record) {
	slices.SortFunc(recs, func(a, b Record) int {
		if c := strings.Compare(a.Kind, b.Kind); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
}

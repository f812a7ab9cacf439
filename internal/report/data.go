package report

import (
	"context"
	"fmt"
	"runtime"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/opsbook/opsbook/internal/calendar"
	"github.com/opsbook/opsbook/internal/kind"
	"github.com/opsbook/opsbook/internal/layout"
	"github.com/opsbook/opsbook/internal/obligation"
	"github.com/opsbook/opsbook/internal/period"
	"github.com/opsbook/opsbook/internal/record"
	"github.com/opsbook/opsbook/internal/workspace"
)

// kindsUsed are the record kinds a report reads.
var kindsUsed = map[string]bool{
	"inspection": true, "anomaly": true, "change": true, "ticket": true, "security": true,
	"backup": true, "training": true, "event": true, "stats": true, "department": true, "asset": true,
}

// allYears are read whatever their year directory: reference data, and the
// kinds whose open items carry over (an anomaly or ticket from years ago
// still open at the end of the period).
var allYears = map[string]bool{"department": true, "asset": true, "anomaly": true, "ticket": true}

// yearBefore are kinds whose dates may fall in the year after their id's
// year (a change planned in December for January, the security task whose
// next_due a later one is measured against): read one more year back.
var yearBefore = map[string]bool{"change": true, "security": true}

// Data is the records a report is computed from.
type Data struct {
	Loc    *time.Location
	Cal    *calendar.Calendar
	Hours  []calendar.Span
	Labels map[string]map[string]map[string]string // kind → JSON pointer → enum value → label
	ByKind map[string][]*record.Record
	ByID   map[string]*record.Record
	// Obligations is the compliance calendar (content/obligation); nil when
	// the repository has none.
	Obligations *obligation.Book
	// timelines are records sorted by one of their times, for finding a
	// period's records by binary search (a site has hundreds of reports).
	timelines [numTimelines][]timed
}

// timeline names a record time a period selects by.
type timeline int

const (
	inspectionDate    timeline = iota // inspection date
	changeWindowStart                 // change window.start
	ticketReported                    // ticket reported_at
	anomalyDetected                   // anomaly detected_at
	numTimelines
)

// timed is a record at one of its times.
type timed struct {
	t time.Time
	r *record.Record
}

// index builds the timelines.
func (d *Data) index() {
	add := func(tl timeline, kind string, at func(*record.Record) (time.Time, bool)) {
		var xs []timed
		for _, r := range d.ByKind[kind] {
			if t, ok := at(r); ok {
				xs = append(xs, timed{t, r})
			}
		}
		sort.SliceStable(xs, func(i, j int) bool { return xs[i].t.Before(xs[j].t) })
		d.timelines[tl] = xs
	}
	add(inspectionDate, "inspection", func(r *record.Record) (time.Time, bool) { return d.time(r, "date") })
	add(changeWindowStart, "change", func(r *record.Record) (time.Time, bool) {
		c, _ := kind.ChangeFrom(r, d.Loc)
		return c.Window.Start, !c.Window.Start.IsZero()
	})
	add(ticketReported, "ticket", func(r *record.Record) (time.Time, bool) { return d.time(r, "reported_at") })
	add(anomalyDetected, "anomaly", func(r *record.Record) (time.Time, bool) { return d.time(r, "detected_at") })
}

// inPeriod are the records whose time on timeline tl falls in p, in id order
// (as ByKind lists them).
func (d *Data) inPeriod(tl timeline, p period.Period) []*record.Record {
	xs := d.timelines[tl]
	lo := sort.Search(len(xs), func(i int) bool { return !xs[i].t.Before(p.Start) })
	hi := sort.Search(len(xs), func(i int) bool { return !xs[i].t.Before(p.Until()) })
	out := make([]*record.Record, 0, hi-lo)
	for _, x := range xs[lo:hi] {
		out = append(out, x.r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID() < out[j].ID() })
	return out
}

// Load reads the records a report over [fromYear, toYear] needs — the kinds
// it uses whose year directory lies in that range (see allYears and
// yearBefore for the exceptions) — on every core, without position indexes.
// Unreadable files are an error: a report over a repository that does not
// validate would state wrong figures.
func Load(ctx context.Context, rp *workspace.Workspace, fromYear, toYear int) (*Data, error) {
	var entries []layout.Entry
	for _, e := range rp.Index.Entries {
		if !kindsUsed[e.Kind] || e.Depth != 3 {
			continue
		}
		if !allYears[e.Kind] {
			from := fromYear
			if yearBefore[e.Kind] {
				from--
			}
			y, err := strconv.Atoi(e.Year)
			if err != nil || y < from || y > toYear {
				continue
			}
		}
		entries = append(entries, e)
	}
	recs := make([]*record.Record, len(entries))
	errs := make([]error, len(entries))
	var wg sync.WaitGroup
	next := make(chan int)
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				recs[i], errs[i] = record.ReadFields(rp.Index.Abs(entries[i].Path), entries[i].Path, rp.Config.MaxFileSize)
			}
		}()
	}
feed:
	for i := range entries {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	d := &Data{Loc: rp.Config.Location, Cal: calendar.Default(), Hours: rp.Config.BusinessHours,
		Labels: map[string]map[string]map[string]string{}, ByKind: map[string][]*record.Record{}, ByID: map[string]*record.Record{}}
	for name, k := range rp.Schemas.Kinds {
		d.Labels[name] = k.EnumLabels
	}
	for i, r := range recs {
		if errs[i] != nil {
			return nil, fmt.Errorf("读取 %s：%w（请先运行 opsbook validate 修正）", entries[i].Path, errs[i])
		}
		d.add(r)
	}
	d.sort()
	if len(rp.Index.OfKind(obligation.Kind)) > 0 {
		d.Obligations = obligation.Load(rp.Index, d.Loc, rp.Config.MaxFileSize)
	}
	return d, nil
}

// NewData builds a Data from records already in memory (tests).
func NewData(loc *time.Location, labels map[string]map[string]map[string]string, recs []*record.Record) *Data {
	d := &Data{Loc: loc, Cal: calendar.Default(), Hours: calendar.DefaultBusinessHours, Labels: labels,
		ByKind: map[string][]*record.Record{}, ByID: map[string]*record.Record{}}
	if d.Labels == nil {
		d.Labels = map[string]map[string]map[string]string{}
	}
	for _, r := range recs {
		d.add(r)
	}
	d.sort()
	return d
}

func (d *Data) add(r *record.Record) {
	d.ByKind[r.Kind()] = append(d.ByKind[r.Kind()], r)
	d.ByID[r.ID()] = r
}

// sort orders each kind by id so every figure and table is deterministic.
func (d *Data) sort() {
	for _, rs := range d.ByKind {
		sort.Slice(rs, func(i, j int) bool { return rs[i].ID() < rs[j].ID() })
	}
	d.index()
}

// label is the Chinese label of an enum value, or the value itself.
func (d *Data) label(kind, pointer, value string) string {
	if l := d.Labels[kind][pointer][value]; l != "" {
		return l
	}
	return value
}

// time parses a record field as a time in the repository's zone.
func (d *Data) time(r *record.Record, field string) (time.Time, bool) {
	s := r.Str(field)
	if s == "" {
		return time.Time{}, false
	}
	t, _, err := calendar.ParseTime(s, d.Loc)
	return t, err == nil
}

// deptName is a department's short name (or title, or the id).
func (d *Data) deptName(id string) string {
	if id == "" {
		return "（未指明部门）"
	}
	r, ok := d.ByID[id]
	if !ok {
		return id
	}
	if s := str(r, "short_name"); s != "" {
		return s
	}
	return r.Title()
}

// system is the root of an asset's parent chain: the system it belongs to.
func (d *Data) system(assetID string) string {
	seen := map[string]bool{}
	id := assetID
	for !seen[id] {
		seen[id] = true
		r, ok := d.ByID[id]
		if !ok || str(r, "type") == "system" {
			return id
		}
		p := str(r, "parent")
		if p == "" {
			return id
		}
		id = p
	}
	return id
}

// title is a record's title, or its id when unknown.
func (d *Data) title(id string) string {
	if r, ok := d.ByID[id]; ok && r.Title() != "" {
		return r.Title()
	}
	return id
}

func str(r *record.Record, k string) string { return r.Str(k) }

// num reads a YAML number or numeric string (kind.Number).
func num(v any) (float64, bool) { return kind.Number(v) }

func list(r *record.Record, k string) []any { return r.List(k) }

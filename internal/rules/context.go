package rules

import (
	"github.com/opsbook/opsbook/internal/calendar"
	"github.com/opsbook/opsbook/internal/config"
	"github.com/opsbook/opsbook/internal/kind"
	"github.com/opsbook/opsbook/internal/layout"
	"github.com/opsbook/opsbook/internal/schema"
)

// NewContext builds the repository-wide facts the rules need: every event's
// freeze and every project's document attributes. Files that fail to load
// are skipped here; they are reported when validated themselves.
func NewContext(set *schema.Set, ix *layout.Index, cal *calendar.Calendar, cfg *config.Config) *Context {
	c := &Context{Schemas: set, Index: ix, Calendar: cal, Config: cfg, Projects: map[string][]AttrDef{}, ProjectSchemas: map[string]*schema.AttributeSchema{}}
	for it := range kind.All(ix, "event", cfg.MaxFileSize) {
		if it.Err != nil {
			continue
		}
		ev, _ := kind.EventFrom(it.Record, cfg.Location)
		f := ev.Freeze.In(cfg.Location)
		if !f.OK() || !f.End.After(f.Start) {
			continue
		}
		c.Freezes = append(c.Freezes, Freeze{EventID: ev.ID, Title: ev.Title, Path: it.Entry.Path, Start: f.Start, End: f.End})
	}
	for it := range kind.AllWithPositions(ix, "project", cfg.MaxFileSize) {
		r := it.Record
		if it.Err != nil || r.ID() == "" {
			continue
		}
		as, err := projectSchema(r)
		if err != nil {
			c.ProjectSchemas[r.ID()] = nil // reported by the project's own check
			continue
		}
		c.ProjectSchemas[r.ID()] = as
		c.Projects[r.ID()] = attrDefs(as)
	}
	return c
}

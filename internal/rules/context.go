package rules

import (
	"github.com/opsbook/opsbook/internal/calendar"
	"github.com/opsbook/opsbook/internal/config"
	"github.com/opsbook/opsbook/internal/record"
	"github.com/opsbook/opsbook/internal/repo"
	"github.com/opsbook/opsbook/internal/schema"
)

// NewContext builds the repository-wide facts the rules need: every event's
// freeze and every project's document attributes. Files that fail to load
// are skipped here; they are reported when validated themselves.
func NewContext(set *schema.Set, ix *repo.Index, cal *calendar.Calendar, cfg *config.Config) *Context {
	c := &Context{Schemas: set, Index: ix, Calendar: cal, Config: cfg, Projects: map[string][]AttrDef{}, ProjectSchemas: map[string]*schema.AttributeSchema{}}
	for _, e := range ix.OfKind("event") {
		r, err := record.ReadFile(ix.Abs(e.Path), e.Path, cfg.MaxFileSize)
		if err != nil {
			continue
		}
		f, _ := r.Fields["freeze"].(map[string]any)
		s, _ := f["start"].(string)
		en, _ := f["end"].(string)
		start, _, err1 := calendar.ParseTime(s, cfg.Location)
		end, _, err2 := calendar.ParseTime(en, cfg.Location)
		if err1 != nil || err2 != nil || !end.After(start) {
			continue
		}
		c.Freezes = append(c.Freezes, Freeze{EventID: r.ID(), Title: r.Title(), Path: e.Path, Start: start.In(cfg.Location), End: end.In(cfg.Location)})
	}
	for _, e := range ix.OfKind("project") {
		r, err := record.ReadFile(ix.Abs(e.Path), e.Path, cfg.MaxFileSize)
		if err != nil || r.ID() == "" {
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

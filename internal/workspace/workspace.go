// Package workspace opens an ops repository for reading: its schemas, its
// configuration (opsbook.yaml), the index of its files, the working-day
// calendar and the rules' context built from them. It loads no record and
// checks nothing by itself; validate checks files against a workspace, and
// the readers of records (site, report, inventory, statsimport, …) take one.
//
// A workspace is deliberately light: it imports neither the runner nor any
// check kind nor a database driver, so every reader can open one
// (internal/layering_test.go keeps it that way).
package workspace

import (
	"path/filepath"

	"github.com/opsbook/opsbook/internal/calendar"
	"github.com/opsbook/opsbook/internal/config"
	"github.com/opsbook/opsbook/internal/layout"
	"github.com/opsbook/opsbook/internal/rules"
	"github.com/opsbook/opsbook/internal/schema"
)

// Workspace is an opened repository: everything but the records themselves.
type Workspace struct {
	Root     string             // repository root
	Schemas  *schema.Set        // schemas/
	Config   *config.Config     // opsbook.yaml
	Index    *layout.Index      // the repository's files by kind and id
	Calendar *calendar.Calendar // working days and holidays
	Rules    *rules.Context     // the cross-record rules' context
}

// Open loads schemas, config, the file index and the rules' context of the
// repository at root.
func Open(root string) (*Workspace, error) {
	set, err := schema.Load(filepath.Join(root, layout.SchemaDir))
	if err != nil {
		return nil, err
	}
	cfg, err := config.Load(root, set)
	if err != nil {
		return nil, err
	}
	ix, err := layout.Scan(root)
	if err != nil {
		return nil, err
	}
	cal := calendar.Default()
	return &Workspace{Root: root, Schemas: set, Config: cfg, Index: ix, Calendar: cal,
		Rules: rules.NewContext(set, ix, cal, cfg)}, nil
}

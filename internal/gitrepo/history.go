// Package gitrepo reads and writes the ops repository's git history with
// go-git: committing and pushing run results, and who created, changed and
// approved each record.
package gitrepo

import (
	"context"
	"errors"
	"time"
)

// FileMeta is what export shows of one file's history.
type FileMeta struct {
	CreatedAt time.Time `json:"created_at"`
	CreatedBy string    `json:"created_by"`
	UpdatedAt time.Time `json:"updated_at"`
	UpdatedBy string    `json:"updated_by"`
	Commit    string    `json:"commit"` // the last commit that changed the file
}

// ErrNotRepository means the directory is not inside a git repository.
var ErrNotRepository = errors.New("not a git repository")

// History returns, for each path under prefix on HEAD, who first added it and
// who last changed it. It is a view of AuditTrail (one walk of the history):
// a record's author is whoever wrote it, not the reviewer who merged it.
func History(ctx context.Context, root, prefix string) (map[string]*FileMeta, error) {
	trail, err := AuditTrail(ctx, root, "", prefix)
	if err != nil {
		return nil, err
	}
	out := make(map[string]*FileMeta, len(trail))
	for path, a := range trail {
		out[path] = &FileMeta{CreatedAt: a.CreatedAt, CreatedBy: a.CreatedBy, UpdatedAt: a.UpdatedAt, UpdatedBy: a.UpdatedBy, Commit: a.UpdatedCommit}
	}
	return out, nil
}

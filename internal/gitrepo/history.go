// Package gitrepo reads and writes the ops repository's git history with
// go-git: who created and last changed each record, and when.
package gitrepo

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// FileMeta is what git knows about one file.
type FileMeta struct {
	CreatedAt time.Time `json:"created_at"`
	CreatedBy string    `json:"created_by"`
	UpdatedAt time.Time `json:"updated_at"`
	UpdatedBy string    `json:"updated_by"`
	Commit    string    `json:"commit"` // the last commit that changed the file
}

// ErrNotRepository means the directory is not inside a git repository.
var ErrNotRepository = errors.New("not a git repository")

// History walks the first-parent history of HEAD once and returns, for every
// path under prefix that a commit touched, its first and last change. A merge
// is credited with what it brought into the first-parent line, which is the
// approval a reviewer gave by merging.
func History(root, prefix string) (map[string]*FileMeta, error) {
	r, err := git.PlainOpenWithOptions(root, &git.PlainOpenOptions{DetectDotGit: true})
	if errors.Is(err, git.ErrRepositoryNotExists) {
		return nil, ErrNotRepository
	}
	if err != nil {
		return nil, fmt.Errorf("open git repository: %w", err)
	}
	head, err := r.Head()
	if err != nil {
		return map[string]*FileMeta{}, nil // no commits yet
	}
	c, err := r.CommitObject(head.Hash())
	if err != nil {
		return nil, fmt.Errorf("read HEAD commit: %w", err)
	}
	meta := map[string]*FileMeta{}
	for c != nil {
		tree, err := c.Tree()
		if err != nil {
			return nil, fmt.Errorf("read tree of %s: %w", c.Hash, err)
		}
		var parent *object.Commit
		var parentTree *object.Tree
		if c.NumParents() > 0 {
			if parent, err = c.Parent(0); err != nil {
				return nil, fmt.Errorf("read parent of %s: %w", c.Hash, err)
			}
			if parentTree, err = parent.Tree(); err != nil {
				return nil, err
			}
		}
		changes, err := object.DiffTree(parentTree, tree)
		if err != nil {
			return nil, fmt.Errorf("diff %s: %w", c.Hash, err)
		}
		for _, ch := range changes {
			name := ch.To.Name
			if name == "" {
				continue // deleted
			}
			if !strings.HasPrefix(name, prefix) {
				continue
			}
			m, seen := meta[name]
			if !seen {
				m = &FileMeta{UpdatedAt: c.Author.When, UpdatedBy: c.Author.Name, Commit: c.Hash.String()}
				meta[name] = m
			}
			// Walking newest first, the oldest change seen last is the creation.
			m.CreatedAt, m.CreatedBy = c.Author.When, c.Author.Name
		}
		c = parent
	}
	return meta, nil
}

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

// History walks every commit reachable from HEAD once and returns, for each
// path under prefix, who first added it and who last changed it, by author
// time. Merge commits are skipped, as `git log` does: a record's author is
// whoever wrote it, not the reviewer who merged it (approval evidence is
// read from the merges separately).
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
	iter, err := r.Log(&git.LogOptions{From: head.Hash(), Order: git.LogOrderCommitterTime})
	if err != nil {
		return nil, fmt.Errorf("git log: %w", err)
	}
	meta := map[string]*FileMeta{}
	err = iter.ForEach(func(c *object.Commit) error {
		if c.NumParents() > 1 {
			return nil
		}
		tree, err := c.Tree()
		if err != nil {
			return fmt.Errorf("read tree of %s: %w", c.Hash, err)
		}
		var parentTree *object.Tree
		if c.NumParents() == 1 {
			parent, err := c.Parent(0)
			if err != nil {
				return fmt.Errorf("read parent of %s: %w", c.Hash, err)
			}
			if parentTree, err = parent.Tree(); err != nil {
				return err
			}
		}
		changes, err := object.DiffTree(parentTree, tree)
		if err != nil {
			return fmt.Errorf("diff %s: %w", c.Hash, err)
		}
		when := c.Author.When
		for _, ch := range changes {
			name := ch.To.Name
			if name == "" || !strings.HasPrefix(name, prefix) {
				continue // deleted, or not a record
			}
			m, seen := meta[name]
			if !seen {
				meta[name] = &FileMeta{CreatedAt: when, CreatedBy: c.Author.Name, UpdatedAt: when, UpdatedBy: c.Author.Name, Commit: c.Hash.String()}
				continue
			}
			if when.Before(m.CreatedAt) {
				m.CreatedAt, m.CreatedBy = when, c.Author.Name
			}
			if when.After(m.UpdatedAt) {
				m.UpdatedAt, m.UpdatedBy, m.Commit = when, c.Author.Name, c.Hash.String()
			}
		}
		return nil
	})
	return meta, err
}

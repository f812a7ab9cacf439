package gitrepo

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
)

// Tree is a read-only view of the files of one commit, handed to a Derive
// function. It is valid only during that call.
type Tree struct {
	s    storer.EncodedObjectStorer
	root plumbing.Hash // zero or emptyTree: no files
}

// entry finds path in the tree; nil when absent.
func (t *Tree) entry(path string) (*object.TreeEntry, error) {
	if t.root.IsZero() || t.root == emptyTree {
		return nil, nil
	}
	tree, err := object.GetTree(t.s, t.root)
	if err != nil {
		return nil, fmt.Errorf("read tree %s: %w", t.root, err)
	}
	e, err := tree.FindEntry(strings.Trim(path, "/"))
	if err != nil {
		return nil, nil // object.ErrEntryNotFound, ErrDirectoryNotFound
	}
	return e, nil
}

// ReadFile returns the content of the regular file at path (slash-separated,
// repository-relative); an error wrapping fs.ErrNotExist when there is none
// (a symbolic link or a directory counts as none).
func (t *Tree) ReadFile(path string) ([]byte, error) {
	e, err := t.entry(path)
	if err != nil {
		return nil, err
	}
	if e == nil || !e.Mode.IsRegular() {
		return nil, fmt.Errorf("%s: %w", path, fs.ErrNotExist)
	}
	b, err := object.GetBlob(t.s, e.Hash)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	rd, err := b.Reader()
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	return io.ReadAll(rd)
}

// ReadDir returns the names of the entries of directory dir ("" for the
// top), sorted as git sorts them; an error wrapping fs.ErrNotExist when it
// is not a directory.
func (t *Tree) ReadDir(dir string) ([]string, error) {
	h := t.root
	if dir = strings.Trim(dir, "/"); dir != "" {
		e, err := t.entry(dir)
		if err != nil {
			return nil, err
		}
		if e == nil || e.Mode != filemode.Dir {
			return nil, fmt.Errorf("%s: %w", dir, fs.ErrNotExist)
		}
		h = e.Hash
	} else if h.IsZero() {
		return nil, nil
	}
	entries, err := readEntries(t.s, h)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(entries))
	for i, e := range entries {
		names[i] = e.Name
	}
	return names, nil
}

// Derive computes the changes (and the commit message; "" keeps
// CommitOptions.Message) of a commit from the files of the commit it goes
// on top of.
type Derive func(ctx context.Context, base *Tree) (changes []Change, message string, err error)

// CommitDerived is Commit for changes that depend on the files they are
// committed on: records that link to other records or edit them. derive is
// called with the branch tip to make the commit and, whenever the push finds
// that the remote branch moved, again with the new remote tip, and its new
// result is committed there instead of replaying the first one as it was:
// two processes editing the same record each keep their edit, and neither
// overwrites a file the other created. Earlier local commits still waiting
// to be pushed are replayed as they are. CommitResult.Derived says which
// call's result the branch holds. Calls are sequential.
func CommitDerived(ctx context.Context, root string, derive Derive, o CommitOptions) (CommitResult, error) {
	return commit(ctx, root, nil, derive, o)
}

// checkChanges rejects bad and repeated paths.
func checkChanges(changes []Change) error {
	seen := make(map[string]bool, len(changes))
	for _, c := range changes {
		if err := checkPath(c.Path); err != nil {
			return err
		}
		if seen[c.Path] {
			return fmt.Errorf("路径 %q 在同一次提交中出现了两次", c.Path)
		}
		seen[c.Path] = true
	}
	return nil
}

// applyChanges stores the changes' blobs and returns the tree that is
// base with them applied.
func applyChanges(st storer.EncodedObjectStorer, base plumbing.Hash, changes []Change) (plumbing.Hash, error) {
	fcs := make([]fileChange, 0, len(changes))
	for _, c := range changes {
		fc := fileChange{path: c.Path}
		if c.Content != nil {
			var err error
			if fc.hash, err = writeBlob(st, c.Content); err != nil {
				return plumbing.ZeroHash, err
			}
		}
		fcs = append(fcs, fc)
	}
	tw := &treeWriter{s: st}
	return tw.apply(base, fcs)
}

// rederive rebuilds orig, the commit CommitDerived made, on top of base by
// calling derive again. It returns nil when the result changes nothing.
func (sy *syncer) rederive(ctx context.Context, base plumbing.Hash, orig *object.Commit) (*object.Commit, error) {
	st := sy.r.Storer
	var baseTree plumbing.Hash
	if !base.IsZero() {
		bc, err := object.GetCommit(st, base)
		if err != nil {
			return nil, fmt.Errorf("read commit %s: %w", base, err)
		}
		baseTree = bc.TreeHash
	}
	sy.calls++
	sy.derivedNow = sy.calls
	changes, msg, err := sy.derive(ctx, &Tree{s: st, root: baseTree})
	if err != nil {
		return nil, err
	}
	if err := checkChanges(changes); err != nil {
		return nil, err
	}
	tree, err := applyChanges(st, baseTree, changes)
	if err != nil {
		return nil, fmt.Errorf("重建提交 %s 失败：%w", short(orig.Hash), err)
	}
	if tree == baseTree {
		return nil, nil
	}
	if msg == "" {
		msg = orig.Message
	}
	committer := sy.committer
	committer.When = time.Now().In(orig.Committer.When.Location())
	c := &object.Commit{Author: orig.Author, Committer: committer, Message: message(msg), TreeHash: tree}
	if !base.IsZero() {
		c.ParentHashes = []plumbing.Hash{base}
	}
	if c.Hash, err = writeCommit(st, c); err != nil {
		return nil, err
	}
	return c, nil
}

// replay puts the local-only commits on the remote tip: the one
// CommitDerived made is derived afresh, the others are rebased as they are.
func (sy *syncer) replay(ctx context.Context, commits []*object.Commit, tip plumbing.Hash) ([]*object.Commit, error) {
	n := len(commits)
	if sy.derive == nil || n == 0 || commits[n-1].Hash != sy.own {
		return rebase(sy.r.Storer, commits, tip, sy.committer)
	}
	out, err := rebase(sy.r.Storer, commits[:n-1], tip, sy.committer)
	if err != nil {
		return nil, err
	}
	base := tip
	if len(out) > 0 {
		base = out[len(out)-1].Hash
	}
	c, err := sy.rederive(ctx, base, commits[n-1])
	if err != nil {
		return nil, err
	}
	if c != nil {
		out = append(out, c)
	}
	return out, nil
}

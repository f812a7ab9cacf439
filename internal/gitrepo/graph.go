package gitrepo

import (
	"container/heap"
	"errors"
	"fmt"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
)

// maxWalk bounds the history walks below; a runner's clone that is this far
// from its remote needs a human anyway.
const maxWalk = 200000

// ErrMergeNotPushed means local commits that are not on the remote include a
// merge commit and the remote has moved: they cannot be replayed safely.
var ErrMergeNotPushed = errors.New("本地未推送的提交中有合并提交，而远程分支已前进，无法自动变基：请在该仓库中手动执行 git pull --rebase 或 git pull 处理后重试")

const (
	fromLocal uint8 = 1 << iota
	fromRemote
	stale
)

type commitQueue []*object.Commit

func (q commitQueue) Len() int { return len(q) }
func (q commitQueue) Less(i, j int) bool {
	return q[i].Committer.When.After(q[j].Committer.When)
}
func (q commitQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *commitQueue) Push(x any)   { *q = append(*q, x.(*object.Commit)) }
func (q *commitQueue) Pop() any {
	old := *q
	c := old[len(old)-1]
	*q = old[:len(old)-1]
	return c
}

// unpushed returns the commits reachable from local but not from remote,
// parents before children, and whether remote is an ancestor of local (then
// the commits can be pushed as they are). It paints both histories downwards
// by commit time, as git's merge-base does, so it reads only the commits
// since the two sides forked, not the whole history.
func unpushed(s storer.EncodedObjectStorer, local, remote plumbing.Hash) ([]*object.Commit, bool, error) {
	if local == remote {
		return nil, true, nil
	}
	flags := map[plumbing.Hash]uint8{}
	commits := map[plumbing.Hash]*object.Commit{}
	q := &commitQueue{}
	add := func(h plumbing.Hash, f uint8) error {
		old := flags[h]
		if old&f == f {
			return nil
		}
		flags[h] = old | f
		c := commits[h]
		if c == nil {
			var err error
			if c, err = object.GetCommit(s, h); err != nil {
				return fmt.Errorf("read commit %s: %w", h, err)
			}
			commits[h] = c
		}
		heap.Push(q, c)
		return nil
	}
	// The walk ends when every queued commit is reachable from both sides.
	hasActive := func() bool {
		for _, c := range *q {
			if flags[c.Hash]&stale == 0 {
				return true
			}
		}
		return false
	}
	if err := add(local, fromLocal); err != nil {
		return nil, false, err
	}
	if err := add(remote, fromRemote); err != nil {
		return nil, false, err
	}
	for walked := 0; hasActive(); walked++ {
		if walked > maxWalk {
			return nil, false, fmt.Errorf("本地分支与远程分支分叉过远（超过 %d 个提交），请手动同步该仓库", maxWalk)
		}
		c := heap.Pop(q).(*object.Commit)
		f := flags[c.Hash]
		if f&(fromLocal|fromRemote) == fromLocal|fromRemote {
			f |= stale
			flags[c.Hash] = f
		}
		for _, p := range c.ParentHashes {
			if err := add(p, f); err != nil {
				return nil, false, err
			}
		}
	}
	// Collect local-only commits in topological order (parents first).
	var out []*object.Commit
	done := map[plumbing.Hash]bool{}
	var visit func(h plumbing.Hash)
	visit = func(h plumbing.Hash) {
		if done[h] || flags[h]&fromRemote != 0 || flags[h]&fromLocal == 0 {
			return
		}
		done[h] = true
		for _, p := range commits[h].ParentHashes {
			visit(p)
		}
		out = append(out, commits[h])
	}
	visit(local)
	return out, flags[remote]&fromLocal != 0, nil
}

// rebase replays commits (parents first, each with one parent) onto the
// commit onto, keeping author and message and stamping committer with now.
// A commit whose changes are already in the new base is dropped. It returns
// the new commits.
func rebase(s storer.EncodedObjectStorer, commits []*object.Commit, onto plumbing.Hash, committer object.Signature) ([]*object.Commit, error) {
	tip := onto
	var tipTree plumbing.Hash
	if !onto.IsZero() {
		c, err := object.GetCommit(s, onto)
		if err != nil {
			return nil, fmt.Errorf("read commit %s: %w", onto, err)
		}
		tipTree = c.TreeHash
	}
	var out []*object.Commit
	for _, c := range commits {
		if len(c.ParentHashes) != 1 {
			return nil, ErrMergeNotPushed
		}
		parent, err := object.GetCommit(s, c.ParentHashes[0])
		if err != nil {
			return nil, fmt.Errorf("read commit %s: %w", c.ParentHashes[0], err)
		}
		var changes []fileChange
		err = diffTrees(s, parent.TreeHash, c.TreeHash, func(d treeDelta) error {
			changes = append(changes, fileChange{path: d.Path, hash: d.To.Hash, mode: d.To.Mode})
			return nil
		}, nil)
		if err != nil {
			return nil, err
		}
		tw := &treeWriter{s: s}
		tree, err := tw.apply(tipTree, changes)
		if err != nil {
			return nil, fmt.Errorf("变基提交 %s 失败：%w", short(c.Hash), err)
		}
		if tree == tipTree {
			continue // already on the remote
		}
		committer.When = time.Now().In(c.Committer.When.Location())
		nc := &object.Commit{
			Author:       c.Author,
			Committer:    committer,
			Message:      c.Message,
			TreeHash:     tree,
			ParentHashes: []plumbing.Hash{tip},
		}
		h, err := writeCommit(s, nc)
		if err != nil {
			return nil, err
		}
		nc.Hash = h
		out = append(out, nc)
		tip, tipTree = h, tree
	}
	return out, nil
}

// writeCommit stores a commit object and returns its hash.
func writeCommit(s storer.EncodedObjectStorer, c *object.Commit) (plumbing.Hash, error) {
	o := s.NewEncodedObject()
	if err := c.Encode(o); err != nil {
		return plumbing.ZeroHash, fmt.Errorf("encode commit: %w", err)
	}
	h, err := s.SetEncodedObject(o)
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("write commit: %w", err)
	}
	return h, nil
}

// objectsToPush lists the objects a remote that has every first parent of
// commits needs to receive them: each commit and the trees and blobs it
// adds relative to its first parent.
func objectsToPush(s storer.EncodedObjectStorer, commits []*object.Commit) ([]plumbing.Hash, error) {
	seen := map[plumbing.Hash]bool{}
	var out []plumbing.Hash
	addObj := func(h plumbing.Hash) {
		if !seen[h] {
			seen[h] = true
			out = append(out, h)
		}
	}
	for _, c := range commits {
		addObj(c.Hash)
		var parentTree plumbing.Hash
		if len(c.ParentHashes) > 0 {
			p, err := object.GetCommit(s, c.ParentHashes[0])
			if err != nil {
				return nil, fmt.Errorf("read commit %s: %w", c.ParentHashes[0], err)
			}
			parentTree = p.TreeHash
		}
		if c.TreeHash == emptyTree {
			addObj(emptyTree)
		}
		err := diffTrees(s, parentTree, c.TreeHash, func(treeDelta) error { return nil }, addObj)
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

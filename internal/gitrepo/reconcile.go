package gitrepo

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/index"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// syncJournal is the file, in the git directory, that names the index and
// work tree update in progress: written before the checked-out branch
// moves, removed once the index follows it. A run killed in between (after
// the ref moved, before the index was written) leaves it behind, and the
// next holder of the commit lock finishes the update (see reconcile).
const syncJournal = "opsbook-sync"

// testHookRefMoved, when set (by tests only), runs right after a checked-out
// branch moved and before the index follows it: the window a SIGKILL test
// aims at.
var testHookRefMoved func()

// journal is one index update in progress: the checked-out branch moved
// from the commit with tree From to one with tree To.
type journal struct {
	Branch   plumbing.ReferenceName
	From, To plumbing.Hash
}

// beginSync records that the checked-out branch is about to move from
// oldTree to newTree. It does nothing when the branch is not checked out.
func (rp *repo) beginSync(ctx context.Context, oldTree, newTree plumbing.Hash) error {
	if !rp.onBranch {
		return nil
	}
	path := filepath.Join(rp.gitdir, syncJournal)
	f, err := createLockFile(ctx, path+".lock", 3*time.Second, rp.lk)
	if err != nil {
		return err
	}
	data := fmt.Sprintf("branch %s\nfrom %s\nto %s\n", rp.branch, oldTree, newTree)
	if err := commitLockFile(f, path, []byte(data)); err != nil {
		return fmt.Errorf("记录工作区同步日志失败：%w", err)
	}
	return nil
}

// endSync removes the journal once the index follows the branch.
func (rp *repo) endSync() {
	if rp.onBranch {
		_ = os.Remove(filepath.Join(rp.gitdir, syncJournal))
	}
}

func readJournal(gitdir string) (*journal, error) {
	data, err := os.ReadFile(filepath.Join(gitdir, syncJournal))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", syncJournal, err)
	}
	j := &journal{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		key, val, _ := strings.Cut(sc.Text(), " ")
		switch key {
		case "branch":
			j.Branch = plumbing.ReferenceName(val)
		case "from":
			j.From = plumbing.NewHash(val)
		case "to":
			j.To = plumbing.NewHash(val)
		}
	}
	if !j.Branch.IsBranch() || j.To.IsZero() {
		return nil, nil // unreadable (cut short): nothing can be repaired from it
	}
	return j, nil
}

// Reconcile repairs the index and work tree of the repository at root
// after a Commit was killed between moving the checked-out branch and
// updating the index (which leaves `git status` showing the new files as
// deleted and untracked, and a later `git commit` would delete them). It
// only touches the paths that interrupted update changed, and of those
// only the index entries that still hold what the branch had before:
// anything the user staged or edited since is kept. Commit does the same
// on its own before committing; a run calls Reconcile first so that the
// repository is consistent before it reads it. It waits for a Commit in
// progress and does nothing when there is nothing to repair.
func Reconcile(ctx context.Context, root string) error {
	rp, err := openRepo(root)
	if err != nil {
		return err
	}
	defer rp.close()
	if rp.lk, err = lockRepo(ctx, rp.gitdir); err != nil {
		return err
	}
	defer rp.lk.release()
	return rp.reconcile(ctx)
}

// reconcile finishes an index update a killed holder left (see Reconcile).
// The caller holds the commit lock.
func (rp *repo) reconcile(ctx context.Context) error {
	j, err := readJournal(rp.gitdir)
	if err != nil || j == nil {
		return err
	}
	journalPath := filepath.Join(rp.gitdir, syncJournal)
	head, err := rp.r.Storer.Reference(plumbing.HEAD)
	if rp.worktree == "" || err != nil || head.Type() != plumbing.SymbolicReference || head.Target() != j.Branch {
		// No work tree, or another branch is checked out now: the index
		// is not the one the journal is about.
		return os.Remove(journalPath)
	}
	st := rp.r.Storer
	tip, err := readRef(st, j.Branch)
	if err != nil {
		return err
	}
	var headTree *object.Tree
	if !tip.IsZero() {
		c, err := object.GetCommit(st, tip)
		if err != nil {
			return fmt.Errorf("read %s: %w", j.Branch, err)
		}
		if headTree, err = c.Tree(); err != nil {
			return fmt.Errorf("read tree of %s: %w", j.Branch, err)
		}
	}
	var deltas []treeDelta
	if err := diffTrees(st, j.From, j.To, func(d treeDelta) error {
		deltas = append(deltas, d)
		return nil
	}, nil); err != nil {
		return err
	}
	idx, err := readIndex(rp.gitdir)
	if err != nil {
		return fmt.Errorf("读取索引 .git/index 失败（%w）：可执行 git status 检查，必要时 git reset 重建索引", err)
	}
	inIndex := make(map[string][]*index.Entry, len(deltas))
	for _, d := range deltas {
		inIndex[d.Path] = nil
	}
	for _, e := range idx.Entries {
		if es, ok := inIndex[e.Name]; ok {
			inIndex[e.Name] = append(es, e)
		}
	}
	var dels, puts []treeDelta
	for _, d := range deltas {
		if !stillAt(headTree, d.Path, d.To) || !indexAt(inIndex[d.Path], d.From) {
			continue // moved on since, or the user staged something there
		}
		if d.To.Hash.IsZero() {
			dels = append(dels, d)
		} else {
			puts = append(puts, d)
		}
	}
	if err := applyDeltas(ctx, st, rp.gitdir, rp.worktree, rp.lk, j.From, dels, puts); err != nil {
		return fmt.Errorf("修复工作区索引失败：%w", err)
	}
	return os.Remove(journalPath)
}

// readIndex decodes the index; a missing index is an empty one.
func readIndex(gitdir string) (*index.Index, error) {
	idx := &index.Index{Version: 2}
	data, err := os.ReadFile(filepath.Join(gitdir, "index"))
	if errors.Is(err, fs.ErrNotExist) {
		return idx, nil
	}
	if err != nil {
		return nil, err
	}
	if err := index.NewDecoder(bytes.NewReader(data)).Decode(idx); err != nil {
		return nil, err
	}
	return idx, nil
}

// stillAt reports whether the tree (nil = empty) has want at path (a zero
// hash: no file there).
func stillAt(t *object.Tree, path string, want object.TreeEntry) bool {
	var e *object.TreeEntry
	if t != nil {
		e, _ = t.FindEntry(path)
	}
	if want.Hash.IsZero() {
		return e == nil || e.Mode == filemode.Dir
	}
	return e != nil && e.Hash == want.Hash && e.Mode == want.Mode
}

// indexAt reports whether the index entries of one path hold exactly want
// (a zero hash: no entry), with no conflict stages.
func indexAt(entries []*index.Entry, want object.TreeEntry) bool {
	if want.Hash.IsZero() {
		return len(entries) == 0
	}
	return len(entries) == 1 && entries[0].Stage == index.Merged && entries[0].Hash == want.Hash && entries[0].Mode == want.Mode
}

package changerun

import (
	"context"
	"errors"
	"fmt"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"

	"github.com/opsbook/opsbook/internal/gitrepo"
	"github.com/opsbook/opsbook/internal/layout"
)

// The execution records that count are the main line's, not the work
// tree's: with another branch checked out the work tree lacks main's
// records, and a record is committed to main without touching the work
// tree (see Plan.record).

// executionDir is where execution records live, slash-separated.
const executionDir = layout.ContentDir + "/execution/"

// checkedOut reports whether the work tree at root has branch checked out,
// so that a commit on branch also updates the work tree (gitrepo.Commit).
func checkedOut(root, branch string) (bool, error) {
	r, err := git.PlainOpen(root)
	if err != nil {
		return false, fmt.Errorf("打开 git 仓库 %s：%w", root, err)
	}
	head, err := r.Storer.Reference(plumbing.HEAD)
	if err != nil {
		return false, fmt.Errorf("读取 HEAD：%w", err)
	}
	return head.Type() == plumbing.SymbolicReference && head.Target() == plumbing.NewBranchReferenceName(branch), nil
}

// mainFile is one execution record file on the main line's tip.
type mainFile struct {
	path string
	data func() ([]byte, error)
}

// mainExecutions lists the execution records under dir (executionDir or a
// year below it) on branch's tip; none outside a git repository.
func mainExecutions(ctx context.Context, root, branch, dir string, maxSize int64) ([]mainFile, error) {
	snap, err := gitrepo.OpenSnapshot(root)
	if errors.Is(err, gitrepo.ErrNotRepository) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	files, err := snap.Files(ctx, branch, dir)
	if err != nil {
		return nil, fmt.Errorf("读取主分支 %s 上的执行记录：%w", branch, err)
	}
	out := make([]mainFile, 0, len(files))
	for _, f := range files {
		blob := f.Blob
		out = append(out, mainFile{path: f.Path, data: func() ([]byte, error) { return snap.Read(blob, maxSize) }})
	}
	return out, nil
}

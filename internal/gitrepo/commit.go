package gitrepo

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/transport"
	"github.com/go-git/go-git/v5/storage/filesystem"
)

// Change is one file of a commit.
type Change struct {
	Path    string // repository-relative, slash-separated
	Content []byte // nil deletes the file
}

// CommitOptions says how to commit and where to push.
type CommitOptions struct {
	Message     string
	AuthorName  string    // default: git config user.name, else "opsbook"
	AuthorEmail string    // default: git config user.email, else "opsbook@localhost"
	When        time.Time // default: now
	Branch      string    // default: the branch HEAD points at
	Remote      string    // default: "origin"
	Push        bool
	MaxTries    int           // push attempts; default 5
	Backoff     time.Duration // retry n waits a random time averaging B·2^n, B = max(Backoff, longest attempt); default 100ms
	SSH         SSHOptions    // for ssh:// remotes
	Auth        transport.AuthMethod
}

// CommitResult describes what Commit did.
type CommitResult struct {
	Hash        string   // the branch tip afterwards: the new commit, rebased if the remote had moved
	Committed   bool     // false when the tree already had these contents
	Tries       int      // push attempts made
	Pushed      bool     // the remote branch now has Hash
	PendingPush bool     // local commits are waiting to be pushed
	Rebased     bool     // local commits were replayed on a newer remote tip
	Derived     int      // CommitDerived: which call of derive (1 = the first) made the commit Hash holds
	Warnings    []string // problems that did not stop the commit (e.g. the index could not be refreshed)
}

// Commit writes changes as one commit in the repository whose top directory
// (work tree root, or a bare repository) is root, on top of the branch tip, without
// scanning the work tree: it stores the blobs, rewrites only the trees on the
// changed paths and moves the branch. When the branch is checked out, the
// index (and, where needed, the files) are updated for those paths only, so
// `git status` stays clean. With Push it then pushes the branch, including
// earlier commits that could not be pushed; when the remote has moved it
// fetches, replays the local commits on the remote tip and retries with a
// jittered backoff, up to MaxTries. If the push cannot be done the commit
// stays local, PendingPush is set and the error wraps ErrPushPending.
//
// Calls on the same repository are serialised with a lock file, so separate
// processes may share a clone. A Repository is not safe for concurrent use,
// and Commit opens its own.
func Commit(ctx context.Context, root string, changes []Change, o CommitOptions) (CommitResult, error) {
	return commit(ctx, root, changes, nil, o)
}

// commit is Commit, or CommitDerived when derive is set (changes are then
// what derive returns).
func commit(ctx context.Context, root string, changes []Change, derive Derive, o CommitOptions) (CommitResult, error) {
	var res CommitResult
	o = withDefaults(o)
	if err := checkChanges(changes); err != nil {
		return res, err
	}
	repo, err := openRepo(root)
	if err != nil {
		return res, err
	}
	defer repo.close()
	if repo.lk, err = lockRepo(ctx, repo.gitdir); err != nil {
		return res, err
	}
	defer repo.lk.release()
	if err := repo.resolveBranch(o); err != nil {
		return res, err
	}
	if err := repo.reconcile(ctx); err != nil {
		res.Warnings = append(res.Warnings, err.Error())
	}
	sig := signature(repo.r, o)
	st := repo.r.Storer

	tip, err := readRef(st, repo.branch)
	if err != nil {
		return res, err
	}
	var baseTree plumbing.Hash
	if !tip.IsZero() {
		c, err := object.GetCommit(st, tip)
		if err != nil {
			return res, fmt.Errorf("read %s: %w", repo.branch, err)
		}
		baseTree = c.TreeHash
	}
	msg := o.Message
	if derive != nil {
		var m string
		if changes, m, err = derive(ctx, &Tree{s: st, root: baseTree}); err != nil {
			return res, err
		}
		if err := checkChanges(changes); err != nil {
			return res, err
		}
		res.Derived = 1
		if m != "" {
			msg = m
		}
	}
	newTree, err := applyChanges(st, baseTree, changes)
	if err != nil {
		return res, err
	}
	var own plumbing.Hash
	if newTree != baseTree && !(tip.IsZero() && newTree == emptyTree) {
		c := &object.Commit{Author: sig, Committer: sig, Message: message(msg), TreeHash: newTree}
		if !tip.IsZero() {
			c.ParentHashes = []plumbing.Hash{tip}
		}
		h, err := writeCommit(st, c)
		if err != nil {
			return res, err
		}
		if err := repo.moveBranch(ctx, tip, h, baseTree, newTree); err != nil {
			return res, fmt.Errorf("更新分支 %s 失败：%w", repo.branch.Short(), err)
		}
		if w := repo.syncWorktree(ctx, baseTree, newTree); w != "" {
			res.Warnings = append(res.Warnings, w)
		}
		tip, own = h, h
		res.Committed = true
	}
	res.Hash = tip.String()
	if !o.Push {
		return res, nil
	}
	sy := &syncer{repo: repo, o: o, committer: sig, derive: derive, own: own, calls: res.Derived}
	if sy.rm, err = openRemote(repo.r, o); err != nil {
		res.PendingPush = !tip.IsZero()
		return res, &PushError{Commit: res.Hash, Remote: o.Remote, Branch: repo.branch.Short(), Err: err}
	}
	defer sy.rm.close()
	return res, sy.run(ctx, &res)
}

func withDefaults(o CommitOptions) CommitOptions {
	if o.Remote == "" {
		o.Remote = "origin"
	}
	if o.MaxTries <= 0 {
		o.MaxTries = 5
	}
	if o.Backoff <= 0 {
		o.Backoff = 100 * time.Millisecond
	}
	if o.When.IsZero() {
		o.When = time.Now()
	}
	return o
}

func message(m string) string {
	m = strings.TrimRight(m, "\n")
	if m == "" {
		m = "opsbook: 更新记录"
	}
	return m + "\n"
}

func signature(r *git.Repository, o CommitOptions) object.Signature {
	name, email := o.AuthorName, o.AuthorEmail
	if name == "" || email == "" {
		n, e := userOf(r)
		if name == "" {
			name = n
		}
		if email == "" {
			email = e
		}
	}
	if name == "" {
		name = "opsbook"
	}
	if email == "" {
		email = "opsbook@localhost"
	}
	return object.Signature{Name: name, Email: email, When: o.When}
}

// repo is an opened repository and the branch Commit works on.
type repo struct {
	r        *git.Repository
	gitdir   string
	worktree string // "" for a bare repository
	branch   plumbing.ReferenceName
	onBranch bool // the work tree has branch checked out
	lk       *repoLock
}

func openRepo(root string) (*repo, error) {
	// root must be the repository itself, not a directory inside one:
	// change paths are relative to it, and committing into an enclosing
	// repository by accident is worse than an error.
	r, err := git.PlainOpenWithOptions(root, &git.PlainOpenOptions{DetectDotGit: false})
	if errors.Is(err, git.ErrRepositoryNotExists) {
		return nil, fmt.Errorf("%s 不是 git 仓库的根目录：请指定仓库根目录（含 .git 的目录），或先 git clone / git init", root)
	}
	if err != nil {
		return nil, fmt.Errorf("open git repository %s: %w", root, err)
	}
	fsStore, ok := r.Storer.(*filesystem.Storage)
	if !ok {
		return nil, fmt.Errorf("open git repository %s: unsupported storage", root)
	}
	rp := &repo{r: r, gitdir: fsStore.Filesystem().Root()}
	if _, err := os.Stat(filepath.Join(rp.gitdir, "commondir")); err == nil {
		return nil, fmt.Errorf("%s 是 git worktree 建立的链接工作区，暂不支持：请在主克隆目录中运行", root)
	}
	if w, err := r.Worktree(); err == nil {
		rp.worktree = w.Filesystem.Root()
	}
	return rp, nil
}

// close releases the pack files go-git keeps open; a daemon commits
// every run and must not accumulate descriptors.
func (rp *repo) close() {
	if s, ok := rp.r.Storer.(*filesystem.Storage); ok {
		_ = s.Close()
	}
}

func (rp *repo) resolveBranch(o CommitOptions) error {
	head, err := rp.r.Storer.Reference(plumbing.HEAD)
	if err != nil {
		return fmt.Errorf("read HEAD: %w", err)
	}
	symbolic := head.Type() == plumbing.SymbolicReference
	switch {
	case o.Branch != "":
		rp.branch = plumbing.NewBranchReferenceName(o.Branch)
	case symbolic:
		rp.branch = head.Target()
	default:
		return errors.New("HEAD 处于分离状态（detached），无法确定提交到哪个分支：请切换到分支或在配置中指定分支")
	}
	if !rp.branch.IsBranch() {
		return fmt.Errorf("%s 不是分支", rp.branch)
	}
	rp.onBranch = rp.worktree != "" && symbolic && head.Target() == rp.branch
	return nil
}

// syncWorktree updates the index and work tree after the checked-out branch
// moved from oldTree to newTree; a failure is returned as a warning, since
// the commit itself is done.
func (rp *repo) syncWorktree(ctx context.Context, oldTree, newTree plumbing.Hash) string {
	if !rp.onBranch {
		return ""
	}
	if err := syncWorktree(ctx, rp.r.Storer, rp.gitdir, rp.worktree, rp.lk, oldTree, newTree); err != nil {
		return fmt.Sprintf("提交已完成，但工作区索引未能更新：%v", err)
	}
	rp.endSync()
	return ""
}

// moveBranch points the branch at new (it must still be at old), first
// journaling the index update from oldTree to newTree that must follow
// when the branch is checked out, so that a run killed in between is
// repaired by the next one.
func (rp *repo) moveBranch(ctx context.Context, old, new, oldTree, newTree plumbing.Hash) error {
	if err := rp.beginSync(ctx, oldTree, newTree); err != nil {
		return err
	}
	if err := writeRef(ctx, rp.gitdir, rp.r.Storer, rp.lk, rp.branch, old, new, true); err != nil {
		rp.endSync()
		return err
	}
	if testHookRefMoved != nil {
		testHookRefMoved()
	}
	return nil
}

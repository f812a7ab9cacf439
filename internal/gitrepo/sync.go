package gitrepo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/protocol/packp"
	"github.com/go-git/go-git/v5/plumbing/revlist"
	"github.com/go-git/go-git/v5/plumbing/transport"
)

// syncer pushes the local branch, replaying local commits on the remote tip
// when the remote has moved.
type syncer struct {
	*repo
	o         CommitOptions
	rm        *remote
	committer object.Signature
}

func (sy *syncer) tracking() plumbing.ReferenceName {
	return plumbing.NewRemoteReferenceName(sy.rm.name, sy.branch.Short())
}

func (sy *syncer) run(ctx context.Context, res *CommitResult) error {
	var last error
	var took time.Duration
	for try := 1; try <= sy.o.MaxTries; try++ {
		if try > 1 {
			// Catch up with the remote before waiting, so that the next
			// attempt can push at once in a single session.
			if _, err := sy.catchUp(ctx, res, plumbing.ZeroHash); err != nil && !IsRejected(err) {
				last = err
				break
			}
			if err := sleep(ctx, backoff(max(sy.o.Backoff, took), try-1)); err != nil {
				last = err
				break
			}
		}
		res.Tries = try
		start := time.Now()
		err := sy.attempt(ctx, res)
		took = time.Since(start)
		if err == nil {
			return nil
		}
		last = err
		if !IsRejected(err) {
			break
		}
	}
	res.PendingPush = true
	return &PushError{Commit: res.Hash, Remote: sy.rm.name, Branch: sy.branch.Short(), Tries: res.Tries, Err: last}
}

// backoff returns base·2^(n-1), ±50% at random, so runners that collided
// spread out. The base is the configured backoff or, when pushing takes
// longer (a loaded machine, a slow link), the time the failed attempt took:
// the spread then scales with how long each competitor holds the branch.
func backoff(base time.Duration, n int) time.Duration {
	d := base << (n - 1)
	return time.Duration(float64(d) * (0.5 + rand.Float64()))
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// attempt makes one push. It reads the remote tip from the receive-pack
// advertisement and pushes in that session when our branch already
// contains it. Otherwise it closes the session, catches up (fetch, replay
// the local commits on the remote tip) and opens a fresh session: the
// window in which another runner can move the branch under us is the push
// itself, not the fetch and rebuild.
func (sy *syncer) attempt(ctx context.Context, res *CommitResult) error {
	st := sy.r.Storer
	sess, ar, tip, err := sy.rm.openPush(ctx, sy.branch)
	if err != nil {
		return fmt.Errorf("连接远程 %s 失败：%w", sy.rm.display, err)
	}
	defer func() {
		if sess != nil {
			_ = sess.Close()
		}
	}()
	local, err := readRef(st, sy.branch)
	if err != nil {
		return err
	}
	res.Hash = local.String()
	if local.IsZero() {
		return nil // nothing committed, nothing to push
	}
	if tip == local {
		res.Pushed = true
		return sy.setTracking(ctx, tip)
	}
	var objs []plumbing.Hash
	if tip.IsZero() {
		if objs, err = sy.newBranchObjects(ar, local); err != nil {
			return err
		}
	} else {
		var commits []*object.Commit
		ff := false
		if hasObject(st, tip) {
			if commits, ff, err = unpushed(st, local, tip); err != nil {
				return err
			}
		}
		if !ff {
			_ = sess.Close()
			sess = nil
			base, err := sy.catchUp(ctx, res, tip)
			if err != nil {
				return err
			}
			if sess, ar, err = sy.reopen(ctx, base); err != nil {
				return err
			}
			if local, err = readRef(st, sy.branch); err != nil {
				return err
			}
			res.Hash = local.String()
			if local == base { // everything was already on the remote
				res.Pushed = true
				return nil
			}
			tip = base
			if commits, ff, err = unpushed(st, local, tip); err != nil {
				return err
			}
			if !ff {
				return errRemoteMoved
			}
		}
		if objs, err = objectsToPush(st, commits); err != nil {
			return err
		}
	}
	if err := sendPack(ctx, sess, ar, st, sy.branch, tip, local, objs); err != nil {
		return sy.rm.redact(err)
	}
	res.Pushed = true
	if err := sy.setTracking(ctx, local); err != nil {
		res.Warnings = append(res.Warnings, err.Error())
	}
	return nil
}

// catchUp makes the local branch contain the remote tip: it fetches the tip
// when we lack it (or when tip is zero: ask the remote), replays local-only
// commits on it and moves the local branch and work tree there, as
// `git pull --rebase` would. It returns the remote tip it built on.
func (sy *syncer) catchUp(ctx context.Context, res *CommitResult, tip plumbing.Hash) (plumbing.Hash, error) {
	st := sy.r.Storer
	if tip.IsZero() || !hasObject(st, tip) {
		fetched, err := sy.rm.fetch(ctx, st, sy.branch, sy.haves())
		if err != nil {
			return plumbing.ZeroHash, fmt.Errorf("从远程 %s 拉取 %s 失败：%w", sy.rm.display, sy.branch.Short(), err)
		}
		if fetched.IsZero() {
			return plumbing.ZeroHash, errRemoteMoved // no such branch (any more)
		}
		tip = fetched
	}
	if err := sy.setTracking(ctx, tip); err != nil {
		return plumbing.ZeroHash, err
	}
	local, err := readRef(st, sy.branch)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	commits, ff, err := unpushed(st, local, tip)
	if err != nil || ff {
		return tip, err
	}
	rebased, err := rebase(st, commits, tip, sy.committer)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	res.Rebased = true
	newTip := tip
	if len(rebased) > 0 {
		newTip = rebased[len(rebased)-1].Hash
	}
	if err := sy.moveLocal(ctx, res, local, newTip); err != nil {
		return plumbing.ZeroHash, err
	}
	return tip, nil
}

// reopen opens a new push session and checks that the remote branch is
// still where we rebuilt our commits.
func (sy *syncer) reopen(ctx context.Context, want plumbing.Hash) (transport.ReceivePackSession, *packp.AdvRefs, error) {
	sess, ar, tip, err := sy.rm.openPush(ctx, sy.branch)
	if err != nil {
		return nil, nil, fmt.Errorf("连接远程 %s 失败：%w", sy.rm.display, err)
	}
	if tip != want {
		_ = sess.Close()
		return nil, nil, errRemoteMoved
	}
	return sess, ar, nil
}

func (sy *syncer) setTracking(ctx context.Context, h plumbing.Hash) error {
	return writeRef(ctx, sy.gitdir, sy.r.Storer, sy.lk, sy.tracking(), plumbing.ZeroHash, h, false)
}

// moveLocal points the local branch at the rebased tip and brings the
// checked-out work tree along.
func (sy *syncer) moveLocal(ctx context.Context, res *CommitResult, old, new plumbing.Hash) error {
	st := sy.r.Storer
	if err := writeRef(ctx, sy.gitdir, st, sy.lk, sy.branch, old, new, true); err != nil {
		return fmt.Errorf("更新本地分支 %s 失败：%w", sy.branch.Short(), err)
	}
	res.Hash = new.String()
	oc, err1 := object.GetCommit(st, old)
	nc, err2 := object.GetCommit(st, new)
	if err1 != nil || err2 != nil {
		res.Warnings = append(res.Warnings, "无法读取提交以更新工作区")
		return nil
	}
	if w := sy.syncWorktree(ctx, oc.TreeHash, nc.TreeHash); w != "" {
		res.Warnings = append(res.Warnings, w)
	}
	return nil
}

// haves lists commits we have that the remote probably has too, so a fetch
// sends only what is new: the last known remote tip and the recent local
// history.
func (sy *syncer) haves() []plumbing.Hash {
	st := sy.r.Storer
	var out []plumbing.Hash
	if h, err := readRef(st, sy.tracking()); err == nil && !h.IsZero() {
		out = append(out, h)
	}
	h, err := readRef(st, sy.branch)
	for i := 0; err == nil && !h.IsZero() && i < 32; i++ {
		out = append(out, h)
		c, cerr := object.GetCommit(st, h)
		if cerr != nil || len(c.ParentHashes) == 0 {
			break
		}
		h = c.ParentHashes[0]
	}
	return out
}

// newBranchObjects lists what a remote without our branch needs: everything
// reachable from local that no advertised ref already has. This walks the
// history once, as any first push does.
func (sy *syncer) newBranchObjects(ar *packp.AdvRefs, local plumbing.Hash) ([]plumbing.Hash, error) {
	st := sy.r.Storer
	refs, err := ar.AllReferences()
	if err != nil {
		return nil, err
	}
	iter, err := refs.IterReferences()
	if err != nil {
		return nil, err
	}
	var ignore []plumbing.Hash
	_ = iter.ForEach(func(ref *plumbing.Reference) error {
		if ref.Type() == plumbing.HashReference && hasObject(st, ref.Hash()) {
			ignore = append(ignore, ref.Hash())
		}
		return nil
	})
	objs, err := revlist.Objects(st, []plumbing.Hash{local}, ignore)
	if err != nil {
		return nil, fmt.Errorf("list objects to push: %w", err)
	}
	return objs, nil
}

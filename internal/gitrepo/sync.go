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
	// CommitDerived: derive rebuilds own, the commit this call made, on a
	// moved remote tip; calls counts derive's calls and derivedNow is the
	// call the current attempt pushes (0: none).
	derive            Derive
	own               plumbing.Hash
	calls, derivedNow int
}

func (sy *syncer) tracking() plumbing.ReferenceName {
	return plumbing.NewRemoteReferenceName(sy.rm.name, sy.branch.Short())
}

func (sy *syncer) run(ctx context.Context, res *CommitResult) error {
	var last error
	var took time.Duration
	for try := 1; try <= sy.o.MaxTries; try++ {
		if try > 1 {
			if err := sleep(ctx, backoff(max(sy.o.Backoff, took), try-1)); err != nil {
				last = err
				break
			}
		}
		res.Tries = try
		start := time.Now()
		err := sy.attempt(ctx, res, try == 1)
		took = max(took, time.Since(start))
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

// backoff returns the wait before retry n (1 for the first retry): a
// random time in [0, 2·base·2^n) ("full jitter"), so the mean doubles with
// each retry and runners that collided spread over a wide window. The base
// is the configured backoff or, when pushing takes longer (a loaded
// machine, a slow link), the longest attempt so far: the spread then scales
// with how long each competitor holds the branch.
func backoff(base time.Duration, n int) time.Duration {
	d := base << n
	return min(time.Duration(2*float64(d)*rand.Float64()), maxBackoff)
}

// maxBackoff caps a single wait, so five tries end within about a minute
// even on a slow link.
const maxBackoff = 20 * time.Second

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

// attempt makes one push. The first attempt reads the remote tip from the
// receive-pack advertisement and pushes in that same session when our
// branch already contains it: the usual case, one connection. Otherwise
// (and on every retry) it fetches the remote tip, replays the local-only
// commits on it in the object store, and only then opens the push session
// and checks that the tip has not moved: the window in which another runner
// can move the branch under us is the push itself, not the fetch and the
// rebuild. The local branch and work tree move after a successful push.
func (sy *syncer) attempt(ctx context.Context, res *CommitResult, first bool) error {
	st := sy.r.Storer
	sy.derivedNow = 0
	local, err := readRef(st, sy.branch)
	if err != nil {
		return err
	}
	res.Hash = local.String()
	if local.IsZero() {
		return nil // nothing committed, nothing to push
	}
	if first {
		sess, ar, tip, err := sy.rm.openPush(ctx, sy.branch)
		if err != nil {
			return fmt.Errorf("连接远程 %s 失败：%w", sy.rm.display, err)
		}
		done, err := sy.pushAsIs(ctx, res, sess, ar, local, tip)
		_ = sess.Close()
		if done || err != nil {
			return err
		}
	}
	tip, err := sy.rm.fetch(ctx, st, sy.branch, sy.haves())
	if err != nil {
		return fmt.Errorf("从远程 %s 拉取 %s 失败：%w", sy.rm.display, sy.branch.Short(), err)
	}
	newTip := local
	var objs []plumbing.Hash
	if !tip.IsZero() {
		if err := sy.setTracking(ctx, tip); err != nil {
			return err
		}
		commits, ff, err := unpushed(st, local, tip)
		if err != nil {
			return err
		}
		if !ff {
			if commits, err = sy.replay(ctx, commits, tip); err != nil {
				return err
			}
			newTip = tip
			if len(commits) > 0 {
				newTip = commits[len(commits)-1].Hash
			}
		}
		if newTip == tip { // everything was already on the remote
			res.Pushed, res.Rebased = true, !ff
			sy.landed(res)
			return sy.moveLocal(ctx, res, local, newTip)
		}
		if objs, err = objectsToPush(st, commits); err != nil {
			return err
		}
	}
	sess, ar, err := sy.reopen(ctx, tip)
	if err != nil {
		return err
	}
	defer func() { _ = sess.Close() }()
	if tip.IsZero() {
		if objs, err = sy.newBranchObjects(ar, local); err != nil {
			return err
		}
	}
	if err := sendPack(ctx, sess, ar, st, sy.branch, tip, newTip, objs); err != nil {
		return sy.rm.redact(err)
	}
	res.Rebased = newTip != local
	return sy.pushed(ctx, res, local, newTip)
}

// pushAsIs pushes local in an open session when the remote tip needs no
// fetch or rebase; done is false when it does.
func (sy *syncer) pushAsIs(ctx context.Context, res *CommitResult, sess transport.ReceivePackSession, ar *packp.AdvRefs, local, tip plumbing.Hash) (done bool, err error) {
	st := sy.r.Storer
	var objs []plumbing.Hash
	switch {
	case tip == local:
		res.Pushed = true
		return true, sy.setTracking(ctx, tip)
	case tip.IsZero():
		if objs, err = sy.newBranchObjects(ar, local); err != nil {
			return true, err
		}
	case hasObject(st, tip):
		commits, ff, err := unpushed(st, local, tip)
		if err != nil || !ff {
			return err != nil, err
		}
		if err := sy.setTracking(ctx, tip); err != nil {
			return true, err
		}
		if objs, err = objectsToPush(st, commits); err != nil {
			return true, err
		}
	default:
		return false, nil // the remote has commits we have not seen
	}
	if err := sendPack(ctx, sess, ar, st, sy.branch, tip, local, objs); err != nil {
		return true, sy.rm.redact(err)
	}
	return true, sy.pushed(ctx, res, local, local)
}

// pushed records a successful push of newTip (local, or local rebased).
func (sy *syncer) pushed(ctx context.Context, res *CommitResult, local, newTip plumbing.Hash) error {
	res.Pushed = true
	res.Hash = newTip.String()
	sy.landed(res)
	if err := sy.setTracking(ctx, newTip); err != nil {
		res.Warnings = append(res.Warnings, err.Error())
	}
	if newTip != local {
		if err := sy.moveLocal(ctx, res, local, newTip); err != nil {
			res.Warnings = append(res.Warnings, fmt.Sprintf("已推送 %s，但%v", short(newTip), err))
		}
	}
	return nil
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
	oc, err1 := object.GetCommit(st, old)
	nc, err2 := object.GetCommit(st, new)
	if err1 != nil || err2 != nil {
		if err := writeRef(ctx, sy.gitdir, st, sy.lk, sy.branch, old, new, true); err != nil {
			return fmt.Errorf("更新本地分支 %s 失败：%w", sy.branch.Short(), err)
		}
		res.Hash = new.String()
		res.Warnings = append(res.Warnings, "无法读取提交以更新工作区")
		return nil
	}
	if err := sy.moveBranch(ctx, old, new, oc.TreeHash, nc.TreeHash); err != nil {
		return fmt.Errorf("更新本地分支 %s 失败：%w", sy.branch.Short(), err)
	}
	res.Hash = new.String()
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
// reachable from local that no ref the remote advertises already has. This
// walks the history once, as any first push does.
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

// landed notes which derive call made the commit that was pushed.
func (sy *syncer) landed(res *CommitResult) {
	if sy.derivedNow > 0 {
		res.Derived = sy.derivedNow
	}
}

package gitrepo

import (
	"context"
	"errors"
	"fmt"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/transport"
)

// ErrNoRemote means the repository has no remote of the name asked for:
// there is nothing to be behind.
var ErrNoRemote = errors.New("no such remote")

// Freshness is how a local branch compares with the remote's.
type Freshness struct {
	Local, Remote string // tips; Remote is "" when the remote has no such branch
	Behind        bool   // the remote tip has commits the local branch lacks
}

// CheckUpToDate asks the remote (o.Remote, default "origin"; o.SSH and
// o.Auth as for Commit) for the tip of branch — the advertisement only,
// nothing is downloaded — and says whether the local branch lacks commits
// it has: a local branch at the tip or ahead of it is up to date. It
// returns ErrNoRemote when there is no such remote, ErrNotRepository when
// root is not a repository.
func CheckUpToDate(ctx context.Context, root, branch string, o CommitOptions) (Freshness, error) {
	o = withDefaults(o)
	if _, err := git.PlainOpenWithOptions(root, &git.PlainOpenOptions{DetectDotGit: false}); errors.Is(err, git.ErrRepositoryNotExists) {
		return Freshness{}, ErrNotRepository
	}
	rp, err := openRepo(root)
	if err != nil {
		return Freshness{}, err
	}
	defer rp.close()
	if _, err := rp.r.Remote(o.Remote); errors.Is(err, git.ErrRemoteNotFound) {
		return Freshness{}, ErrNoRemote
	}
	ref := plumbing.NewBranchReferenceName(branch)
	var f Freshness
	local, err := rp.r.Reference(ref, true)
	if err != nil && !errors.Is(err, plumbing.ErrReferenceNotFound) {
		return f, fmt.Errorf("本地分支 %s：%w", branch, err)
	}
	if local != nil {
		f.Local = local.Hash().String()
	}
	rm, err := openRemote(rp.r, o)
	if err != nil {
		return f, err
	}
	defer rm.close()
	sess, err := rm.cli.NewUploadPackSession(rm.ep, rm.auth)
	if err != nil {
		return f, fmt.Errorf("连接远程 %s：%w", rm.display, rm.redact(err))
	}
	defer func() { _ = sess.Close() }()
	ar, err := sess.AdvertisedReferencesContext(ctx)
	if errors.Is(err, transport.ErrEmptyRemoteRepository) {
		return f, nil
	}
	if err != nil {
		return f, fmt.Errorf("读取远程 %s 的分支：%w", rm.display, rm.redact(err))
	}
	tip, err := advertisedTip(ar, ref)
	if err != nil || tip.IsZero() {
		return f, err
	}
	f.Remote = tip.String()
	if f.Remote == f.Local {
		return f, nil
	}
	// Up to date only if the remote tip is already in the local history.
	remoteCommit, err := rp.r.CommitObject(tip)
	if err != nil || local == nil {
		f.Behind = true // we do not even have it
		return f, nil
	}
	localCommit, err := rp.r.CommitObject(local.Hash())
	if err != nil {
		return f, fmt.Errorf("本地分支 %s 的提交：%w", branch, err)
	}
	in, err := remoteCommit.IsAncestor(localCommit)
	if err != nil {
		return f, fmt.Errorf("比较本地与远程的 %s：%w", branch, err)
	}
	f.Behind = !in
	return f, nil
}

package gitrepo

import (
	"testing"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
)

func TestUnpushed(t *testing.T) {
	bare := newRemote(t)
	dir := cloneOf(t, bare)
	commit := func(file string) string {
		writeFile(t, dir, file, file+"\n")
		runGit(t, dir, "add", file)
		runGit(t, dir, "commit", "-q", "-m", file)
		return runGit(t, dir, "rev-parse", "HEAD")
	}
	fork := runGit(t, dir, "rev-parse", "HEAD")
	// Remote side: a commit and a merged branch.
	runGit(t, dir, "checkout", "-q", "-b", "remote")
	commit("r1")
	runGit(t, dir, "checkout", "-q", "-b", "pr")
	commit("pr1")
	runGit(t, dir, "checkout", "-q", "remote")
	commit("r2")
	runGit(t, dir, "merge", "-q", "--no-ff", "-m", "merge pr", "pr")
	remoteTip := runGit(t, dir, "rev-parse", "HEAD")
	// Local side: two commits on the fork point.
	runGit(t, dir, "checkout", "-q", "-b", "local", fork)
	l1 := commit("l1")
	l2 := commit("l2")

	r, err := git.PlainOpen(dir)
	if err != nil {
		t.Fatal(err)
	}
	h := plumbing.NewHash
	pending, ff, err := unpushed(r.Storer, h(l2), h(remoteTip))
	if err != nil || ff || len(pending) != 2 || pending[0].Hash.String() != l1 || pending[1].Hash.String() != l2 {
		t.Fatalf("diverged: ff=%v err=%v pending=%v", ff, err, pending)
	}
	pending, ff, err = unpushed(r.Storer, h(l2), h(fork))
	if err != nil || !ff || len(pending) != 2 {
		t.Fatalf("ahead: ff=%v err=%v pending=%d", ff, err, len(pending))
	}
	pending, ff, err = unpushed(r.Storer, h(fork), h(remoteTip))
	if err != nil || ff || len(pending) != 0 {
		t.Fatalf("behind: ff=%v err=%v pending=%d", ff, err, len(pending))
	}
	pending, ff, err = unpushed(r.Storer, h(remoteTip), h(remoteTip))
	if err != nil || !ff || len(pending) != 0 {
		t.Fatalf("equal: ff=%v err=%v pending=%d", ff, err, len(pending))
	}

	// Replaying the local commits on the remote tip keeps their changes and
	// the remote's, and drops nothing.
	local, _, _ := unpushed(r.Storer, h(l2), h(remoteTip))
	out, err := rebase(r.Storer, local, h(remoteTip), local[0].Committer)
	if err != nil || len(out) != 2 {
		t.Fatalf("rebase: %v %d", err, len(out))
	}
	if err := writeRef(ctxT(t), dir+"/.git", r.Storer, nil, plumbing.NewBranchReferenceName("rebased"), plumbing.ZeroHash, out[1].Hash, true); err != nil {
		t.Fatal(err)
	}
	if got := runGit(t, dir, "ls-tree", "--name-only", "rebased"); got != "README.md\ncontent\nl1\nl2\npr1\nr1\nr2" {
		t.Fatalf("rebased tree: %q", got)
	}
	if got := runGit(t, dir, "log", "--format=%s", "-3", "rebased"); got != "l2\nl1\nmerge pr" {
		t.Fatalf("rebased history: %q", got)
	}
	// Replaying again on top of the result drops both: already there.
	again, err := rebase(r.Storer, local, out[1].Hash, local[0].Committer)
	if err != nil || len(again) != 0 {
		t.Fatalf("second replay: %v %d", err, len(again))
	}
	assertFsck(t, dir)
}

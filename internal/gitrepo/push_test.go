package gitrepo

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
)

// Ten runners, each with its own clone (as ten processes would have), push
// at the same moment: all ten commits land and history stays linear.
func TestConcurrentRunnersAllLandLinearly(t *testing.T) {
	bare := newRemote(t)
	base := runGit(t, bare, "rev-parse", "main")
	const n = 10
	clones := make([]string, n)
	for i := range clones {
		clones[i] = cloneOf(t, bare)
	}
	start := make(chan struct{})
	results := make([]CommitResult, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range clones {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			p := fmt.Sprintf("content/inspection/2026/INS-2026-1127-0830-platform-daily-runner%02d.yaml", i)
			content := fmt.Sprintf("id: INS-2026-1127-0830-platform-daily-runner%02d\n", i)
			writeFile(t, clones[i], p, content)
			<-start
			results[i], errs[i] = Commit(ctxT(t), clones[i], []Change{{Path: p, Content: []byte(content)}},
				CommitOptions{Message: "巡检 " + strconv.Itoa(i), AuthorName: "runner", AuthorEmail: "runner@opsbook.invalid", Push: true})
		}(i)
	}
	close(start)
	wg.Wait()
	tries, most := 0, 0
	for i := range clones {
		if errs[i] != nil {
			t.Errorf("runner %d: %v (result %+v)", i, errs[i], results[i])
			continue
		}
		tries += results[i].Tries
		most = max(most, results[i].Tries)
		if !results[i].Pushed || results[i].PendingPush {
			t.Errorf("runner %d: result %+v", i, results[i])
		}
	}
	if t.Failed() {
		t.FailNow()
	}
	t.Logf("10 concurrent runners: %d push attempts in all, at most %d by one runner", tries, most)
	if got := runGit(t, bare, "rev-list", "--count", base+"..main"); got != strconv.Itoa(n) {
		t.Fatalf("%s commits landed, want %d", got, n)
	}
	if merges := runGit(t, bare, "rev-list", "--merges", base+"..main"); merges != "" {
		t.Fatalf("merge commits in runner history: %s", merges)
	}
	files := runGit(t, bare, "diff", "--name-only", base, "main")
	if strings.Count(files, "\n")+1 != n {
		t.Fatalf("files landed:\n%s", files)
	}
	assertFsck(t, bare)
	for i, c := range clones {
		// Each clone ends on the commit it pushed, which contains the
		// files pushed before it; its work tree is clean.
		if got := runGit(t, c, "rev-parse", "HEAD"); got != results[i].Hash {
			t.Errorf("clone %d HEAD %s, result %s", i, got, results[i].Hash)
		}
		assertClean(t, c)
		assertFsck(t, c)
	}
}

// The remote disappears: the commit stays local and is reported pending;
// when the remote is back the next Commit pushes both commits.
func TestUnreachableRemoteKeepsCommitAndPushesNextTime(t *testing.T) {
	bare := newRemote(t)
	clone := cloneOf(t, bare)
	base := runGit(t, bare, "rev-parse", "main")
	away := bare + ".away"
	if err := os.Rename(bare, away); err != nil {
		t.Fatal(err)
	}
	res, err := runnerCommit(t, clone, map[string]string{insPath: "id: run1\n"}, CommitOptions{Push: true})
	if !errors.Is(err, ErrPushPending) {
		t.Fatalf("err = %v, want ErrPushPending", err)
	}
	var pe *PushError
	if !errors.As(err, &pe) || pe.Commit != res.Hash || !strings.Contains(err.Error(), "已保存在本地") {
		t.Fatalf("err = %#v", err)
	}
	if !res.Committed || res.Pushed || !res.PendingPush || res.Tries != 1 {
		t.Fatalf("an unreachable remote is not retried: result %+v", res)
	}
	if got := runGit(t, clone, "rev-parse", "HEAD"); got != res.Hash {
		t.Fatalf("local commit not kept: HEAD %s", got)
	}
	assertClean(t, clone)

	if err := os.Rename(away, bare); err != nil {
		t.Fatal(err)
	}
	res2, err := runnerCommit(t, clone, map[string]string{anoPath: "---\nid: ANO\n---\n"}, CommitOptions{Push: true})
	if err != nil {
		t.Fatal(err)
	}
	if !res2.Pushed || res2.PendingPush || res2.Rebased {
		t.Fatalf("result %+v", res2)
	}
	if got := runGit(t, bare, "rev-list", "--format=%s", "--no-commit-header", base+"..main"); got != "巡检：platform-daily\n巡检：platform-daily" {
		t.Fatalf("remote history since base = %q", got)
	}
	if runGit(t, bare, "rev-parse", "main~1") != res.Hash {
		t.Fatal("the pending commit was not pushed as it was")
	}
	assertFsck(t, bare)
}

// Pending local commits are replayed on the remote tip when other runners
// pushed meanwhile; their files appear in the local work tree.
func TestPendingCommitsRebasedOntoMovedRemote(t *testing.T) {
	bare := newRemote(t)
	mine := cloneOf(t, bare)
	other := cloneOf(t, bare)
	base := runGit(t, bare, "rev-parse", "main")
	away := bare + ".away"
	if err := os.Rename(bare, away); err != nil {
		t.Fatal(err)
	}
	pending, err := runnerCommit(t, mine, map[string]string{insPath: "id: mine-1\n"}, CommitOptions{Push: true})
	if !errors.Is(err, ErrPushPending) {
		t.Fatalf("err = %v", err)
	}
	if err := os.Rename(away, bare); err != nil {
		t.Fatal(err)
	}
	otherPath := "content/inspection/2026/INS-2026-1127-0830-platform-daily-other.yaml"
	if _, err := runnerCommit(t, other, map[string]string{otherPath: "id: other\n"}, CommitOptions{Push: true}); err != nil {
		t.Fatal(err)
	}
	res, err := runnerCommit(t, mine, map[string]string{anoPath: "---\nid: mine-2\n---\n"}, CommitOptions{Push: true})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Pushed || !res.Rebased || res.Tries != 1 {
		t.Fatalf("result %+v", res)
	}
	if runGit(t, bare, "rev-parse", "main") != res.Hash || runGit(t, mine, "rev-parse", "HEAD") != res.Hash {
		t.Fatal("remote and local do not both end on the rebased tip")
	}
	if got := runGit(t, bare, "rev-list", "--count", base+"..main"); got != "3" {
		t.Fatalf("%s commits since base, want 3", got)
	}
	if runGit(t, bare, "rev-list", "--merges", base+"..main") != "" {
		t.Fatal("merge commit created")
	}
	// The replayed pending commit keeps its author time and message.
	if a, b := runGit(t, mine, "log", "-1", "--format=%aI %an %s", pending.Hash), runGit(t, bare, "log", "-1", "--format=%aI %an %s", "main~1"); a != b {
		t.Fatalf("replayed commit %q, original %q", b, a)
	}
	if data, err := os.ReadFile(filepath.Join(mine, otherPath)); err != nil || string(data) != "id: other\n" {
		t.Fatalf("other runner's file in my work tree: %q %v", data, err)
	}
	assertClean(t, mine)
	assertFsck(t, mine)
	assertFsck(t, bare)
}

// A file the remote changed but that was edited locally is not
// overwritten: it shows as modified, like `git pull` would refuse to lose it.
func TestRemoteChangeKeepsLocalEdit(t *testing.T) {
	bare := newRemote(t)
	mine := cloneOf(t, bare)
	other := cloneOf(t, bare)
	if _, err := runnerCommit(t, other, map[string]string{"README.md": "# 远程修改\n"}, CommitOptions{Push: true}); err != nil {
		t.Fatal(err)
	}
	writeFile(t, mine, "README.md", "# 本地未提交的修改\n")
	if _, err := runnerCommit(t, mine, map[string]string{insPath: "id: x\n"}, CommitOptions{Push: true}); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(filepath.Join(mine, "README.md"))
	if string(data) != "# 本地未提交的修改\n" {
		t.Fatalf("local edit lost: %q", data)
	}
	if st := runGit(t, mine, "status", "--porcelain"); st != "M README.md" {
		t.Fatalf("status = %q, want the local edit as an unstaged modification", st)
	}
}

// What go-git v5.19.3 itself returns when a push to a local remote is
// rejected, in both wordings, and that IsRejected recognises them.
func TestGoGitRejectionWordings(t *testing.T) {
	bare := newRemote(t)
	stale := cloneOf(t, bare)
	other := cloneOf(t, bare)
	writeFile(t, other, "a.txt", "a\n")
	runGit(t, other, "add", "a.txt")
	runGit(t, other, "commit", "-q", "-m", "a")
	runGit(t, other, "push", "-q", "origin", "main")

	// 1. The client-side check: our main does not contain the remote's.
	writeFile(t, stale, "b.txt", "b\n")
	runGit(t, stale, "add", "b.txt")
	runGit(t, stale, "commit", "-q", "-m", "b")
	err := goGitPush(t, stale)
	if err == nil || err.Error() != "non-fast-forward update: refs/heads/main" {
		t.Fatalf("go-git stale push: %v", err)
	}
	if !IsRejected(err) {
		t.Fatalf("IsRejected(%q) = false", err)
	}

	// 2. git receive-pack cannot move the ref (another push holds its
	// lock): go-git reports the remote's status line.
	runGit(t, stale, "pull", "-q", "--rebase", "origin", "main")
	lock := filepath.Join(bare, "refs", "heads", "main.lock")
	if err := os.WriteFile(lock, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	err = goGitPush(t, stale)
	if err == nil || err.Error() != "command error on refs/heads/main: failed to update ref" {
		t.Fatalf("go-git push against a locked ref: %v", err)
	}
	if !IsRejected(err) {
		t.Fatalf("IsRejected(%q) = false", err)
	}

	// Commit meets the same refusal, retries up to MaxTries with backoff,
	// then keeps the commit.
	startTime := time.Now()
	res, err := runnerCommit(t, stale, map[string]string{insPath: "id: locked\n"}, CommitOptions{Push: true, MaxTries: 3, Backoff: 5 * time.Millisecond})
	if !errors.Is(err, ErrPushPending) || !strings.Contains(err.Error(), "failed to update ref") {
		t.Fatalf("err = %v", err)
	}
	if res.Tries != 3 || !res.PendingPush || res.Pushed {
		t.Fatalf("result %+v", res)
	}
	if time.Since(startTime) < 7*time.Millisecond { // 2.5 ms + 5 ms at least
		t.Fatal("retries did not back off")
	}
	if err := os.Remove(lock); err != nil {
		t.Fatal(err)
	}
	res, err = Commit(ctxT(t), stale, nil, CommitOptions{Push: true})
	if err != nil || !res.Pushed {
		t.Fatalf("pending push after the lock cleared: %+v %v", res, err)
	}
	if runGit(t, bare, "rev-parse", "main") != runGit(t, stale, "rev-parse", "HEAD") {
		t.Fatal("remote does not have the pending commits")
	}

	for _, s := range []string{"", "repository not found", "connection refused", "pre-receive hook declined"} {
		if IsRejected(errors.New(s)) {
			t.Errorf("IsRejected(%q) = true", s)
		}
	}
}

func goGitPush(t *testing.T, dir string) error {
	t.Helper()
	r, err := git.PlainOpen(dir)
	if err != nil {
		t.Fatal(err)
	}
	return r.Push(&git.PushOptions{RemoteName: "origin", RefSpecs: []config.RefSpec{"refs/heads/main:refs/heads/main"}})
}

// Local merge commits cannot be replayed: the error says what to do and the
// commit is kept.
func TestPendingMergeIsNotRebased(t *testing.T) {
	bare := newRemote(t)
	mine := cloneOf(t, bare)
	other := cloneOf(t, bare)
	runGit(t, mine, "checkout", "-q", "-b", "topic")
	writeFile(t, mine, "t.txt", "t\n")
	runGit(t, mine, "add", "t.txt")
	runGit(t, mine, "commit", "-q", "-m", "topic")
	runGit(t, mine, "checkout", "-q", "main")
	writeFile(t, mine, "m.txt", "m\n")
	runGit(t, mine, "add", "m.txt")
	runGit(t, mine, "commit", "-q", "-m", "main")
	runGit(t, mine, "merge", "-q", "--no-ff", "-m", "local merge", "topic")
	if _, err := runnerCommit(t, other, map[string]string{"o.txt": "o\n"}, CommitOptions{Push: true}); err != nil {
		t.Fatal(err)
	}
	res, err := runnerCommit(t, mine, map[string]string{insPath: "id: x\n"}, CommitOptions{Push: true})
	if !errors.Is(err, ErrMergeNotPushed) || !errors.Is(err, ErrPushPending) || !res.PendingPush || res.Tries != 1 {
		t.Fatalf("err = %v, result %+v", err, res)
	}
}

// Several runners sharing one clone are serialised by the commit lock; all
// their commits land, linearly.
func TestConcurrentCommitsShareOneClone(t *testing.T) {
	bare := newRemote(t)
	clone := cloneOf(t, bare)
	base := runGit(t, bare, "rev-parse", "main")
	const n = 5
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			p := fmt.Sprintf("content/inspection/2026/INS-shared-%d.yaml", i)
			_, errs[i] = Commit(ctxT(t), clone, []Change{{Path: p, Content: []byte("id: " + strconv.Itoa(i) + "\n")}},
				CommitOptions{Message: "共享克隆 " + strconv.Itoa(i), Push: true})
		}(i)
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("runner %d: %v", i, err)
		}
	}
	if got := runGit(t, bare, "rev-list", "--count", base+"..main"); got != strconv.Itoa(n) {
		t.Fatalf("%s commits landed, want %d", got, n)
	}
	if runGit(t, clone, "rev-parse", "HEAD") != runGit(t, bare, "rev-parse", "main") {
		t.Fatal("clone and remote differ")
	}
	assertClean(t, clone)
	assertFsck(t, bare)
}

// A run killed while it held a ref lock leaves "<ref>.lock" behind; the
// lock journal lets the next run remove it at once instead of failing.
func TestLocksLeftByAKilledRunAreRemoved(t *testing.T) {
	bare := newRemote(t)
	clone := cloneOf(t, bare)
	gitdir := filepath.Join(clone, ".git")
	stale := []string{filepath.Join(gitdir, "refs", "heads", "main.lock"), filepath.Join(gitdir, "index.lock")}
	for _, p := range stale {
		if err := os.WriteFile(p, []byte("partial"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	journal := strings.Join(stale, "\n") + "\n"
	if err := os.WriteFile(filepath.Join(gitdir, "opsbook-commit.flock"), []byte(journal), 0o644); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	res, err := runnerCommit(t, clone, map[string]string{insPath: "id: after-kill\n"}, CommitOptions{Push: true})
	if err != nil || !res.Pushed || len(res.Warnings) > 0 {
		t.Fatalf("%+v %v", res, err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("Commit waited %s on locks a dead run left", took)
	}
	for _, p := range stale {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s still there", p)
		}
	}
	assertClean(t, clone)
	if data, _ := os.ReadFile(filepath.Join(gitdir, "opsbook-commit.flock")); len(data) != 0 {
		t.Errorf("journal not emptied: %q", data)
	}
}

package gitrepo

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

const (
	insPath = "content/inspection/2026/INS-2026-1127-0830-platform-daily-runner1.yaml"
	anoPath = "content/anomaly/2026/ANO-2026-1127-portal.md"
)

func TestCommitPushLandsAndLeavesWorkTreeClean(t *testing.T) {
	bare := newRemote(t)
	clone := cloneOf(t, bare)
	before := runGit(t, clone, "rev-parse", "HEAD")
	when := time.Date(2026, 11, 27, 8, 31, 0, 0, time.FixedZone("CST", 8*3600))
	res, err := runnerCommit(t, clone, map[string]string{
		insPath: "id: INS-2026-1127-0830-platform-daily-runner1\nkind: inspection\n",
		anoPath: "---\nid: ANO-2026-1127-portal\n---\n门户首页无法访问\n",
	}, CommitOptions{Push: true, When: when, Message: "巡检 platform-daily 2026-11-27 08:30"})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Committed || !res.Pushed || res.PendingPush || res.Tries != 1 || res.Rebased {
		t.Fatalf("result = %+v", res)
	}
	if got := runGit(t, bare, "rev-parse", "main"); got != res.Hash {
		t.Fatalf("remote main = %s, want %s", got, res.Hash)
	}
	if got := runGit(t, bare, "log", "-1", "--format=%P|%an <%ae>|%aI|%s", "main"); got != before+"|runner <runner@opsbook.invalid>|2026-11-27T08:31:00+08:00|巡检 platform-daily 2026-11-27 08:30" {
		t.Fatalf("remote head commit = %q", got)
	}
	if got := runGit(t, bare, "show", "main:"+anoPath); !strings.Contains(got, "门户首页无法访问") {
		t.Fatalf("anomaly on remote = %q", got)
	}
	if got := runGit(t, bare, "diff", "--name-only", before, "main"); got != anoPath+"\n"+insPath {
		t.Fatalf("changed files = %q", got)
	}
	if got := runGit(t, clone, "rev-parse", "HEAD", "origin/main"); got != res.Hash+"\n"+res.Hash {
		t.Fatalf("local HEAD and origin/main = %q, want both %s", got, res.Hash)
	}
	assertClean(t, clone)
	// The index entries carry stat data: git finds nothing to refresh.
	if out := runGit(t, clone, "diff-files", "--name-only"); out != "" {
		t.Fatalf("index stat data stale for %q", out)
	}
	assertFsck(t, clone)
	assertFsck(t, bare)
}

func TestCommitWithoutPushStaysLocal(t *testing.T) {
	bare := newRemote(t)
	clone := cloneOf(t, bare)
	remoteBefore := runGit(t, bare, "rev-parse", "main")
	res, err := runnerCommit(t, clone, map[string]string{insPath: "id: x\n"}, CommitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Pushed || res.PendingPush || res.Tries != 0 || runGit(t, clone, "rev-parse", "HEAD") != res.Hash {
		t.Fatalf("result = %+v", res)
	}
	if runGit(t, bare, "rev-parse", "main") != remoteBefore {
		t.Fatal("remote changed without Push")
	}
	if got := runGit(t, clone, "status", "--porcelain", "--branch"); got != "## main...origin/main [ahead 1]" {
		t.Fatalf("status = %q", got)
	}
}

func TestCommitWritesUpdatesAndDeletesWorkTreeFiles(t *testing.T) {
	bare := newRemote(t)
	clone := cloneOf(t, bare)
	// The runner did not write this file itself: Commit writes it.
	changes := []Change{
		{Path: "content/inspection/2026/INS-new.yaml", Content: []byte("id: INS-new\n")},
		{Path: "content/asset/2026/portal-web.yaml", Content: []byte("id: portal-web\nkind: asset\nstatus: online\n")},
		{Path: "content/asset/2026/exchange-db.yaml"}, // delete
	}
	res, err := Commit(ctxT(t), clone, changes, CommitOptions{Message: "更新", Push: true})
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(clone, "content/inspection/2026/INS-new.yaml"))
	if err != nil || string(data) != "id: INS-new\n" {
		t.Fatalf("new file in work tree = %q, %v", data, err)
	}
	if data, _ := os.ReadFile(filepath.Join(clone, "content/asset/2026/portal-web.yaml")); !strings.Contains(string(data), "status: online") {
		t.Fatalf("updated file = %q", data)
	}
	if _, err := os.Stat(filepath.Join(clone, "content/asset/2026/exchange-db.yaml")); !os.IsNotExist(err) {
		t.Fatalf("deleted file still in work tree: %v", err)
	}
	if got := runGit(t, bare, "ls-tree", "-r", "--name-only", res.Hash, "content/asset"); got != "content/asset/2026/portal-web.yaml" {
		t.Fatalf("assets on remote = %q", got)
	}
	assertClean(t, clone)
	assertFsck(t, bare)

	// Deleting the last file of a directory removes the directory from the
	// tree and from the work tree.
	res, err = Commit(ctxT(t), clone, []Change{{Path: "content/asset/2026/portal-web.yaml"}}, CommitOptions{Message: "删除"})
	if err != nil {
		t.Fatal(err)
	}
	if got := runGit(t, clone, "ls-tree", "--name-only", res.Hash, "content/"); strings.Contains(got, "asset") {
		t.Fatalf("empty directory kept in tree: %q", got)
	}
	if _, err := os.Stat(filepath.Join(clone, "content/asset")); !os.IsNotExist(err) {
		t.Fatalf("empty directory kept in work tree: %v", err)
	}
	assertClean(t, clone)
	assertFsck(t, clone)
}

func TestCommitWithNoChangeMakesNoCommit(t *testing.T) {
	bare := newRemote(t)
	clone := cloneOf(t, bare)
	head := runGit(t, clone, "rev-parse", "HEAD")
	res, err := Commit(ctxT(t), clone, []Change{{Path: "README.md", Content: []byte("# 运维台账\n")}}, CommitOptions{Push: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Committed || res.Hash != head || !res.Pushed {
		t.Fatalf("result = %+v, head %s", res, head)
	}
}

func TestCommitRejectsBadPaths(t *testing.T) {
	bare := newRemote(t)
	clone := cloneOf(t, bare)
	head := runGit(t, clone, "rev-parse", "HEAD")
	for _, p := range []string{"", "/etc/passwd", "a/../b", "./a", "a//b", ".git/config", "a/.GIT/x", "a\\b", "dir/", ".GIT/x", "a/.git. /b", "GIT~1/x"} {
		if _, err := Commit(ctxT(t), clone, []Change{{Path: p, Content: []byte("x")}}, CommitOptions{}); err == nil {
			t.Errorf("path %q accepted", p)
		}
	}
	// A file where the tree has a directory, and the reverse.
	for _, p := range []string{"content/asset", "README.md/x"} {
		if _, err := Commit(ctxT(t), clone, []Change{{Path: p, Content: []byte("x")}}, CommitOptions{}); err == nil {
			t.Errorf("conflicting path %q accepted", p)
		}
	}
	if _, err := Commit(ctxT(t), clone, []Change{{Path: "a", Content: []byte("1")}, {Path: "a", Content: []byte("2")}}, CommitOptions{}); err == nil {
		t.Error("duplicate path accepted")
	}
	// A linked work tree (git worktree add) keeps its refs elsewhere.
	linked := filepath.Join(t.TempDir(), "linked")
	runGit(t, clone, "worktree", "add", "-q", "-b", "side", linked)
	if _, err := Commit(ctxT(t), linked, []Change{{Path: "a", Content: []byte("1")}}, CommitOptions{}); err == nil || !strings.Contains(err.Error(), "worktree") {
		t.Errorf("linked work tree accepted: %v", err)
	}
	// A directory inside the repository is not the repository.
	if _, err := Commit(ctxT(t), filepath.Join(clone, "content"), []Change{{Path: "a", Content: []byte("1")}}, CommitOptions{}); err == nil || !strings.Contains(err.Error(), "根目录") {
		t.Errorf("subdirectory accepted as the repository: %v", err)
	}
	if got := runGit(t, clone, "rev-parse", "HEAD"); got != head {
		t.Fatalf("a rejected commit moved HEAD to %s", got)
	}
}

func TestCommitOnDetachedHeadNeedsBranch(t *testing.T) {
	bare := newRemote(t)
	clone := cloneOf(t, bare)
	runGit(t, clone, "checkout", "-q", "--detach")
	if _, err := Commit(ctxT(t), clone, []Change{{Path: "x", Content: []byte("x")}}, CommitOptions{}); err == nil || !strings.Contains(err.Error(), "分离") {
		t.Fatalf("err = %v", err)
	}
	// With an explicit branch the commit lands on it; the detached work
	// tree is left alone.
	res, err := Commit(ctxT(t), clone, []Change{{Path: "x", Content: []byte("x")}}, CommitOptions{Branch: "main", Push: true})
	if err != nil {
		t.Fatal(err)
	}
	if runGit(t, bare, "rev-parse", "main") != res.Hash {
		t.Fatal("explicit branch not pushed")
	}
	if _, err := os.Stat(filepath.Join(clone, "x")); !os.IsNotExist(err) {
		t.Fatal("detached work tree was written to")
	}
}

func TestCommitIntoNewRepository(t *testing.T) {
	requireGit(t)
	dir := t.TempDir()
	bare := filepath.Join(dir, "remote.git")
	runGit(t, dir, "init", "-q", "--bare", "-b", "main", bare)
	clone := filepath.Join(dir, "clone")
	runGit(t, dir, "clone", "-q", bare, clone)
	res, err := runnerCommit(t, clone, map[string]string{insPath: "id: first\n"}, CommitOptions{Push: true})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Pushed || runGit(t, bare, "rev-parse", "main") != res.Hash {
		t.Fatalf("result = %+v", res)
	}
	assertClean(t, clone)
	assertFsck(t, bare)
}

func TestPushErrorMessage(t *testing.T) {
	err := error(&PushError{Commit: "0123456789abcdef", Remote: "origin", Branch: "main", Tries: 5, Err: errors.New("boom")})
	if !errors.Is(err, ErrPushPending) {
		t.Fatal("PushError does not wrap ErrPushPending")
	}
	for _, want := range []string{"0123456789", "已保存在本地", "下次", "git push origin main", "boom"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q lacks %q", err, want)
		}
	}
}

func TestCommitPushFileURL(t *testing.T) {
	bare := newRemote(t)
	clone := cloneOf(t, bare)
	runGit(t, clone, "remote", "set-url", "origin", "file://"+bare)
	other := cloneOf(t, bare)
	if _, err := runnerCommit(t, other, map[string]string{"content/inspection/2026/INS-other.yaml": "id: other\n"}, CommitOptions{Push: true}); err != nil {
		t.Fatal(err)
	}
	res, err := runnerCommit(t, clone, map[string]string{insPath: "id: file-url\n"}, CommitOptions{Push: true})
	if err != nil || !res.Pushed || !res.Rebased {
		t.Fatalf("%+v %v", res, err)
	}
	if runGit(t, bare, "rev-parse", "main") != res.Hash {
		t.Fatal("file:// push did not land")
	}
	assertClean(t, clone)
	assertFsck(t, clone)
}

// A daemon commits every run: Commit must not keep files open.
func TestCommitDoesNotLeakDescriptors(t *testing.T) {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd on this system")
	}
	bare := newRemote(t)
	clone := cloneOf(t, bare)
	runGit(t, bare, "gc", "-q") // objects in a pack file, as on a real remote
	runGit(t, clone, "gc", "-q")
	if _, err := runnerCommit(t, clone, map[string]string{"warm.yaml": "x\n"}, CommitOptions{Push: true}); err != nil {
		t.Fatal(err)
	}
	entries, _ = os.ReadDir("/proc/self/fd")
	before := len(entries)
	for i := range 10 {
		p := "content/inspection/2026/INS-fd-" + strconv.Itoa(i) + ".yaml"
		if _, err := runnerCommit(t, clone, map[string]string{p: "id: fd\n"}, CommitOptions{Push: true}); err != nil {
			t.Fatal(err)
		}
	}
	entries, _ = os.ReadDir("/proc/self/fd")
	if after := len(entries); after > before+2 {
		t.Fatalf("open descriptors grew from %d to %d over 10 commits", before, after)
	}
}

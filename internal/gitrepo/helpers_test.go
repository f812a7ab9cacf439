package gitrepo

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// gitEnv makes the git CLI independent of the machine's configuration.
var gitEnv = []string{
	"GIT_AUTHOR_NAME=张伟", "GIT_AUTHOR_EMAIL=zhangwei@example.invalid",
	"GIT_COMMITTER_NAME=张伟", "GIT_COMMITTER_EMAIL=zhangwei@example.invalid",
	"GIT_CONFIG_NOSYSTEM=1", "GIT_TERMINAL_PROMPT=0",
}

func requireGit(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Fatalf("the git CLI is needed to build test repositories: %v", err)
	}
}

// git runs the git CLI in dir and returns its trimmed stdout.
func runGit(t testing.TB, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), gitEnv...)
	out, err := cmd.Output()
	if err != nil {
		msg := ""
		if ee, ok := err.(*exec.ExitError); ok {
			msg = string(ee.Stderr)
		}
		t.Fatalf("git %s (in %s): %v\n%s", strings.Join(args, " "), dir, err, msg)
	}
	return strings.TrimSpace(string(out))
}

func writeFile(t testing.TB, root, rel, content string) {
	t.Helper()
	p := filepath.Join(root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// newRemote makes a bare repository "remote.git" on branch main whose
// history has ordinary commits and a merge commit (a merged pull request),
// and returns its path.
func newRemote(t testing.TB) string {
	t.Helper()
	requireGit(t)
	dir := t.TempDir()
	bare := filepath.Join(dir, "remote.git")
	runGit(t, dir, "init", "-q", "--bare", "-b", "main", bare)
	seed := filepath.Join(dir, "seed")
	runGit(t, dir, "clone", "-q", bare, seed)
	runGit(t, seed, "checkout", "-q", "-b", "main")
	writeFile(t, seed, "README.md", "# 运维台账\n")
	writeFile(t, seed, "content/asset/2026/portal-web.yaml", "id: portal-web\nkind: asset\n")
	runGit(t, seed, "add", "-A")
	runGit(t, seed, "commit", "-q", "-m", "初始化")
	runGit(t, seed, "checkout", "-q", "-b", "change")
	writeFile(t, seed, "content/change/2026/CHG-2026-001.md", "---\nid: CHG-2026-001\n---\n## 实施方案\n")
	runGit(t, seed, "add", "-A")
	runGit(t, seed, "commit", "-q", "-m", "变更方案")
	runGit(t, seed, "checkout", "-q", "main")
	writeFile(t, seed, "content/asset/2026/exchange-db.yaml", "id: exchange-db\nkind: asset\n")
	runGit(t, seed, "add", "-A")
	runGit(t, seed, "commit", "-q", "-m", "登记数据库")
	runGit(t, seed, "merge", "-q", "--no-ff", "-m", "Merge pull request #1 from change", "change")
	runGit(t, seed, "push", "-q", "origin", "main")
	return bare
}

// cloneOf clones the bare remote into a new directory.
func cloneOf(t testing.TB, bare string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "clone")
	runGit(t, filepath.Dir(dir), "clone", "-q", bare, dir)
	return dir
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// runnerCommit writes the files into the work tree, as the runner does,
// and commits them with Commit.
func runnerCommit(t testing.TB, clone string, files map[string]string, o CommitOptions) (CommitResult, error) {
	t.Helper()
	var changes []Change
	for p, c := range files {
		writeFile(t, clone, p, c)
		changes = append(changes, Change{Path: p, Content: []byte(c)})
	}
	if o.Message == "" {
		o.Message = "巡检：platform-daily"
	}
	if o.AuthorName == "" {
		o.AuthorName, o.AuthorEmail = "runner", "runner@opsbook.invalid"
	}
	return Commit(ctxT(t), clone, changes, o)
}

func assertClean(t testing.TB, clone string) {
	t.Helper()
	if st := runGit(t, clone, "status", "--porcelain"); st != "" {
		t.Fatalf("work tree not clean after Commit:\n%s", st)
	}
}

func assertFsck(t testing.TB, dir string) {
	t.Helper()
	if err := Fsck(context.Background(), dir); err != nil {
		t.Fatal(err)
	}
}

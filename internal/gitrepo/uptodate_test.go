package gitrepo

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckUpToDate(t *testing.T) {
	bare := newRemote(t)
	a, b := cloneOf(t, bare), cloneOf(t, bare)
	check := func(dir, when string, behind bool) Freshness {
		t.Helper()
		f, err := CheckUpToDate(ctxT(t), dir, "main", CommitOptions{})
		if err != nil {
			t.Fatalf("%s: %v", when, err)
		}
		if f.Behind != behind || f.Remote == "" || f.Local == "" {
			t.Fatalf("%s: %+v, want behind %v", when, f, behind)
		}
		return f
	}
	check(a, "fresh clone", false)

	// Someone else pushes (a change is cancelled on main): a is behind
	// before it pulls, whether or not it has fetched the objects.
	writeFile(t, b, "content/change/2026/CHG-2026-001.md", "---\nid: CHG-2026-001\nstatus: cancelled\n---\n")
	runGit(t, b, "commit", "-qam", "取消变更")
	runGit(t, b, "push", "-q", "origin", "main")
	f := check(a, "after another clone pushed", true)
	if want := runGit(t, b, "rev-parse", "HEAD"); f.Remote != want {
		t.Errorf("remote tip %s, want %s", f.Remote, want)
	}
	runGit(t, a, "fetch", "-q", "origin")
	check(a, "fetched, not merged", true)
	runGit(t, a, "merge", "-q", "--ff-only", "origin/main")
	check(a, "after pulling", false)

	// Local commits not yet pushed are not "behind".
	writeFile(t, a, "content/asset/2026/new.yaml", "id: new\nkind: asset\n")
	runGit(t, a, "add", "-A")
	runGit(t, a, "commit", "-qm", "本地提交")
	check(a, "ahead of the remote", false)

	if _, err := CheckUpToDate(ctxT(t), t.TempDir(), "main", CommitOptions{}); !errors.Is(err, ErrNotRepository) {
		t.Errorf("outside a repository: %v, want ErrNotRepository", err)
	}
	runGit(t, a, "remote", "remove", "origin")
	if _, err := CheckUpToDate(ctxT(t), a, "main", CommitOptions{}); !errors.Is(err, ErrNoRemote) {
		t.Errorf("without a remote: %v, want ErrNoRemote", err)
	}
	// An unreachable remote is an error, not "up to date".
	runGit(t, a, "remote", "add", "origin", t.TempDir()+"/missing.git")
	if _, err := CheckUpToDate(ctxT(t), a, "main", CommitOptions{}); err == nil {
		t.Errorf("an unreachable remote gave no error")
	}
}

// Errors about a remote never show its credentials: a password, a token
// given as the user of an HTTP address, or an address that does not parse.
func TestRemoteErrorsHideCredentials(t *testing.T) {
	clone := cloneOf(t, newRemote(t))
	for _, url := range []string{
		"https://ghp_tokenCanary123@127.0.0.1:1/ops.git",
		"https://deploy:pwCanary456@127.0.0.1:1/ops.git",
		"https://user:pwCanary789@ho st/ops.git",
	} {
		runGit(t, clone, "remote", "set-url", "origin", url)
		_, err := CheckUpToDate(ctxT(t), clone, "main", CommitOptions{})
		if err == nil {
			t.Errorf("%s: no error", url)
			continue
		}
		for _, secret := range []string{"ghp_tokenCanary123", "pwCanary456", "pwCanary789"} {
			if strings.Contains(err.Error(), secret) {
				t.Errorf("the error shows %s: %v", secret, err)
			}
		}
	}
}

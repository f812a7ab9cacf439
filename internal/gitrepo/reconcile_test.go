package gitrepo

import (
	"encoding/json"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// TestHelperKilledCommit is not a test: killedCommit runs the test binary
// with it to make a Commit that SIGKILLs itself at its Nth branch move.
func TestHelperKilledCommit(t *testing.T) {
	clone := os.Getenv("OPSBOOK_TEST_KILL_CLONE")
	if clone == "" {
		return
	}
	var files map[string]string
	if err := json.Unmarshal([]byte(os.Getenv("OPSBOOK_TEST_KILL_FILES")), &files); err != nil {
		t.Fatal(err)
	}
	at, _ := strconv.Atoi(os.Getenv("OPSBOOK_TEST_KILL_AT"))
	moves := 0
	testHookRefMoved = func() {
		if moves++; moves == at {
			_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
		}
	}
	_, _ = runnerCommit(t, clone, files, CommitOptions{Push: os.Getenv("OPSBOOK_TEST_KILL_PUSH") == "1"})
	t.Fatal("the commit was not killed")
}

// killedCommit commits files in clone from another process that is killed
// with SIGKILL right after its at-th branch move (1: the commit itself, 2:
// moving the local branch to the commit rebased on the remote).
func killedCommit(t *testing.T, clone string, files map[string]string, at int, push bool) {
	t.Helper()
	data, _ := json.Marshal(files)
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperKilledCommit$", "-test.count=1")
	cmd.Env = append(os.Environ(), gitEnv...)
	cmd.Env = append(cmd.Env, "OPSBOOK_TEST_KILL_CLONE="+clone, "OPSBOOK_TEST_KILL_FILES="+string(data),
		"OPSBOOK_TEST_KILL_AT="+strconv.Itoa(at), "OPSBOOK_TEST_KILL_PUSH="+map[bool]string{true: "1"}[push])
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("helper was not killed: %v\n%s", err, out)
	}
}

// A run killed between moving the branch and writing the index leaves the
// index behind the branch: the next Commit repairs it, and `git status` is
// clean again.
func TestIndexBehindMovedBranchIsRepaired(t *testing.T) {
	for _, tc := range []struct {
		name string
		at   int
		push bool
	}{{"killed after the commit", 1, false}, {"killed after moving to the rebased tip", 2, true}} {
		t.Run(tc.name, func(t *testing.T) {
			bare := newRemote(t)
			clone := cloneOf(t, bare)
			if tc.push { // the remote moves, so the push rebases and moves the local branch again
				other := cloneOf(t, bare)
				if _, err := runnerCommit(t, other, map[string]string{"content/inspection/2026/INS-2026-1127-0829-x-other.yaml": "id: other\n"}, CommitOptions{Push: true}); err != nil {
					t.Fatal(err)
				}
			}
			killedCommit(t, clone, map[string]string{insPath: "id: killed\n", anoPath: "---\nid: killed\n---\n"}, tc.at, tc.push)
			if st := runGit(t, clone, "status", "--porcelain"); st == "" {
				t.Fatal("the kill did not leave the index behind the branch: nothing to test")
			} else {
				t.Logf("status after the kill:\n%s", st)
			}
			res, err := runnerCommit(t, clone, map[string]string{"content/inspection/2026/INS-2026-1127-0900-x-next.yaml": "id: next\n"}, CommitOptions{})
			if err != nil || len(res.Warnings) > 0 {
				t.Fatalf("next commit: %+v %v", res, err)
			}
			assertClean(t, clone)
			if got := runGit(t, clone, "show", "HEAD:"+insPath); got != "id: killed" {
				t.Fatalf("the killed run's record is gone from HEAD: %q", got)
			}
			assertFsck(t, clone)
		})
	}
}

// Reconcile repairs only what the killed run left stale: the user's own
// staged and unstaged changes, including a staged version of a path the
// killed commit wrote, stay as they are.
func TestReconcileKeepsUserChanges(t *testing.T) {
	bare := newRemote(t)
	clone := cloneOf(t, bare)
	killedCommit(t, clone, map[string]string{insPath: "id: killed\n", anoPath: "---\nid: killed\n---\n"}, 1, false)
	writeFile(t, clone, "README.md", "# 本地未提交的修改\n")
	writeFile(t, clone, "notes.txt", "用户自己的笔记\n")
	writeFile(t, clone, anoPath, "---\nid: user-version\n---\n")
	runGit(t, clone, "add", "notes.txt", anoPath)
	writeFile(t, clone, "content/asset/2026/exchange-db.yaml", "id: exchange-db\nkind: asset\ntitle: 修改\n")
	runGit(t, clone, "add", "content/asset/2026/exchange-db.yaml")
	if err := Reconcile(ctxT(t), clone); err != nil {
		t.Fatal(err)
	}
	want := strings.TrimSpace(strings.Join([]string{
		" M README.md",
		"M  " + anoPath, // the user's staged version against the killed commit's
		"M  content/asset/2026/exchange-db.yaml",
		"A  notes.txt",
	}, "\n"))
	if got := runGit(t, clone, "status", "--porcelain", "--untracked-files=all"); got != want {
		t.Fatalf("status after Reconcile:\n%s\nwant:\n%s", got, want)
	}
	if data, _ := os.ReadFile(clone + "/" + anoPath); string(data) != "---\nid: user-version\n---\n" {
		t.Fatalf("user's file overwritten: %q", data)
	}
	if _, err := os.Stat(clone + "/.git/" + syncJournal); !os.IsNotExist(err) {
		t.Fatalf("journal left behind: %v", err)
	}
}

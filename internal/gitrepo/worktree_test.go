package gitrepo

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The index is edited in place: git's cached tree must be invalidated along
// the changed paths (else `git write-tree` would reuse stale subtree
// hashes), every other entry must survive byte for byte, and the result must
// describe HEAD exactly.
func TestIndexEditKeepsGitConsistent(t *testing.T) {
	for _, version := range []string{"2", "3", "4"} {
		t.Run("index-v"+version, func(t *testing.T) {
			bare := newRemote(t)
			clone := cloneOf(t, bare)
			runGit(t, clone, "read-tree", "HEAD") // full cached tree
			runGit(t, clone, "update-index", "--index-version", version)
			if version == "3" {
				// An intent-to-add entry forces extended flags (version 3).
				writeFile(t, clone, "notes/todo.md", "todo\n")
				runGit(t, clone, "add", "-N", "notes/todo.md")
			}
			changes := []Change{
				{Path: "content/inspection/2026/INS-a.yaml", Content: []byte("id: a\n")},
				{Path: "content/asset/2026/portal-web.yaml", Content: []byte("id: portal-web\nstatus: online\n")},
				{Path: "content/change/2026/CHG-2026-001.md"},
				{Path: "zz/last.txt", Content: []byte("last\n")},
				{Path: "AAA-first.txt", Content: []byte("first\n")},
			}
			for _, c := range changes {
				if c.Content != nil {
					writeFile(t, clone, c.Path, string(c.Content))
				}
			}
			res, err := Commit(ctxT(t), clone, changes, CommitOptions{Message: "索引"})
			if err != nil || len(res.Warnings) > 0 {
				t.Fatalf("%+v %v", res, err)
			}
			if version == "3" {
				if st := runGit(t, clone, "status", "--porcelain"); st != "A notes/todo.md" && st != " A notes/todo.md" {
					t.Fatalf("status = %q, want only the intent-to-add file", st)
				}
				runGit(t, clone, "rm", "-q", "--cached", "notes/todo.md")
				return
			}
			assertClean(t, clone)
			data, err := os.ReadFile(filepath.Join(clone, ".git", "index"))
			if err != nil {
				t.Fatal(err)
			}
			if got := strconv.Itoa(int(data[7])); got != version {
				t.Fatalf("index version %s after Commit, want %s", got, version)
			}
			if version == "2" && !bytes.Contains(data, []byte("TREE")) {
				t.Fatal("cached tree extension dropped")
			}
			if got, want := runGit(t, clone, "write-tree"), runGit(t, clone, "rev-parse", "HEAD^{tree}"); got != want {
				t.Fatalf("git write-tree = %s, HEAD tree %s: stale cached tree", got, want)
			}
			staged := runGit(t, clone, "ls-files", "--stage")
			tree := runGit(t, clone, "ls-tree", "-r", "HEAD")
			if n, m := strings.Count(staged, "\n"), strings.Count(tree, "\n"); n != m {
				t.Fatalf("index has %d entries, HEAD %d", n+1, m+1)
			}
			if runGit(t, clone, "diff-files", "--name-only") != "" {
				t.Fatal("stat data of new entries does not match the files")
			}
			assertFsck(t, clone)
		})
	}
}

// Many commits in a row keep the index exact (entries sorted, counted).
func TestIndexEditManyCommits(t *testing.T) {
	bare := newRemote(t)
	clone := cloneOf(t, bare)
	for i := range 30 {
		p := "content/inspection/2026/INS-" + strconv.Itoa(i*7919%1000) + ".yaml"
		if _, err := runnerCommit(t, clone, map[string]string{p: "id: " + strconv.Itoa(i) + "\n"}, CommitOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	assertClean(t, clone)
	if got, want := runGit(t, clone, "write-tree"), runGit(t, clone, "rev-parse", "HEAD^{tree}"); got != want {
		t.Fatalf("write-tree %s != HEAD tree %s", got, want)
	}
	assertFsck(t, clone)
}

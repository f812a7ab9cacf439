package gitrepo

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"sync"
	"testing"
)

// Five processes' worth of CommitDerived at once, each adding its line to
// one shared file: every push that loses the race derives its change again
// on the winner's commit, so all five lines survive (a plain Commit would
// replay its own version of the file and drop the others').
func TestCommitDerivedMergesConcurrentEdits(t *testing.T) {
	bare := newRemote(t)
	const n, shared = 5, "content/anomaly/2026/ANO-2026-1127-0830-shared.md"
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
		go func() {
			defer wg.Done()
			mine := fmt.Sprintf("content/inspection/2026/INS-2026-1127-0830-x-r%d.yaml", i)
			derive := func(_ context.Context, base *Tree) ([]Change, string, error) {
				old, err := base.ReadFile(shared)
				if err != nil && !errors.Is(err, fs.ErrNotExist) {
					return nil, "", err
				}
				line := fmt.Sprintf("- INS-r%d\n", i)
				return []Change{{Path: shared, Content: append(old, line...)}, {Path: mine, Content: []byte("id: r\n")}}, "巡检 r" + fmt.Sprint(i), nil
			}
			<-start
			results[i], errs[i] = CommitDerived(ctxT(t), clones[i], derive, CommitOptions{AuthorName: "runner", AuthorEmail: "runner@opsbook.invalid", Push: true})
		}()
	}
	close(start)
	wg.Wait()
	for i := range n {
		if errs[i] != nil || !results[i].Pushed || results[i].Derived < 1 {
			t.Fatalf("runner %d: %+v %v", i, results[i], errs[i])
		}
		if results[i].Derived != 1 && !results[i].Rebased {
			t.Errorf("runner %d derived %d times without rebasing", i, results[i].Derived)
		}
	}
	got := strings.Split(runGit(t, bare, "show", "main:"+shared), "\n")
	slices.Sort(got)
	want := []string{"- INS-r0", "- INS-r1", "- INS-r2", "- INS-r3", "- INS-r4"}
	if !slices.Equal(got, want) {
		t.Fatalf("shared file on the remote:\n%s\nwant every runner's line", strings.Join(got, "\n"))
	}
	if files := runGit(t, bare, "ls-tree", "--name-only", "main", "content/inspection/2026/"); strings.Count(files, "\n")+1 != n {
		t.Fatalf("inspection files on the remote:\n%s", files)
	}
	for i, c := range clones {
		if runGit(t, c, "rev-parse", "HEAD") != results[i].Hash {
			t.Errorf("clone %d is not on the commit it pushed", i)
		}
		assertClean(t, c)
	}
	assertFsck(t, bare)
}

// Tree reads a commit's files and directories.
func TestTreeReads(t *testing.T) {
	bare := newRemote(t)
	clone := cloneOf(t, bare)
	var names []string
	var readme []byte
	var missing error
	_, err := CommitDerived(ctxT(t), clone, func(_ context.Context, base *Tree) ([]Change, string, error) {
		var err error
		if names, err = base.ReadDir("content/asset/2026"); err != nil {
			return nil, "", err
		}
		if readme, err = base.ReadFile("README.md"); err != nil {
			return nil, "", err
		}
		_, missing = base.ReadFile("content/asset")
		return []Change{{Path: "x.txt", Content: []byte("x\n")}}, "", nil
	}, CommitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(names, ",") != "exchange-db.yaml,portal-web.yaml" || string(readme) != "# 运维台账\n" || !errors.Is(missing, fs.ErrNotExist) {
		t.Fatalf("names %v, README %q, directory as file: %v", names, readme, missing)
	}
	if got := runGit(t, clone, "log", "-1", "--format=%s"); got != "opsbook: 更新记录" {
		t.Fatalf("message %q", got)
	}
	assertClean(t, clone)
}

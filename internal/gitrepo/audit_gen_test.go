package gitrepo

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// auditGen writes a fast-import stream and keeps the audit trail the history
// must have; commit fields hold marks (":N") until the import is done.
type auditGen struct {
	w      *bufio.Writer
	rng    *rand.Rand
	mark   int
	now    time.Time
	rev    int
	fresh  int
	when   map[int]time.Time
	want   map[string]*Audit
	onMain []string // paths on main, for random picks
	index  map[string]int
}

// auditOp is one file of a commit: a delete, or the blob mark it now has
// (0 = a new version is written).
type auditOp struct {
	path string
	del  bool
	blob int
}

func (g *auditGen) sig(kind, who string) {
	fmt.Fprintf(g.w, "%s %s <%s> %d +0800\n", kind, who, auditEmails[who], g.now.Unix())
}

func (g *auditGen) data(s string) { fmt.Fprintf(g.w, "data %d\n%s\n", len(s), s) }

// commit writes a commit on top of from (0 = root) merging merge (0 =
// none); new blobs are written first and their marks stored in ops.
func (g *auditGen) commit(author, committer, msg string, from, merge int, ops []auditOp) int {
	for i := range ops {
		if !ops[i].del && ops[i].blob == 0 {
			g.mark++
			g.rev++
			fmt.Fprintf(g.w, "blob\nmark :%d\n", g.mark)
			g.data(fmt.Sprintf("id: %s\nrev: %d\n", ops[i].path, g.rev))
			ops[i].blob = g.mark
		}
	}
	g.mark++
	g.now = g.now.Add(10 * time.Minute)
	g.when[g.mark] = g.now
	fmt.Fprintf(g.w, "commit refs/heads/main\nmark :%d\n", g.mark)
	g.sig("author", author)
	g.sig("committer", committer)
	g.data(msg)
	if from > 0 {
		fmt.Fprintf(g.w, "from :%d\n", from)
	}
	if merge > 0 {
		fmt.Fprintf(g.w, "merge :%d\n", merge)
	}
	for _, o := range ops {
		if o.del {
			fmt.Fprintf(g.w, "D %s\n", o.path)
		} else {
			fmt.Fprintf(g.w, "M 100644 :%d %s\n", o.blob, o.path)
		}
	}
	return g.mark
}

func (g *auditGen) onMainAdd(p string) { g.index[p] = len(g.onMain); g.onMain = append(g.onMain, p) }

func (g *auditGen) onMainDel(p string) {
	i, last := g.index[p], g.onMain[len(g.onMain)-1]
	g.onMain[i], g.index[last] = last, i
	g.onMain = g.onMain[:len(g.onMain)-1]
	delete(g.index, p)
}

func (g *auditGen) pick() string { return g.onMain[g.rng.IntN(len(g.onMain))] }

func (g *auditGen) newPath() string {
	g.fresh++
	return fmt.Sprintf("content/new/%02d/n%05d.yaml", g.fresh%50, g.fresh)
}

// direct books a main-line commit without a merge.
func (g *auditGen) direct(c int, author, reason string, ops []auditOp) {
	for _, o := range ops {
		if o.del {
			delete(g.want, o.path)
			g.onMainDel(o.path)
			continue
		}
		a := g.want[o.path]
		if a == nil {
			a = &Audit{CreatedAt: g.when[c], CreatedBy: author, CreatedCommit: fmt.Sprintf(":%d", c)}
			g.want[o.path] = a
			g.onMainAdd(o.path)
		}
		a.UpdatedAt, a.UpdatedBy, a.UpdatedCommit = g.when[c], author, fmt.Sprintf(":%d", c)
		a.Independent, a.Reason, a.current = false, reason, 0
		if len(a.Approvals) > 0 {
			a.Reason = reasonLatest + reason
		}
	}
}

// auditPRTouch is a branch commit that changed a file.
type auditPRTouch struct {
	mark           int
	author         string
	added, deleted bool
	blob           int
}

// pullRequest writes nb branch commits forked from tip, nd direct commits
// on main meanwhile (on other files), and the merge; it returns the merge.
func (g *auditGen) pullRequest(n, tip, nb, nd int) int {
	engineers := []string{"张伟", "李娜", "陈静", "杨磊"}
	authors := []string{engineers[g.rng.IntN(4)], engineers[g.rng.IntN(4)]}
	touched := map[string][]auditPRTouch{}
	var order []string
	head := tip
	for range nb {
		author := authors[g.rng.IntN(2)]
		var ops []auditOp
		inCommit := map[string]bool{}
		for range 1 + g.rng.IntN(3) {
			r := g.rng.IntN(20)
			if r == 0 {
				ops = append(ops, auditOp{path: g.newPath()})
				continue
			}
			p := g.pick()
			if inCommit[p] || len(touched[p]) > 0 && touched[p][len(touched[p])-1].deleted {
				continue
			}
			inCommit[p] = true
			ops = append(ops, auditOp{path: p, del: r == 1})
		}
		if len(ops) == 0 {
			ops = []auditOp{{path: g.newPath()}}
		}
		head = g.commit(author, author, fmt.Sprintf("PR %d：修改记录", n), head, 0, ops)
		for _, o := range ops {
			_, exists := g.index[o.path]
			if touched[o.path] == nil {
				order = append(order, o.path)
			}
			touched[o.path] = append(touched[o.path], auditPRTouch{mark: head, author: author, added: !o.del && !exists, deleted: o.del, blob: o.blob})
		}
	}
	for range nd {
		author := engineers[g.rng.IntN(4)]
		committer, reason := author, reasonDirect
		if g.rng.IntN(20) == 0 {
			committer, reason = "GitHub", reasonPlatform
		}
		var ops []auditOp
		inCommit := map[string]bool{}
		for range 1 + g.rng.IntN(3) {
			r := g.rng.IntN(20)
			if r == 0 {
				ops = append(ops, auditOp{path: g.newPath()})
				continue
			}
			p := g.pick()
			if touched[p] != nil || inCommit[p] {
				continue
			}
			inCommit[p] = true
			ops = append(ops, auditOp{path: p, del: r == 1})
		}
		if len(ops) == 0 {
			ops = []auditOp{{path: g.newPath()}}
		}
		tip = g.commit(author, committer, "直接提交", tip, 0, ops)
		g.direct(tip, author, reason, ops)
	}
	// The merge: main's tree plus the branch's final versions.
	merger := []string{"王芳", "刘洋"}[g.rng.IntN(2)]
	if g.rng.IntN(10) == 0 {
		merger = authors[g.rng.IntN(2)]
	}
	committer := merger
	if g.rng.IntN(5) == 0 {
		committer = "GitHub"
	}
	var ops []auditOp
	for _, p := range order {
		last := touched[p][len(touched[p])-1]
		_, exists := g.index[p]
		switch {
		case last.deleted && exists:
			ops = append(ops, auditOp{path: p, del: true})
		case !last.deleted:
			ops = append(ops, auditOp{path: p, blob: last.blob})
		}
	}
	msg := fmt.Sprintf("Merge pull request #%d from pr%d\n\nPR %d", n, n, n)
	m := g.commit(merger, committer, msg, tip, head, ops)
	for _, o := range ops {
		if o.del {
			delete(g.want, o.path)
			g.onMainDel(o.path)
			continue
		}
		ts := touched[o.path]
		var names []string
		self := false
		for _, t := range ts {
			if !slices.Contains(names, t.author) {
				names = append(names, t.author)
			}
			self = self || t.author == merger
		}
		a := g.want[o.path]
		if a == nil {
			first := ts[0]
			for _, t := range ts {
				if t.added {
					first = t
					break
				}
			}
			a = &Audit{CreatedAt: g.when[first.mark], CreatedBy: first.author, CreatedCommit: fmt.Sprintf(":%d", first.mark)}
			g.want[o.path] = a
			g.onMainAdd(o.path)
		}
		last := ts[len(ts)-1]
		a.UpdatedAt, a.UpdatedBy, a.UpdatedCommit = g.when[last.mark], last.author, fmt.Sprintf(":%d", last.mark)
		a.Approvals = append(a.Approvals, Approval{By: merger, At: g.when[m], Commit: fmt.Sprintf(":%d", m), Message: msg, Authors: names})
		a.current = len(a.Approvals)
		a.Independent, a.Reason = !self, ""
		if self {
			a.Reason = fmt.Sprintf(reasonSelf, merger)
		}
	}
	return m
}

// auditGenHistory writes a history with git fast-import into a new repository
// in dir and returns the audit trail it must have: a root commit with
// `files` files, then `merges` pull requests, each with a few commits by
// one or two authors while main moves on with direct commits on other
// files, merged by a reviewer (10% by one of its authors, 20% through the
// GitHub web UI); 5% of direct commits are platform squash merges. Commits
// add, modify and delete files.
func auditGenHistory(tb testing.TB, dir string, commits, merges, files int) map[string]*Audit {
	tb.Helper()
	runGit(tb, dir, "init", "-q", "-b", "main")
	var buf strings.Builder
	g := &auditGen{
		w: bufio.NewWriter(&buf), rng: rand.New(rand.NewPCG(4, 2026)),
		now: time.Date(2025, 1, 6, 8, 0, 0, 0, auditZone), when: map[int]time.Time{},
		want: map[string]*Audit{}, index: map[string]int{},
	}
	var ops []auditOp
	for i := range files {
		ops = append(ops, auditOp{path: fmt.Sprintf("content/d%02d/r%05d.yaml", i%100, i)})
	}
	tip := g.commit("张伟", "张伟", "初始化", 0, 0, append(ops, auditOp{path: "README.md"}))
	g.direct(tip, "张伟", reasonDirect, ops)
	nonMerge := commits - 1 - merges
	branchTotal := nonMerge * 3 / 4
	directTotal := nonMerge - branchTotal
	for pr := range merges {
		nb, nd := branchTotal/merges, directTotal/merges
		if pr < branchTotal%merges {
			nb++
		}
		if pr < directTotal%merges {
			nd++
		}
		tip = g.pullRequest(pr+1, tip, nb, nd)
	}
	if err := g.w.Flush(); err != nil {
		tb.Fatal(err)
	}
	marks := filepath.Join(dir, ".git", "audit-marks")
	cmd := exec.Command("git", "fast-import", "--quiet", "--export-marks="+marks)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), gitEnv...)
	cmd.Stdin = strings.NewReader(buf.String())
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("git fast-import: %v\n%s", err, out)
	}
	if got := runGit(tb, dir, "rev-parse", "main"); got != auditReadMarks(tb, marks)[fmt.Sprintf(":%d", tip)] {
		tb.Fatalf("main is %s, not the last merge", got)
	}
	hashes := auditReadMarks(tb, marks)
	for _, a := range g.want {
		a.CreatedCommit = hashes[a.CreatedCommit]
		a.UpdatedCommit = hashes[a.UpdatedCommit]
		for i := range a.Approvals {
			a.Approvals[i].Commit = hashes[a.Approvals[i].Commit]
		}
	}
	if n := len(strings.Fields(runGit(tb, dir, "rev-list", "--all"))); n != commits {
		tb.Fatalf("generated %d commits, want %d", n, commits)
	}
	return g.want
}

func auditReadMarks(tb testing.TB, path string) map[string]string {
	tb.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	out := map[string]string{}
	for _, line := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(line, " "); ok {
			out[k] = v
		}
	}
	return out
}

package gitrepo

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing/object"
)

// emails of the people in the test histories.
var auditEmails = map[string]string{
	"张伟": "zhangwei@example.invalid", "李娜": "lina@example.invalid",
	"王芳": "wangfang@example.invalid", "刘洋": "liuyang@example.invalid",
	"陈静": "chenjing@example.invalid", "杨磊": "yanglei@example.invalid",
	"GitHub": "noreply@github.com",
}

var auditZone = time.FixedZone("CST", 8*3600)

// auditRepo builds a repository with the git CLI, one minute per commit.
type auditRepo struct {
	t     *testing.T
	dir   string
	clock time.Time
}

// auditRef is a commit made by auditRepo.
type auditRef struct {
	hash string
	at   time.Time
}

func newAuditRepo(t *testing.T) *auditRepo {
	t.Helper()
	requireGit(t)
	h := &auditRepo{t: t, dir: t.TempDir(), clock: time.Date(2026, 3, 2, 9, 0, 0, 0, auditZone)}
	runGit(t, h.dir, "init", "-q", "-b", "main")
	return h
}

func (h *auditRepo) git(args ...string) string { h.t.Helper(); return runGit(h.t, h.dir, args...) }

// as runs git with the given author and committer at the next minute; it
// returns the output and whether git succeeded.
func (h *auditRepo) as(author, committer string, args ...string) (string, bool) {
	h.t.Helper()
	h.clock = h.clock.Add(time.Minute)
	date := h.clock.Format(time.RFC3339)
	cmd := exec.Command("git", args...)
	cmd.Dir = h.dir
	cmd.Env = append(append(os.Environ(), gitEnv...),
		"GIT_AUTHOR_NAME="+author, "GIT_AUTHOR_EMAIL="+auditEmails[author], "GIT_AUTHOR_DATE="+date,
		"GIT_COMMITTER_NAME="+committer, "GIT_COMMITTER_EMAIL="+auditEmails[committer], "GIT_COMMITTER_DATE="+date)
	out, err := cmd.CombinedOutput()
	return string(out), err == nil
}

func (h *auditRepo) must(author, committer string, args ...string) auditRef {
	h.t.Helper()
	if out, ok := h.as(author, committer, args...); !ok {
		h.t.Fatalf("git %s: %s", strings.Join(args, " "), out)
	}
	return auditRef{hash: h.git("rev-parse", "HEAD"), at: h.clock}
}

// write writes files into the work tree and stages them; "" deletes.
func (h *auditRepo) write(files map[string]string) {
	h.t.Helper()
	for p, c := range files {
		if c == "" {
			h.git("rm", "-q", p)
			continue
		}
		writeFile(h.t, h.dir, p, c)
		h.git("add", p)
	}
}

func (h *auditRepo) commit(author, msg string, files map[string]string) auditRef {
	h.t.Helper()
	h.write(files)
	return h.must(author, author, "commit", "-q", "-m", msg)
}

func (h *auditRepo) merge(author, committer, msg string, branches ...string) auditRef {
	h.t.Helper()
	return h.must(author, committer, append([]string{"merge", "-q", "--no-ff", "-m", msg}, branches...)...)
}

func (h *auditRepo) checkout(args ...string) {
	h.t.Helper()
	h.git(append([]string{"checkout", "-q"}, args...)...)
}

// wantAudit builds an expected Audit from created/updated commits.
func wantAudit(created auditRef, createdBy string, updated auditRef, updatedBy string, reason string, approvals ...Approval) *Audit {
	current := len(approvals)
	if strings.HasPrefix(reason, reasonLatest) {
		current = 0
	}
	return &Audit{current: current,
		CreatedAt: created.at, CreatedBy: createdBy, CreatedCommit: created.hash,
		UpdatedAt: updated.at, UpdatedBy: updatedBy, UpdatedCommit: updated.hash,
		Approvals: approvals, Independent: reason == "", Reason: reason,
	}
}

func wantApproval(by string, m auditRef, msg string, authors ...string) Approval {
	return Approval{By: by, At: m.at, Commit: m.hash, Message: msg, Authors: authors}
}

// compareAudits reports every field that differs.
func compareAudits(t testing.TB, got, want map[string]*Audit) {
	t.Helper()
	var paths []string
	for p := range want {
		paths = append(paths, p)
	}
	for p := range got {
		if want[p] == nil {
			t.Errorf("%s: unexpected wantAudit %+v", p, *got[p])
		}
	}
	sort.Strings(paths)
	bad := 0
	for _, p := range paths {
		g, w := got[p], want[p]
		if g == nil {
			t.Errorf("%s: missing", p)
			continue
		}
		var diffs []string
		check := func(field string, ok bool, gv, wv any) {
			if !ok {
				diffs = append(diffs, fmt.Sprintf("%s = %v, want %v", field, gv, wv))
			}
		}
		check("CreatedAt", g.CreatedAt.Equal(w.CreatedAt), g.CreatedAt, w.CreatedAt)
		check("CreatedBy", g.CreatedBy == w.CreatedBy, g.CreatedBy, w.CreatedBy)
		check("CreatedCommit", g.CreatedCommit == w.CreatedCommit, g.CreatedCommit, w.CreatedCommit)
		check("UpdatedAt", g.UpdatedAt.Equal(w.UpdatedAt), g.UpdatedAt, w.UpdatedAt)
		check("UpdatedBy", g.UpdatedBy == w.UpdatedBy, g.UpdatedBy, w.UpdatedBy)
		check("UpdatedCommit", g.UpdatedCommit == w.UpdatedCommit, g.UpdatedCommit, w.UpdatedCommit)
		check("Independent", g.Independent == w.Independent, g.Independent, w.Independent)
		check("Reason", g.Reason == w.Reason, g.Reason, w.Reason)
		check("len(Approvals)", len(g.Approvals) == len(w.Approvals), len(g.Approvals), len(w.Approvals))
		for i := range min(len(g.Approvals), len(w.Approvals)) {
			ga, wa := g.Approvals[i], w.Approvals[i]
			f := fmt.Sprintf("Approvals[%d].", i)
			check(f+"By", ga.By == wa.By, ga.By, wa.By)
			check(f+"At", ga.At.Equal(wa.At), ga.At, wa.At)
			check(f+"Commit", ga.Commit == wa.Commit, ga.Commit, wa.Commit)
			check(f+"Message", ga.Message == wa.Message, ga.Message, wa.Message)
			check(f+"Authors", strings.Join(ga.Authors, ",") == strings.Join(wa.Authors, ","), ga.Authors, wa.Authors)
		}
		// The current version's approval is the last one, or none when the
		// latest change was committed directly.
		cur := g.CurrentApproval()
		check("CurrentApproval != nil", (cur != nil) == (w.current > 0), cur != nil, w.current > 0)
		if cur != nil && cur.Commit != g.Approvals[len(g.Approvals)-1].Commit {
			diffs = append(diffs, "CurrentApproval is not the last approval")
		}
		if len(diffs) > 0 {
			if bad++; bad <= 20 {
				t.Errorf("%s:\n\t%s", p, strings.Join(diffs, "\n\t"))
			}
		}
	}
	if bad > 20 {
		t.Errorf("… and %d more paths differ", bad-20)
	}
}

func TestAuditTrail(t *testing.T) {
	h := newAuditRepo(t)
	const (
		portal = "content/asset/portal.yaml"
		db     = "content/asset/db.yaml"
		oldKB  = "content/kb/old.md"
		newKB  = "content/kb/new.md"
		chg1   = "content/change/CHG-001.md"
		chg2   = "content/change/CHG-002.md"
		chg3   = "content/change/CHG-003.md"
		ano    = "content/anomaly/ANO-001.md"
		ff     = "content/kb/ff.md"
		roster = "content/duty/roster.yaml"
		guide  = "content/kb/guide.md"
		ticket = "content/ticket/T-001.yaml"
		tr1    = "content/training/TR-1.md"
		tr2    = "content/training/TR-2.md"
		faq    = "content/kb/faq.md"
		list   = "content/asset.yaml" // sorts before the directory content/asset/
		draft  = "content/kb/draft.md"
	)
	// The initial import is committed directly.
	c1 := h.commit("张伟", "初始化", map[string]string{
		"README.md": "# 运维台账\n",
		portal:      "id: portal\nstatus: 在用\n",
		db:          "id: db\nversion: 1\n",
		oldKB:       "# 表空间巡检\n",
		faq:         "# 常见问题\n",
	})
	// PR 1: two authors, a reviewer merges after main moved on.
	h.checkout("-b", "pr1")
	a1 := h.commit("张伟", "变更方案 CHG-001", map[string]string{chg1: "## 实施方案\n"})
	a2 := h.commit("李娜", "补充回退方案", map[string]string{chg1: "## 实施方案\n## 回退方案\n"})
	h.checkout("main")
	d1 := h.commit("张伟", "登记异常 ANO-001", map[string]string{ano: "# 异常\n"})
	msg1 := "Merge pull request #1 from pr1\n\n变更方案 CHG-001"
	m1 := h.merge("王芳", "王芳", msg1, "pr1")
	_ = d1
	// PR 2: merged by its own author.
	h.checkout("-b", "pr2")
	b1 := h.commit("李娜", "变更方案 CHG-002", map[string]string{chg2: "## 实施方案\n"})
	h.checkout("main")
	m2 := h.merge("李娜", "李娜", "Merge pull request #2 from pr2", "pr2")
	// A fast-forward merge leaves no merge commit.
	h.checkout("-b", "ff")
	f1 := h.commit("李娜", "知识库：快进合并", map[string]string{ff: "# 快进\n"})
	h.checkout("main")
	if got := h.must("王芳", "王芳", "merge", "-q", "--ff-only", "ff"); got.hash != f1.hash {
		t.Fatalf("fast-forward made a commit: %s", got.hash)
	}
	// PR 3: CHG-001 changed again, a second approval.
	h.checkout("-b", "pr3")
	p3 := h.commit("张伟", "CHG-001 调整窗口", map[string]string{chg1: "## 实施方案\n## 回退方案\n窗口：周六 22:00\n"})
	h.checkout("main")
	m3 := h.merge("刘洋", "刘洋", "Merge pull request #3 from pr3", "pr3")
	// PR 4: the merge commit is authored by 刘洋 but committed by 王芳 (the
	// merger); then 李娜 edits the plan directly on main.
	h.checkout("-b", "pr4")
	p4 := h.commit("张伟", "变更方案 CHG-003", map[string]string{chg3: "## 实施方案\n"})
	h.checkout("main")
	m4 := h.merge("刘洋", "王芳", "Merge pull request #4 from pr4", "pr4")
	d2 := h.commit("李娜", "直接修改 CHG-003", map[string]string{chg3: "## 实施方案\n（已改）\n"})
	// PR 5: a conflict the merger resolves in the merge commit.
	h.checkout("-b", "pr5")
	p5 := h.commit("李娜", "门户维护", map[string]string{portal: "id: portal\nstatus: 维护中\n"})
	h.checkout("main")
	h.commit("张伟", "门户下线", map[string]string{portal: "id: portal\nstatus: 下线\n"})
	if _, ok := h.as("王芳", "王芳", "merge", "-q", "--no-ff", "pr5"); ok {
		t.Fatal("expected a conflict merging pr5")
	}
	h.write(map[string]string{portal: "id: portal\nstatus: 维护后下线\n"})
	m5 := h.must("王芳", "王芳", "commit", "-q", "-m", "Merge pull request #5 from pr5")
	// PR 6: the branch author resolves a conflict by merging main into her
	// branch; later the reviewer updates the branch with main (GitHub's
	// "Update branch" button, a clean merge authored by whoever presses
	// it) — bringing main's roster change in is not writing it — and the
	// author edits the roster on the branch. The reviewer's merge is clean.
	h.checkout("-b", "pr6")
	h.commit("李娜", "数据库升级", map[string]string{db: "id: db\nversion: 2-pr\n"})
	h.checkout("main")
	d4 := h.commit("张伟", "数据库版本与值班表", map[string]string{db: "id: db\nversion: 2-main\n", roster: "- 张伟\n"})
	h.checkout("pr6")
	if _, ok := h.as("李娜", "李娜", "merge", "-q", "main"); ok {
		t.Fatal("expected a conflict merging main into pr6")
	}
	h.write(map[string]string{db: "id: db\nversion: 3\n"})
	r6 := h.must("李娜", "李娜", "commit", "-q", "-m", "合并主分支并解决冲突")
	h.checkout("main")
	h.commit("张伟", "值班表加人", map[string]string{roster: "- 张伟\n- 李娜\n"})
	h.checkout("pr6")
	h.must("王芳", "王芳", "merge", "-q", "-m", "Merge branch 'main' into pr6", "main")
	p6 := h.commit("李娜", "值班表调整", map[string]string{roster: "- 李娜\n- 张伟\n"})
	h.checkout("main")
	m6 := h.merge("王芳", "王芳", "Merge pull request #6 from pr6", "pr6")
	// PR 7: a rename.
	h.checkout("-b", "pr7")
	h.git("mv", oldKB, newKB)
	p7 := h.must("张伟", "张伟", "commit", "-q", "-m", "知识库重命名")
	h.checkout("main")
	m7 := h.merge("王芳", "王芳", "Merge pull request #7 from pr7", "pr7")
	// A deletion on main.
	h.commit("张伟", "关闭异常 ANO-001", map[string]string{ano: ""})
	// PR 8: GitHub web merge (committer GitHub, author = who pressed merge)
	// of a change to the self-merged plan CHG-002.
	h.checkout("-b", "pr8")
	p8 := h.commit("张伟", "CHG-002 补充应急预案", map[string]string{chg2: "## 实施方案\n## 应急预案\n"})
	h.checkout("main")
	m8 := h.merge("刘洋", "GitHub", "Merge pull request #8 from pr8", "pr8")
	// PR 9: GitHub web merge by the PR's own author.
	h.checkout("-b", "pr9")
	p9 := h.commit("刘洋", "知识库指南", map[string]string{guide: "# 指南\n"})
	h.checkout("main")
	m9 := h.merge("刘洋", "GitHub", "Merge pull request #9 from pr9", "pr9")
	// A platform squash merge: one commit by 李娜, committed by GitHub.
	h.write(map[string]string{ticket: "id: T-001\n"})
	s1 := h.must("李娜", "GitHub", "commit", "-q", "-m", "工单 T-001 (#10)")
	// An octopus merge of two branches.
	h.checkout("-b", "pr11")
	o1 := h.commit("张伟", "培训 TR-1", map[string]string{tr1: "# 培训一\n"})
	h.checkout("main")
	h.checkout("-b", "pr12")
	o2 := h.commit("李娜", "培训 TR-2", map[string]string{tr2: "# 培训二\n"})
	h.checkout("main")
	mo := h.merge("王芳", "王芳", "Merge branches pr11 and pr12", "pr11", "pr12")
	// PR 13 edits the FAQ that main deletes meanwhile; the merger keeps
	// the branch's version: a new lifetime, written by the branch.
	h.checkout("-b", "pr13")
	q1 := h.commit("李娜", "FAQ 补充", map[string]string{faq: "# 常见问题\n问：如何申请？\n"})
	h.checkout("main")
	h.commit("张伟", "删除 FAQ", map[string]string{faq: ""})
	if _, ok := h.as("王芳", "王芳", "merge", "-q", "--no-ff", "pr13"); ok {
		t.Fatal("expected a modify/delete conflict merging pr13")
	}
	h.git("add", faq)
	m13 := h.must("王芳", "王芳", "commit", "-q", "-m", "Merge pull request #13 from pr13")
	// A file named like a directory plus a suffix: git sorts content/asset.yaml
	// before content/asset/, and the diff must agree.
	l1 := h.commit("张伟", "资产清单", map[string]string{list: "- portal\n- db\n"})
	// PR 14 adds a draft, deletes it and adds it again: the file on main
	// was created by the last add.
	h.checkout("-b", "pr14")
	h.commit("张伟", "草稿", map[string]string{draft: "# 草稿\n"})
	h.commit("张伟", "删除草稿", map[string]string{draft: ""})
	t3 := h.commit("李娜", "重写草稿", map[string]string{draft: "# 定稿\n"})
	h.checkout("main")
	m14 := h.merge("刘洋", "刘洋", "Merge pull request #14 from pr14", "pr14")

	want := map[string]*Audit{
		portal: wantAudit(c1, "张伟", m5, "王芳", fmt.Sprintf(reasonWrote, "王芳"),
			wantApproval("王芳", m5, "Merge pull request #5 from pr5", "李娜", "王芳")),
		db: wantAudit(c1, "张伟", r6, "李娜", "",
			wantApproval("王芳", m6, "Merge pull request #6 from pr6", "李娜")),
		newKB: wantAudit(p7, "张伟", p7, "张伟", "",
			wantApproval("王芳", m7, "Merge pull request #7 from pr7", "张伟")),
		chg1: wantAudit(a1, "张伟", p3, "张伟", "",
			wantApproval("王芳", m1, msg1, "张伟", "李娜"),
			wantApproval("刘洋", m3, "Merge pull request #3 from pr3", "张伟")),
		chg2: wantAudit(b1, "李娜", p8, "张伟", "",
			wantApproval("李娜", m2, "Merge pull request #2 from pr2", "李娜"),
			wantApproval("刘洋", m8, "Merge pull request #8 from pr8", "张伟")),
		chg3: wantAudit(p4, "张伟", d2, "李娜", "最新修改直接提交到主分支，未经合并请求",
			wantApproval("王芳", m4, "Merge pull request #4 from pr4", "张伟")),
		ff: wantAudit(f1, "李娜", f1, "李娜", "直接提交到主分支，未经合并请求"),
		roster: wantAudit(d4, "张伟", p6, "李娜", "",
			wantApproval("王芳", m6, "Merge pull request #6 from pr6", "李娜")),
		guide: wantAudit(p9, "刘洋", p9, "刘洋", "合并者刘洋也是该变更的作者",
			wantApproval("刘洋", m9, "Merge pull request #9 from pr9", "刘洋")),
		ticket: wantAudit(s1, "李娜", s1, "李娜", reasonPlatform),
		tr1: wantAudit(o1, "张伟", o1, "张伟", "",
			wantApproval("王芳", mo, "Merge branches pr11 and pr12", "张伟")),
		tr2: wantAudit(o2, "李娜", o2, "李娜", "",
			wantApproval("王芳", mo, "Merge branches pr11 and pr12", "李娜")),
		faq: wantAudit(q1, "李娜", q1, "李娜", "",
			wantApproval("王芳", m13, "Merge pull request #13 from pr13", "李娜")),
		draft: wantAudit(t3, "李娜", t3, "李娜", "",
			wantApproval("刘洋", m14, "Merge pull request #14 from pr14", "张伟", "李娜")),
		list: wantAudit(l1, "张伟", l1, "张伟", "直接提交到主分支，未经合并请求"),
	}
	_ = p5
	got, err := AuditTrail(ctxT(t), h.dir, "main", "content/")
	if err != nil {
		t.Fatal(err)
	}
	compareAudits(t, got, want)

	// HEAD is main: the same answer.
	head, err := AuditTrail(ctxT(t), h.dir, "", "content/")
	if err != nil {
		t.Fatal(err)
	}
	compareAudits(t, head, want)

	// From a subdirectory of the work tree, too.
	sub, err := AuditTrail(ctxT(t), filepath.Join(h.dir, "content", "kb"), "main", "content/")
	if err != nil || len(sub) != len(want) {
		t.Fatalf("from a subdirectory: %d audits, %v", len(sub), err)
	}

	// A prefix that is not a directory boundary, and the whole repository.
	kb, err := AuditTrail(ctxT(t), h.dir, "main", "content/kb/g")
	if err != nil {
		t.Fatal(err)
	}
	compareAudits(t, kb, map[string]*Audit{guide: want[guide]})
	all, err := AuditTrail(ctxT(t), h.dir, "main", "")
	if err != nil {
		t.Fatal(err)
	}
	if a := all["README.md"]; a == nil || a.CreatedCommit != c1.hash || a.Independent {
		t.Fatalf("README.md with prefix \"\": %+v", a)
	}
	if len(all) != len(want)+1 {
		t.Fatalf("prefix \"\": %d audits, want %d", len(all), len(want)+1)
	}

	// On the branch pr1, its own commits are the first-parent line: they
	// were committed directly to that branch.
	pr1, err := AuditTrail(ctxT(t), h.dir, "pr1", "content/change/")
	if err != nil {
		t.Fatal(err)
	}
	compareAudits(t, pr1, map[string]*Audit{chg1: wantAudit(a1, "张伟", a2, "李娜", "直接提交到主分支，未经合并请求")})
}

func TestAuditTrailErrors(t *testing.T) {
	requireGit(t)
	ctx := ctxT(t)
	if _, err := AuditTrail(ctx, t.TempDir(), "", "content/"); !errors.Is(err, ErrNotRepository) {
		t.Fatalf("outside a repository: %v, want ErrNotRepository", err)
	}

	empty := t.TempDir()
	runGit(t, empty, "init", "-q", "-b", "main")
	if got, err := AuditTrail(ctx, empty, "", "content/"); err != nil || got == nil || len(got) != 0 {
		t.Fatalf("repository without commits: %v, %v; want an empty map", got, err)
	}

	h := newAuditRepo(t)
	h.commit("张伟", "一", map[string]string{"content/a.yaml": "a: 1\n"})
	h.commit("李娜", "二", map[string]string{"content/a.yaml": "a: 2\n"})
	if _, err := AuditTrail(ctx, h.dir, "no-such-branch", "content/"); err == nil || !strings.Contains(err.Error(), "找不到分支 no-such-branch") {
		t.Fatalf("unknown branch: %v", err)
	}

	shallow := filepath.Join(t.TempDir(), "shallow")
	runGit(t, filepath.Dir(shallow), "clone", "-q", "--depth", "1", "file://"+h.dir, shallow)
	if _, err := AuditTrail(ctx, shallow, "", "content/"); !errors.Is(err, ErrShallowHistory) {
		t.Fatalf("shallow clone: %v, want ErrShallowHistory", err)
	}

	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := AuditTrail(canceled, h.dir, "", "content/"); !errors.Is(err, context.Canceled) {
		t.Fatalf("canceled context: %v", err)
	}
}

func TestIsPlatform(t *testing.T) {
	for _, c := range []struct {
		name, email string
		want        bool
	}{
		{"GitHub", "noreply@github.com", true},
		{"GitHub Enterprise", "noreply@github.com", true},
		{"Gitea", "noreply@gitea.example.gov.cn", true},
		{"Forgejo", "", true},
		{"张伟", "12345+zhangwei@users.noreply.github.com", false},
		{"GitHub", "zhangwei@example.invalid", false},
		{"王芳", "wangfang@example.invalid", false},
	} {
		sig := auditSig(c.name, c.email)
		if got := isPlatform(sig); got != c.want {
			t.Errorf("isPlatform(%s <%s>) = %v, want %v", c.name, c.email, got, c.want)
		}
	}
	// The same person under two addresses, or two names on one address.
	if !samePerson(auditSig("张伟", "a@x"), auditSig("张伟", "b@y")) || !samePerson(auditSig("张伟", "A@x"), auditSig("zhangwei", "a@X")) {
		t.Error("samePerson misses a match by name or by e-mail")
	}
	if samePerson(auditSig("张伟", "a@x"), auditSig("李娜", "b@x")) || samePerson(auditSig("", ""), auditSig("", "")) {
		t.Error("samePerson matches different or empty identities")
	}
}

// TestAuditTrailGeneratedHistory checks every file of a generated history
// with merges, self-merges, platform merges, direct and squash commits,
// additions and deletions against the generator's own bookkeeping.
func TestAuditTrailGeneratedHistory(t *testing.T) {
	requireGit(t)
	dir := t.TempDir()
	want := auditGenHistory(t, dir, 600, 60, 2000)
	got, err := AuditTrail(ctxT(t), dir, "main", "content/")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) < 2000 {
		t.Fatalf("only %d files", len(got))
	}
	compareAudits(t, got, want)
}

// BenchmarkAuditTrail measures AuditTrail on a generated history of 2,000
// commits (200 merges) over 10,000 files, after checking its answer.
// Sizes: AUDIT_BENCH_COMMITS, AUDIT_BENCH_MERGES, AUDIT_BENCH_FILES.
func BenchmarkAuditTrail(b *testing.B) {
	requireGit(b)
	commits := envInt("AUDIT_BENCH_COMMITS", 2000)
	merges := envInt("AUDIT_BENCH_MERGES", 200)
	files := envInt("AUDIT_BENCH_FILES", 10000)
	dir := b.TempDir()
	want := auditGenHistory(b, dir, commits, merges, files)
	got, err := AuditTrail(context.Background(), dir, "main", "content/")
	if err != nil {
		b.Fatal(err)
	}
	compareAudits(b, got, want)
	b.ReportMetric(float64(len(got)), "files")
	b.ResetTimer()
	for b.Loop() {
		if _, err := AuditTrail(context.Background(), dir, "main", "content/"); err != nil {
			b.Fatal(err)
		}
	}
}

func auditSig(name, email string) object.Signature { return object.Signature{Name: name, Email: email} }

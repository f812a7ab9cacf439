package approval

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/opsbook/opsbook/internal/gitrepo"
	"github.com/opsbook/opsbook/internal/termtable"
)

var (
	zone   = time.FixedZone("CST", 8*3600)
	emails = map[string]string{
		"张伟": "zhangwei@example.invalid", "李娜": "lina@example.invalid", "王强": "wangqiang@example.invalid",
		"刘洋": "liuyang@example.invalid", "陈静": "chenjing@example.invalid", "王芳": "wangfang@example.invalid",
		"GitHub": "noreply@github.com",
	}
)

// team is a bare remote "origin" and one clone per person, driven with the
// git CLI; every command happens one minute after the previous one.
type team struct {
	t      *testing.T
	dir    string
	bare   string
	clock  time.Time
	clones map[string]string
	env    []string // added to every git command (signing keys)
}

func newTeam(t *testing.T) *team {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Fatalf("the git CLI is needed to build test repositories: %v", err)
	}
	tm := &team{t: t, dir: t.TempDir(), clock: time.Date(2026, 10, 1, 9, 0, 0, 0, zone), clones: map[string]string{}}
	tm.bare = filepath.Join(tm.dir, "origin.git")
	tm.run(tm.dir, "张伟", "张伟", "init", "-q", "--bare", "-b", "main", tm.bare)
	seed := tm.clone("张伟")
	tm.write("张伟", "README.md", "# 运维台账\n")
	tm.run(seed, "张伟", "张伟", "add", "README.md")
	tm.run(seed, "张伟", "张伟", "commit", "-q", "-m", "初始化")
	tm.run(seed, "张伟", "张伟", "push", "-q", "origin", "main")
	return tm
}

// run runs git in dir as author/committer and returns its trimmed output.
func (tm *team) run(dir, author, committer string, args ...string) string {
	tm.t.Helper()
	tm.clock = tm.clock.Add(time.Minute)
	date := tm.clock.Format(time.RFC3339)
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null", "GIT_TERMINAL_PROMPT=0",
		"GIT_AUTHOR_NAME="+author, "GIT_AUTHOR_EMAIL="+emails[author], "GIT_AUTHOR_DATE="+date,
		"GIT_COMMITTER_NAME="+committer, "GIT_COMMITTER_EMAIL="+emails[committer], "GIT_COMMITTER_DATE="+date)
	cmd.Env = append(cmd.Env, tm.env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		tm.t.Fatalf("git %s (in %s): %v\n%s", strings.Join(args, " "), dir, err, out)
	}
	return strings.TrimSpace(string(out))
}

// clone returns who's clone of origin, made on first use and pulled since.
func (tm *team) clone(who string) string {
	tm.t.Helper()
	if d, ok := tm.clones[who]; ok {
		tm.run(d, who, who, "checkout", "-q", "main")
		tm.run(d, who, who, "pull", "-q", "--ff-only", "origin", "main")
		return d
	}
	d := filepath.Join(tm.dir, "clone-"+emails[who][:strings.IndexByte(emails[who], '@')])
	tm.run(tm.dir, who, who, "clone", "-q", tm.bare, d)
	tm.clones[who] = d
	return d
}

func (tm *team) write(who, rel, content string) {
	tm.t.Helper()
	p := filepath.Join(tm.clones[who], filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		tm.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		tm.t.Fatal(err)
	}
}

// propose: who writes files on a new branch and pushes it (a pull request).
func (tm *team) propose(who, branch string, files map[string]string) {
	tm.t.Helper()
	d := tm.clone(who)
	tm.run(d, who, who, "checkout", "-q", "-b", branch)
	for p, c := range files {
		tm.write(who, p, c)
		tm.run(d, who, who, "add", p)
	}
	tm.run(d, who, who, "commit", "-q", "-m", "变更方案 "+branch)
	tm.run(d, who, who, "push", "-q", "origin", branch)
	tm.run(d, who, who, "checkout", "-q", "main")
}

// merge: the merge commit is authored by author and committed by committer
// (the same person with the git CLI; "GitHub" for a web merge) in
// merger's clone, then pushed.
func (tm *team) merge(merger, author, committer, branch string, args ...string) string {
	tm.t.Helper()
	d := tm.clone(merger)
	tm.run(d, merger, merger, "fetch", "-q", "origin")
	tm.run(d, author, committer, append([]string{"merge", "-q"}, append(args, "origin/"+branch)...)...)
	tm.run(d, merger, merger, "push", "-q", "origin", "main")
	return tm.run(d, merger, merger, "rev-parse", "HEAD")
}

// direct: who commits files straight onto main and pushes.
func (tm *team) direct(who, committer string, files map[string]string) string {
	tm.t.Helper()
	d := tm.clone(who)
	for p, c := range files {
		tm.write(who, p, c)
		tm.run(d, who, who, "add", p)
	}
	tm.run(d, who, committer, "commit", "-q", "-m", "直接修改")
	tm.run(d, who, who, "push", "-q", "origin", "main")
	return tm.run(d, who, who, "rev-parse", "HEAD")
}

func changeRecord(id, status, author string, reviewers []string, start, end string) string {
	return fmt.Sprintf(`---
id: %s
kind: change
title: 变更 %s
type: config
status: %s
requester: %s
implementer: %s
reviewers: [%s]
assets: [exchange-db]
window:
  start: %s
  end: %s
risk: low
---

## 实施方案

1. 执行。

## 应急预案

1. 处置。

## 回退方案

1. 回退。
`, id, id, status, author, author, strings.Join(reviewers, ", "), start, end)
}

func path(id string) string { return "content/change/2026/" + id + ".md" }

func load(t *testing.T, root, branch string, now time.Time) *Report {
	t.Helper()
	rp, err := Load(context.Background(), Options{Root: root, Branch: branch, Location: zone, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if len(rp.Problems) > 0 {
		t.Fatalf("problems: %v", rp.Problems)
	}
	return rp
}

func byID(t *testing.T, rp *Report, id string) *Change {
	t.Helper()
	cs, missing := rp.Select([]string{id})
	if len(missing) > 0 || len(cs) != 1 {
		t.Fatalf("%s: found %d, missing %v", id, len(cs), missing)
	}
	return cs[0]
}

func rules(c *Change) []string {
	var out []string
	for _, f := range c.Findings {
		out = append(out, f.Rule)
	}
	return out
}

func TestLifecycleAndApprovalEvidence(t *testing.T) {
	tm := newTeam(t)
	rec := func(id, status, author string, reviewers ...string) map[string]string {
		return map[string]string{path(id): changeRecord(id, status, author, reviewers, "2026-10-10 20:00", "2026-10-10 22:00")}
	}
	// 1. 李娜 proposes, 刘洋 merges with the git CLI: approved; an execution
	// record then marks it executed.
	tm.propose("李娜", "change/001", rec("CHG-2026-001", "approved", "李娜", "刘洋"))
	m1 := tm.merge("刘洋", "刘洋", "刘洋", "change/001", "--no-ff", "--no-edit")
	tm.direct("李娜", "李娜", map[string]string{"content/execution/2026/EXE-2026-001.yaml": "id: EXE-2026-001\nkind: execution\nchange: CHG-2026-001\noutcome: success\n"})
	// 2. 王强 merges his own change: self-approval.
	tm.propose("王强", "change/002", rec("CHG-2026-002", "approved", "王强", "刘洋"))
	m2 := tm.merge("王强", "王强", "王强", "change/002", "--no-ff", "-m", "Merge branch 'change/002'")
	// 3. 张伟's change is fast-forwarded onto main: no merge commit.
	tm.propose("张伟", "change/003", rec("CHG-2026-003", "rolled-back", "张伟", "刘洋"))
	tm.merge("刘洋", "刘洋", "刘洋", "change/003", "--ff-only")
	// 4. 刘洋 approves 李娜's change, then 李娜 edits it directly on main.
	tm.propose("李娜", "change/004", rec("CHG-2026-004", "approved", "李娜", "刘洋"))
	m4 := tm.merge("刘洋", "刘洋", "刘洋", "change/004", "--no-ff", "--no-edit")
	e4 := tm.direct("李娜", "李娜", rec("CHG-2026-004", "done", "李娜", "刘洋"))
	// 5. A GitHub web merge: committed by GitHub, authored by 陈静 who
	// pressed the button; 陈静 is not among the listed reviewers.
	tm.propose("王强", "change/005", rec("CHG-2026-005", "done", "王强", "刘洋"))
	m5 := tm.merge("陈静", "陈静", "GitHub", "change/005", "--no-ff", "-m", "Merge pull request #12 from wangqiang/change/005", "-m", "交换库扩容")
	// 6. A Gitea merge message, merged by 刘洋.
	tm.propose("张伟", "change/006", rec("CHG-2026-006", "cancelled", "张伟", "刘洋", "陈静"))
	m6 := tm.merge("刘洋", "刘洋", "刘洋", "change/006", "--no-ff", "-m", "Merge pull request '交换库扩容' (#13) from change/006 into main")
	// 7. A GitHub squash merge: a plain commit by 王芳, committed by GitHub.
	tm.direct("王芳", "GitHub", rec("CHG-2026-007", "approved", "王芳", "刘洋"))
	// 8. A draft pushed on a branch, never merged.
	tm.propose("王强", "change/008", rec("CHG-2026-008", "draft", "王强", "刘洋"))
	// 9. A draft only in 刘洋's work tree.
	auditor := tm.clone("刘洋")
	tm.run(auditor, "刘洋", "刘洋", "fetch", "-q", "origin")
	tm.write("刘洋", path("CHG-2026-009"), changeRecord("CHG-2026-009", "draft", "刘洋", nil, "2026-10-10 20:00", "2026-10-10 22:00"))

	now := time.Date(2026, 10, 10, 21, 0, 0, 0, zone)
	rp := load(t, auditor, "main", now)
	if rp.Branch != "main" || len(rp.Changes) != 9 {
		t.Fatalf("branch %q, %d changes", rp.Branch, len(rp.Changes))
	}
	type want struct {
		state    State
		approved string // approver, "" = not approved
		merge    string // latest merge commit, "" = none
		rules    []string
	}
	wants := map[string]want{
		"CHG-2026-001": {StateExecuted, "刘洋", m1, nil},
		"CHG-2026-002": {StateUnapproved, "", m2, []string{RuleSelfApproval}},
		"CHG-2026-003": {StateRolledBack, "", "", []string{RuleNoMerge}},
		"CHG-2026-004": {StateClosed, "", m4, []string{RuleEditedAfterApproval}},
		"CHG-2026-005": {StateClosed, "陈静", m5, []string{RuleNotListedReviewer}},
		"CHG-2026-006": {StateClosed, "刘洋", m6, nil},
		"CHG-2026-007": {StateUnapproved, "", "", []string{RuleNoMerge}},
		"CHG-2026-008": {StateDraft, "", "", nil},
		"CHG-2026-009": {StateDraft, "", "", nil},
	}
	for id, w := range wants {
		c := byID(t, rp, id)
		got := want{state: c.State, approved: c.ApprovedBy, rules: rules(c)}
		if c.Merge != nil {
			got.merge = c.Merge.Commit
		}
		if got.state != w.state || got.approved != w.approved || got.merge != w.merge || !slices.Equal(got.rules, w.rules) {
			t.Errorf("%s: got %+v, want %+v\n%+v", id, got, w, c.Findings)
		}
		if c.Approved != (w.approved != "") || c.StateLabel != w.state.Label() {
			t.Errorf("%s: Approved %v, label %q", id, c.Approved, c.StateLabel)
		}
		if c.Window == nil || c.Window.Phase != PhaseInside || !c.Window.Inside {
			t.Errorf("%s: window %+v, want inside at %v", id, c.Window, now)
		}
	}
	// Evidence details.
	if c := byID(t, rp, "CHG-2026-001"); len(c.Executions) != 1 || c.Executions[0].ID != "EXE-2026-001" || c.Merge.Message.Style != StyleGit || !c.Merge.Current || !slices.Equal(c.Merge.Authors, []string{"李娜"}) {
		t.Errorf("CHG-2026-001 evidence: %+v %+v", c.Executions, c.Merge)
	}
	if c := byID(t, rp, "CHG-2026-002"); c.Merge.By != "王强" || c.Verdict != gitrepo.VerdictSelfMerged || !strings.Contains(c.Findings[0].Message, "审核人刘洋") {
		t.Errorf("CHG-2026-002: %+v %+v", c.Merge, c.Findings)
	}
	if c := byID(t, rp, "CHG-2026-004"); c.Merge.Current || c.Latest.Commit != e4 || c.Latest.By != "李娜" || c.Findings[0].Commit != e4 {
		t.Errorf("CHG-2026-004: merge %+v latest %+v findings %+v", c.Merge, c.Latest, c.Findings)
	}
	if c := byID(t, rp, "CHG-2026-005"); c.Merge.By != "陈静" || c.Merge.Via != "GitHub" || c.Merge.Message.Style != StyleGitHub || c.Merge.Message.Request != "#12" || c.Findings[0].Level != LevelWarning {
		t.Errorf("CHG-2026-005 (GitHub web merge): %+v %+v", c.Merge, c.Findings)
	}
	if c := byID(t, rp, "CHG-2026-006"); c.Merge.Message.Style != StyleGitea || c.Merge.Message.Request != "#13" || c.Merge.Message.Title != "交换库扩容" || c.Merge.Via != "" {
		t.Errorf("CHG-2026-006 (Gitea): %+v", c.Merge)
	}
	if c := byID(t, rp, "CHG-2026-007"); c.Verdict != gitrepo.VerdictPlatform || !strings.Contains(c.Findings[0].Message, "压缩合并或变基合并") {
		t.Errorf("CHG-2026-007 (squash): %s %+v", c.Verdict, c.Findings)
	}
	if c := byID(t, rp, "CHG-2026-008"); c.OnMain || !slices.Equal(c.Branches, []string{"origin/change/008"}) {
		t.Errorf("CHG-2026-008 (draft on a branch): on main %v, branches %q", c.OnMain, c.Branches)
	}
	if c := byID(t, rp, "CHG-2026-009"); c.OnMain || !slices.Equal(c.Branches, []string{""}) {
		t.Errorf("CHG-2026-009 (uncommitted): on main %v, branches %q", c.OnMain, c.Branches)
	}

	// The audit covers the main line only.
	a := rp.Audit(time.Time{}, false)
	if len(a.Changes) != 7 || a.Approved != 3 || a.Violations != 4 || a.Warnings != 1 || a.Failed() {
		t.Errorf("audit: %d changes, %d approved, %d violations, %d warnings, failed %v", len(a.Changes), a.Approved, a.Violations, a.Warnings, a.Failed())
	}
	if !rp.Audit(time.Time{}, true).Failed() {
		t.Error("strict audit with violations does not fail")
	}
	// --since keeps the changes that reached main on or after it: from
	// the GitHub merge (m5) on.
	since := rp.Changes[4].ReachedMain.Add(-30 * time.Second)
	if a := rp.Audit(since, true); len(a.Changes) != 3 || a.Violations != 1 {
		var ids []string
		for _, c := range a.Changes {
			ids = append(ids, c.ID)
		}
		t.Errorf("since %v: %v, %d violations", since, ids, a.Violations)
	}

	// Output formats.
	var buf bytes.Buffer
	if err := WriteStatus(&buf, "text", rp, rp.Changes); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"已执行", "自行审批（王强）", "批准后被修改（李娜）", "仅在分支 origin/change/008", "执行记录 EXE-2026-001（成功）", "工作区中未提交", "窗口内", "共 9 项变更"} {
		if !strings.Contains(buf.String(), s) {
			t.Errorf("status text lacks %q:\n%s", s, buf.String())
		}
	}
	buf.Reset()
	if err := WriteAudit(&buf, "github", rp.Audit(time.Time{}, true), zone); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(buf.String(), "::error file=content/change/2026/"); n != 4 || strings.Count(buf.String(), "::warning ") != 1 {
		t.Errorf("github annotations:\n%s", buf.String())
	}
	buf.Reset()
	if err := WriteAudit(&buf, "github", rp.Audit(time.Time{}, false), zone); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "::error") || strings.Count(buf.String(), "::warning ") != 5 {
		t.Errorf("non-strict github annotations must be warnings:\n%s", buf.String())
	}
	buf.Reset()
	if err := WriteAudit(&buf, "json", a, zone); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Version    string `json:"version"`
		Violations int    `json:"violations"`
		Changes    []struct {
			ID       string    `json:"id"`
			Findings []Finding `json:"findings"`
		} `json:"changes"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil || doc.Version != AuditVersion || doc.Violations != 4 || len(doc.Changes) != 7 {
		t.Errorf("audit json: %v %+v\n%s", err, doc, buf.String())
	}
}

// A CI checkout of a pull request has no local main: origin/main is read.
func TestMainLineFallsBackToOrigin(t *testing.T) {
	tm := newTeam(t)
	tm.propose("李娜", "change/001", map[string]string{path("CHG-2026-001"): changeRecord("CHG-2026-001", "approved", "李娜", nil, "2026-10-10 20:00", "2026-10-10 22:00")})
	tm.merge("刘洋", "刘洋", "刘洋", "change/001", "--no-ff", "--no-edit")
	ci := filepath.Join(tm.dir, "ci")
	tm.run(tm.dir, "张伟", "张伟", "clone", "-q", tm.bare, ci)
	tm.propose("王强", "change/002", map[string]string{path("CHG-2026-002"): changeRecord("CHG-2026-002", "draft", "王强", nil, "2026-10-10 20:00", "2026-10-10 22:00")})
	tm.run(ci, "张伟", "张伟", "fetch", "-q", "origin")
	tm.run(ci, "张伟", "张伟", "checkout", "-q", "--detach", "origin/change/002")
	tm.run(ci, "张伟", "张伟", "branch", "-q", "-D", "main")
	tm.run(ci, "张伟", "张伟", "update-ref", "-d", "refs/remotes/origin/change/002")
	rp := load(t, ci, "main", time.Now())
	if rp.Branch != "origin/main" {
		t.Errorf("branch %q, want origin/main", rp.Branch)
	}
	// The pull request's draft is found at the detached HEAD.
	if c := byID(t, rp, "CHG-2026-002"); c.OnMain || !slices.Equal(c.Branches, []string{"HEAD"}) {
		t.Errorf("draft at a detached HEAD: on main %v, branches %q", c.OnMain, c.Branches)
	}
	if c := byID(t, rp, "CHG-2026-001"); !c.Approved || c.ApprovedBy != "刘洋" || !c.OnMain {
		t.Errorf("%+v", c)
	}
	if _, err := Load(context.Background(), Options{Root: ci, Branch: "trunk"}); err == nil || !strings.Contains(err.Error(), "--branch") {
		t.Errorf("missing branch: %v", err)
	}
	if _, err := Load(context.Background(), Options{Root: t.TempDir()}); err == nil || !strings.Contains(err.Error(), "不是 git 仓库") {
		t.Errorf("not a repository: %v", err)
	}
}

// A branch already merged into main holds no drafts, even when main later
// deleted its record.
func TestMergedBranchIsNotDraft(t *testing.T) {
	tm := newTeam(t)
	tm.propose("李娜", "change/001", map[string]string{path("CHG-2026-001"): changeRecord("CHG-2026-001", "approved", "李娜", nil, "2026-10-10 20:00", "2026-10-10 22:00")})
	tm.merge("刘洋", "刘洋", "刘洋", "change/001", "--no-ff", "--no-edit")
	d := tm.clone("刘洋")
	tm.run(d, "刘洋", "刘洋", "rm", "-q", path("CHG-2026-001"))
	tm.run(d, "刘洋", "刘洋", "commit", "-q", "-m", "撤销变更")
	tm.run(d, "刘洋", "刘洋", "fetch", "-q", "origin")
	if rp := load(t, d, "main", time.Now()); len(rp.Changes) != 0 {
		t.Errorf("changes: %+v", rp.Changes[0])
	}
}

func TestParseMergeMessage(t *testing.T) {
	for _, c := range []struct {
		msg  string
		want MergeMessage
	}{
		{"Merge branch 'change/CHG-2026-001'", MergeMessage{Style: StyleGit, Source: "change/CHG-2026-001"}},
		{"Merge branch 'x' into main", MergeMessage{Style: StyleGit, Source: "x"}},
		{"Merge remote-tracking branch 'origin/change/001'", MergeMessage{Style: StyleGit, Source: "origin/change/001"}},
		{"Merge pull request #12 from lina/change-001\n\n交换库扩容", MergeMessage{Style: StyleGitHub, Request: "#12", Source: "lina/change-001", Title: "交换库扩容"}},
		{"Merge pull request '交换库扩容 (第二次)' (#7) from change/001 into main", MergeMessage{Style: StyleGitea, Request: "#7", Source: "change/001", Title: "交换库扩容 (第二次)"}},
		{"Merge branch 'change-001' into 'main'\n\n交换库扩容\n\nSee merge request ops/opsbook!21", MergeMessage{Style: StyleGitLab, Request: "!21", Source: "change-001", Title: "交换库扩容"}},
		{"批准：交换库扩容", MergeMessage{Style: StyleOther}},
	} {
		if got := ParseMergeMessage(c.msg); got != c.want {
			t.Errorf("%q: got %+v, want %+v", c.msg, got, c.want)
		}
	}
	if l := (MergeMessage{Style: StyleGitea, Request: "#7"}).Label(); l != "Gitea 合并请求 #7" {
		t.Errorf("label %q", l)
	}
}

func TestDisplayWidth(t *testing.T) {
	if w := termtable.Width("CHG 变更—a"); w != 10 {
		t.Errorf("width %d", w)
	}
	var buf bytes.Buffer
	tb := table{header: []string{"编号", "状态"}}
	tb.add("CHG-1", "已批准")
	if err := tb.write(&buf); err != nil {
		t.Fatal(err)
	}
	if want := "编号   状态\nCHG-1  已批准\n"; buf.String() != want {
		t.Errorf("table:\n%q\nwant\n%q", buf.String(), want)
	}
}

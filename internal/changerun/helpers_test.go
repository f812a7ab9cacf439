package changerun

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/opsbook/opsbook/internal/check/all" // every check type: steps are check types
	"github.com/opsbook/opsbook/internal/check/sshtest"
	"github.com/opsbook/opsbook/internal/secret"
	"github.com/opsbook/opsbook/internal/testrepo"
	"github.com/opsbook/opsbook/internal/workspace"
)

var shanghai = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return loc
}()

// person is a git identity.
type person struct{ name, email string }

var (
	author   = person{"张伟", "zhangwei@example.invalid"}
	reviewer = person{"刘洋", "liuyang@example.invalid"}
	admin    = person{"管理员", "admin@example.invalid"}
)

// env is p's git identity; commits are dated before the windows the tests use.
func (p person) env() []string {
	const date = "2026-02-10T16:00:00+08:00"
	return []string{"GIT_AUTHOR_NAME=" + p.name, "GIT_AUTHOR_EMAIL=" + p.email, "GIT_AUTHOR_DATE=" + date,
		"GIT_COMMITTER_NAME=" + p.name, "GIT_COMMITTER_EMAIL=" + p.email, "GIT_COMMITTER_DATE=" + date}
}

// fixture is an ops repository (a clone of a bare remote) and an sshd the
// steps run against; the steps append to logFile so tests see their order.
type fixture struct {
	t             *testing.T
	clone, remote string
	sshd          *sshtest.Server
	logFile       string
	lockDir       string // Execute's per-change locks
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{t: t, sshd: sshtest.Start(t)}
	base := t.TempDir()
	f.logFile = filepath.Join(base, "steps.log")
	f.lockDir = filepath.Join(base, "locks")
	f.remote = filepath.Join(base, "remote.git")
	run(t, base, admin, "git", "init", "-q", "--bare", "-b", "main", f.remote)
	f.clone = filepath.Join(base, "ops")
	run(t, base, admin, "git", "clone", "-q", f.remote, f.clone)
	testrepo.AddSchemas(t, f.clone)
	f.write("opsbook.yaml", "platform: 测试平台\ntimezone: Asia/Shanghai\n")
	f.write("content/asset/2019/app-host-01.yaml", "id: app-host-01\nkind: asset\ntitle: 应用服务器 1\ntype: host\nstatus: online\n")
	f.git(admin, "add", ".")
	f.git(admin, "commit", "-qm", "初始化运维仓库")
	f.git(admin, "push", "-q", "origin", "main")
	return f
}

func run(t *testing.T, dir string, who person, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), who.env()...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
	return string(out)
}

func (f *fixture) git(who person, args ...string) string {
	f.t.Helper()
	return run(f.t, f.clone, who, "git", args...)
}

func (f *fixture) remoteGit(args ...string) string {
	f.t.Helper()
	return run(f.t, f.remote, admin, "git", args...)
}

func (f *fixture) write(rel, text string) {
	f.t.Helper()
	p := filepath.Join(f.clone, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		f.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		f.t.Fatal(err)
	}
}

// ssh is one ssh step (or rollback step, with undoes) as a YAML flow mapping.
func (f *fixture) ssh(name, command string, extra ...string) string {
	fields := []string{
		"name: " + name, "type: ssh", "asset: app-host-01",
		fmt.Sprintf("address: %q", f.sshd.Addr), "user: " + f.sshd.User,
		fmt.Sprintf("private_key_file: %q", f.sshd.KeyFile), fmt.Sprintf("known_hosts: %q", f.sshd.KnownHosts),
		fmt.Sprintf("command: %q", command),
	}
	return "  - {" + strings.Join(append(fields, extra...), ", ") + "}\n"
}

// logs is a step command that appends word to the fixture's log.
func (f *fixture) logs(word string) string { return fmt.Sprintf("echo %s >> %s", word, f.logFile) }

// logged returns the words the steps appended, in order.
func (f *fixture) logged() []string {
	data, err := os.ReadFile(f.logFile)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		f.t.Fatal(err)
	}
	return strings.Fields(string(data))
}

// change is the text of a change record.
type change struct {
	id, status, start, end string
	extra                  string // more front matter lines
	steps, rollback        string // YAML list items
}

func (c change) text() string {
	if c.status == "" {
		c.status = "approved"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "---\nid: %s\nkind: change\ntitle: 测试变更 %s\ntype: config\nstatus: %s\nrequester: 张伟\nimplementer: 张伟\n", c.id, c.id, c.status)
	fmt.Fprintf(&b, "assets: [app-host-01]\nwindow:\n  start: %s\n  end: %s\nrisk: low\n%s", c.start, c.end, c.extra)
	if c.steps != "" {
		b.WriteString("steps:\n" + c.steps)
	}
	if c.rollback != "" {
		b.WriteString("rollback:\n" + c.rollback)
	}
	b.WriteString("---\n\n## 实施方案\n\n1. 按 steps 执行。\n\n## 应急预案\n\n1. 停止并回退。\n\n## 回退方案\n\n1. 按 rollback 执行。\n")
	return b.String()
}

func (c change) path() string { return "content/change/2026/" + c.id + ".md" }

// propose commits the change on a new branch as its author and leaves
// that branch checked out.
func (f *fixture) propose(c change) string {
	f.t.Helper()
	branch := "change/" + strings.ToLower(c.id)
	f.git(author, "checkout", "-q", "-b", branch, "main")
	f.write(c.path(), c.text())
	f.git(author, "add", c.path())
	f.git(author, "commit", "-qm", "变更方案 "+c.id)
	return branch
}

// merge merges branch into main as merger with a merge commit and pushes.
func (f *fixture) merge(branch string, merger person) {
	f.t.Helper()
	f.git(merger, "checkout", "-q", "main")
	f.git(merger, "merge", "-q", "--no-ff", "-m", "Merge "+branch, branch)
	f.git(merger, "push", "-q", "origin", "main")
}

// approved proposes c and has the reviewer merge it.
func (f *fixture) approved(c change) {
	f.t.Helper()
	f.merge(f.propose(c), reviewer)
}

// clock starts at a local time and runs at real speed.
func clock(at string) func() time.Time {
	base, err := time.ParseInLocation("2006-01-02 15:04", at, shanghai)
	if err != nil {
		panic(err)
	}
	t0 := time.Now()
	return func() time.Time { return base.Add(time.Since(t0)) }
}

func (f *fixture) open() *workspace.Workspace {
	f.t.Helper()
	rp, err := workspace.Open(f.clone)
	if err != nil {
		f.t.Fatal(err)
	}
	return rp
}

func (f *fixture) options(now string, env map[string]string) Options {
	return Options{
		Now: clock(now), Operator: "王强", Host: "runner-test", Commit: true, Push: true, LockDir: f.lockDir,
		Secrets: secret.Source{Env: func(k string) (string, bool) { v, ok := env[k]; return v, ok }},
	}
}

func (f *fixture) prepare(id, now string, env map[string]string) (*Plan, error) {
	f.t.Helper()
	return Prepare(context.Background(), f.open(), id, f.options(now, env))
}

// refused asserts that err is a refusal giving code.
func refused(t *testing.T, err error, code string) *Refusal {
	t.Helper()
	var r *Refusal
	if !errors.As(err, &r) {
		t.Fatalf("err = %v, want a refusal (%s)", err, code)
	}
	if !r.Has(code) {
		t.Fatalf("refusal without %s:\n%v", code, r)
	}
	return r
}

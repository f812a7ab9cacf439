package backup

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

var shanghai = time.FixedZone("CST", 8*3600)

// clock makes commit dates deterministic and increasing.
var clock = time.Date(2026, 11, 2, 9, 0, 0, 0, shanghai)

// gt runs the git CLI for the test (not the code under test) and returns its trimmed stdout.
func gt(t testing.TB, dir string, args ...string) string {
	t.Helper()
	clock = clock.Add(time.Minute)
	date := clock.Format(time.RFC3339)
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+os.DevNull, "GIT_TERMINAL_PROMPT=0",
		"GIT_AUTHOR_NAME=张伟", "GIT_AUTHOR_EMAIL=zhangwei@example.invalid", "GIT_AUTHOR_DATE="+date,
		"GIT_COMMITTER_NAME=张伟", "GIT_COMMITTER_EMAIL=zhangwei@example.invalid", "GIT_COMMITTER_DATE="+date)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("git %s (in %s): %v\n%s", strings.Join(args, " "), dir, err, stderr.String())
	}
	return strings.TrimSpace(out.String())
}

func write(t testing.TB, dir, rel, content string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func commit(t testing.TB, dir, rel, content, msg string) {
	t.Helper()
	write(t, dir, rel, content)
	gt(t, dir, "add", rel)
	gt(t, dir, "commit", "-q", "-m", msg)
}

// makeRepo builds a repository with three branches, a merge commit, a
// lightweight and an annotated tag and a notes ref, in dir/ops-repo.
func makeRepo(t testing.TB) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Fatalf("the git CLI is needed to build test repositories: %v", err)
	}
	repo := filepath.Join(t.TempDir(), "ops-repo")
	gt(t, filepath.Dir(repo), "init", "-q", "-b", "main", repo)
	commit(t, repo, "README.md", "# 运维台账\n", "初始化")
	commit(t, repo, "content/asset/2026/portal-web.yaml", "id: portal-web\n", "资产 portal-web")
	gt(t, repo, "tag", "v1.0")
	gt(t, repo, "checkout", "-q", "-b", "feature")
	commit(t, repo, "content/change/2026/CHG-2026-001.md", "---\nid: CHG-2026-001\n---\n", "变更 CHG-2026-001")
	commit(t, repo, "content/change/2026/CHG-2026-002.md", "---\nid: CHG-2026-002\n---\n", "变更 CHG-2026-002")
	gt(t, repo, "checkout", "-q", "main")
	commit(t, repo, "content/ticket/2026/TKT-2026-001.yaml", "id: TKT-2026-001\n", "工单 TKT-2026-001")
	gt(t, repo, "merge", "-q", "--no-ff", "-m", "合并 feature", "feature")
	gt(t, repo, "tag", "-a", "v2.0", "-m", "版本 2.0")
	gt(t, repo, "checkout", "-q", "-b", "hotfix", "main~1")
	commit(t, repo, "content/anomaly/2026/ANO-2026-001.md", "---\nid: ANO-2026-001\n---\n", "异常 ANO-2026-001")
	gt(t, repo, "checkout", "-q", "main")
	gt(t, repo, "notes", "add", "-m", "审计：已核对", "HEAD")
	return repo
}

var at = time.Date(2026, 11, 27, 10, 30, 0, 0, shanghai)

func backup(t *testing.T, repo, dest string) *Result {
	t.Helper()
	res, err := Create(context.Background(), Options{Repo: repo, Dest: dest, Now: at})
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	return res
}

func verify(t *testing.T, file, against string) *Report {
	t.Helper()
	rep, err := Verify(context.Background(), file, VerifyOptions{Against: against})
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	return rep
}

func entries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func refNames(refs []Ref) []string {
	var out []string
	for _, r := range refs {
		out = append(out, r.Name)
	}
	return out
}

func hasProblem(rep *Report, check, text string) bool {
	for _, c := range rep.Checks {
		if c.State == Failed && c.Name == check && strings.Contains(c.Detail, text) {
			return true
		}
	}
	return false
}

// gitLevelProblem reports whether a check other than the sidecar failed.
func gitLevelProblem(rep *Report) bool {
	return slices.ContainsFunc(rep.Checks, func(c Check) bool { return c.State == Failed && c.Name != CheckChecksum })
}

func TestRoundTrip(t *testing.T) {
	repo := makeRepo(t)
	write(t, repo, "README.md", "# 运维台账（未提交的修改）\n")
	write(t, repo, "content/kb/2026/KB-2026-009.md", "草稿\n")
	dest := t.TempDir()

	res := backup(t, repo, dest)
	if got, want := filepath.Base(res.Path), "opsbook-ops-repo-20261127-1030.bundle"; got != want {
		t.Errorf("bundle name %s, want %s", got, want)
	}
	if got := entries(t, dest); !slices.Equal(got, []string{"opsbook-ops-repo-20261127-1030.bundle", "opsbook-ops-repo-20261127-1030.bundle.sha256"}) {
		t.Errorf("destination holds %v, want the bundle and its sidecar only", got)
	}
	data, err := os.ReadFile(res.Path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	if res.SHA256 != hex.EncodeToString(sum[:]) || res.Size != int64(len(data)) {
		t.Errorf("result hash %s size %d; file hash %x size %d", res.SHA256, res.Size, sum, len(data))
	}
	if side, _ := os.ReadFile(res.ChecksumPath); string(side) != res.SHA256+"  "+filepath.Base(res.Path)+"\n" {
		t.Errorf("sidecar %q, want the sha256sum format", side)
	}
	if st, _ := os.Stat(res.Path); st.Mode().Perm() != 0o600 {
		t.Errorf("bundle mode %v, want 0600", st.Mode().Perm())
	}
	if len(res.Uncommitted) != 2 {
		t.Errorf("uncommitted %q, want the modified README and the untracked KB draft", res.Uncommitted)
	}
	wantRefs := []string{"refs/heads/feature", "refs/heads/hotfix", "refs/heads/main", "refs/notes/commits", "refs/tags/v1.0", "refs/tags/v2.0"}
	if got := refNames(res.Refs); !slices.Equal(got, wantRefs) {
		t.Errorf("refs %v, want %v", got, wantRefs)
	}
	if want := gt(t, repo, "rev-list", "--all", "--count"); fmt.Sprint(res.Commits) != want {
		t.Errorf("commits %d, want %s", res.Commits, want)
	}
	for _, r := range res.Refs {
		if r.Name == "refs/tags/v2.0" && (r.Type != "tag" || r.Commit != gt(t, repo, "rev-parse", "main") || r.Commits != 6) {
			t.Errorf("annotated tag %+v: want a tag object leading to main's merge commit with 6 commits", r)
		}
	}
	if len(res.Warnings) > 0 {
		t.Errorf("warnings: %q", res.Warnings)
	}

	rep := verify(t, res.Path, repo)
	if !rep.OK() || len(rep.Warnings()) > 0 {
		t.Fatalf("verify: problems %q warnings %q", rep.Problems(), rep.Warnings())
	}
	var names []string
	for _, c := range rep.Checks {
		names = append(names, c.Name)
	}
	if want := []string{CheckChecksum, CheckFormat, CheckBundle, CheckClone, CheckFsck, CheckRefs, CheckAgainst}; !slices.Equal(names, want) {
		t.Errorf("checks %v, want %v", names, want)
	}

	// Restore the way the user guide says, independently of the package:
	// every ref and commit id equal, the merge commit intact.
	mirror := filepath.Join(t.TempDir(), "mirror.git")
	gt(t, filepath.Dir(mirror), "clone", "-q", "--mirror", res.Path, mirror)
	const refFormat = "--format=%(objectname) %(objecttype) %(refname)"
	if got, want := gt(t, mirror, "for-each-ref", refFormat), gt(t, repo, "for-each-ref", refFormat); got != want {
		t.Errorf("mirror refs differ:\n%s\nwant\n%s", got, want)
	}
	work := filepath.Join(t.TempDir(), "restored")
	gt(t, filepath.Dir(work), "clone", "-q", res.Path, work)
	gt(t, work, "fsck", "--full")
	const logFormat = "--format=%H %P %an %ad %s"
	for _, branch := range []string{"main", "origin/feature", "origin/hotfix"} {
		src := strings.TrimPrefix(branch, "origin/")
		if got, want := gt(t, work, "log", logFormat, branch), gt(t, repo, "log", logFormat, src); got != want {
			t.Errorf("history of %s differs:\n%s\nwant\n%s", branch, got, want)
		}
	}
	if got := gt(t, work, "rev-list", "--merges", "--count", "main"); got != "1" {
		t.Errorf("restored main has %s merge commits, want 1", got)
	}
	if got := gt(t, work, "cat-file", "-t", "v2.0"); got != "tag" {
		t.Errorf("v2.0 restored as %s, want an annotated tag", got)
	}
	if _, err := os.Stat(filepath.Join(work, "content", "kb", "2026", "KB-2026-009.md")); err == nil {
		t.Error("the uncommitted draft must not be in the bundle")
	}

	// The repository moves on: the old backup no longer equals it.
	commit(t, repo, "content/ticket/2026/TKT-2026-002.yaml", "id: TKT-2026-002\n", "工单 TKT-2026-002")
	gt(t, repo, "branch", "-q", "-D", "hotfix")
	gt(t, repo, "tag", "v3.0")
	rep = verify(t, res.Path, repo)
	if rep.OK() {
		t.Fatal("verify --against a repository with new commits passed")
	}
	for _, want := range []string{"refs/heads/main 在备份中是", "refs/heads/hotfix 在备份中", "仓库中已没有", "refs/tags/v3.0", "不在备份中"} {
		if !hasProblem(rep, CheckAgainst, want) {
			t.Errorf("against problems %q lack %q", rep.Problems(), want)
		}
	}
	for _, c := range rep.Checks {
		if c.State != Passed && c.Name != CheckAgainst {
			t.Errorf("only the comparison should fail: %+v", c)
		}
	}
}

func TestBareRepositoryAndNames(t *testing.T) {
	repo := makeRepo(t)
	bare := filepath.Join(t.TempDir(), "ops.git")
	gt(t, filepath.Dir(bare), "clone", "-q", "--mirror", repo, bare)
	dest := t.TempDir()
	first := backup(t, bare, dest)
	second := backup(t, bare, dest) // same minute: a new name, the first is kept
	if filepath.Base(first.Path) != "opsbook-ops-20261127-1030.bundle" || filepath.Base(second.Path) != "opsbook-ops-20261127-1030-2.bundle" {
		t.Errorf("names %s, %s", filepath.Base(first.Path), filepath.Base(second.Path))
	}
	if first.Uncommitted != nil {
		t.Errorf("a bare repository has no work tree: %q", first.Uncommitted)
	}
	if len(entries(t, dest)) != 4 {
		t.Errorf("destination %v", entries(t, dest))
	}

	// A file destination is replaced atomically, with its sidecar.
	file := filepath.Join(dest, "latest.bundle")
	backup(t, repo, file)
	commit(t, repo, "content/ticket/2026/TKT-2026-003.yaml", "id: TKT-2026-003\n", "工单 TKT-2026-003")
	res := backup(t, repo, file)
	if res.Path != file {
		t.Errorf("path %s, want %s", res.Path, file)
	}
	if rep := verify(t, file, repo); !rep.OK() {
		t.Errorf("replaced bundle: %q", rep.Problems())
	}
	if len(entries(t, dest)) != 6 {
		t.Errorf("destination %v", entries(t, dest))
	}
}

// flip inverts n bytes of file at off.
func flip(t *testing.T, file string, off, n int) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for i := off; i < off+n; i++ {
		data[i] ^= 0xff
	}
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// packStart is the offset of the pack data after the bundle's header.
func packStart(t *testing.T, file string) int {
	data, _ := os.ReadFile(file)
	i := bytes.Index(data, []byte("\n\nPACK"))
	if i < 0 {
		t.Fatal("no pack in the bundle")
	}
	return i + 2
}

func TestCorruptedBundle(t *testing.T) {
	repo := makeRepo(t)
	for _, c := range []struct {
		name string
		at   func(t *testing.T, file string) (int, int)
	}{
		{"pack data", func(t *testing.T, file string) (int, int) {
			st, _ := os.Stat(file)
			p := packStart(t, file)
			return p + (int(st.Size())-p)/2, 4
		}},
		{"pack trailer", func(t *testing.T, file string) (int, int) {
			st, _ := os.Stat(file)
			return int(st.Size()) - 5, 1
		}},
		{"ref id in the header", func(t *testing.T, file string) (int, int) { return len("# v2 git bundle\n") + 3, 1 }},
		{"ref id changed to another valid id", func(t *testing.T, file string) (int, int) {
			data, _ := os.ReadFile(file)
			i := len("# v2 git bundle\n") + 5
			if data[i] == '0' {
				data[i] = '1'
			} else {
				data[i] = '0'
			}
			os.WriteFile(file, data, 0o600)
			return 0, 0
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := backup(t, repo, t.TempDir())
			off, n := c.at(t, res.Path)
			flip(t, res.Path, off, n)

			rep := verify(t, res.Path, "")
			if rep.OK() || !hasProblem(rep, CheckChecksum, "SHA-256 不符") || !hasProblem(rep, CheckChecksum, "损坏") {
				t.Errorf("with sidecar: problems %q", rep.Problems())
			}
			if !gitLevelProblem(rep) {
				t.Errorf("git checks must catch it too: %q", rep.Problems())
			}

			os.Remove(res.ChecksumPath)
			rep = verify(t, res.Path, repo)
			if rep.OK() || !gitLevelProblem(rep) {
				t.Errorf("without sidecar: problems %q", rep.Problems())
			}
			if len(rep.Warnings()) == 0 {
				t.Error("a missing sidecar must be a warning")
			}
			t.Logf("problems: %q", rep.Problems())
		})
	}
}

func TestTruncatedBundle(t *testing.T) {
	repo := makeRepo(t)
	res := backup(t, repo, t.TempDir())
	st, _ := os.Stat(res.Path)
	for _, size := range []int64{st.Size() - 1, st.Size() / 2, int64(packStart(t, res.Path)) + 10, 20, 0} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "cut.bundle")
			data, _ := os.ReadFile(res.Path)
			os.WriteFile(file, data[:size], 0o600)
			os.WriteFile(file+ChecksumExt, []byte(res.SHA256+"  cut.bundle\n"), 0o644)
			rep := verify(t, file, "")
			if !hasProblem(rep, CheckChecksum, "SHA-256 不符") || !gitLevelProblem(rep) {
				t.Errorf("problems %q", rep.Problems())
			}
			os.Remove(file + ChecksumExt)
			rep = verify(t, file, "")
			if !gitLevelProblem(rep) {
				t.Errorf("without sidecar: problems %q", rep.Problems())
			}
			if size < 40 && !hasProblem(rep, CheckFormat, map[bool]string{true: "不是 git bundle", false: "截断"}[size == 0]) {
				t.Errorf("a cut header: %q", rep.Problems())
			}
		})
	}
}

func TestMissingSidecarStillVerifies(t *testing.T) {
	repo := makeRepo(t)
	res := backup(t, repo, t.TempDir())
	os.Remove(res.ChecksumPath)
	rep := verify(t, res.Path, repo)
	if !rep.OK() {
		t.Fatalf("problems %q", rep.Problems())
	}
	if w := rep.Warnings(); len(w) != 1 || !strings.Contains(w[0], "缺少校验文件") || !strings.Contains(w[0], res.SHA256) {
		t.Errorf("warnings %q", w)
	}

	os.WriteFile(res.ChecksumPath, []byte("not a checksum\n"), 0o644)
	if rep := verify(t, res.Path, ""); !hasProblem(rep, CheckChecksum, "sha256sum 的格式") {
		t.Errorf("malformed sidecar: %q", rep.Problems())
	}
	renamed := filepath.Join(filepath.Dir(res.Path), "renamed.bundle")
	os.Rename(res.Path, renamed)
	os.WriteFile(renamed+ChecksumExt, []byte(strings.ToUpper(res.SHA256)+" *"+filepath.Base(res.Path)+"\n"), 0o644)
	if rep := verify(t, renamed, ""); !rep.OK() || !strings.Contains(rep.Checks[0].Detail, "已改名") {
		t.Errorf("renamed bundle: %+v", rep.Checks)
	}
}

func TestNotABundle(t *testing.T) {
	repo := makeRepo(t)
	dir := t.TempDir()
	text := filepath.Join(dir, "notes.bundle")
	os.WriteFile(text, []byte("# 不是备份\n"), 0o644)
	if rep := verify(t, text, ""); !hasProblem(rep, CheckFormat, "不是 git bundle 文件") || len(rep.Checks) != 2 {
		t.Errorf("text file: %+v", rep.Checks)
	}
	// An incremental bundle needs commits it does not hold: not a backup.
	inc := filepath.Join(dir, "inc.bundle")
	gt(t, repo, "bundle", "create", "-q", inc, "main~1..main")
	if rep := verify(t, inc, ""); !hasProblem(rep, CheckFormat, "增量") {
		t.Errorf("incremental bundle: %q", rep.Problems())
	}
	// A repository directory is not a bundle file (git clone would accept it).
	for _, f := range []string{repo, filepath.Join(dir, "missing.bundle")} {
		if _, err := Verify(context.Background(), f, VerifyOptions{}); err == nil {
			t.Errorf("Verify(%s) must fail to run", f)
		}
	}
	res := backup(t, repo, dir)
	if _, err := Verify(context.Background(), res.Path, VerifyOptions{Against: dir}); err == nil || !strings.Contains(err.Error(), "不是 git 仓库") {
		t.Errorf("--against a plain directory: %v", err)
	}
}

func TestRepositoryRefused(t *testing.T) {
	repo := makeRepo(t)
	shallow := filepath.Join(t.TempDir(), "shallow")
	gt(t, filepath.Dir(shallow), "clone", "-q", "--depth", "1", "file://"+repo, shallow)
	empty := filepath.Join(t.TempDir(), "empty")
	gt(t, filepath.Dir(empty), "init", "-q", empty)
	for _, c := range []struct{ repo, want string }{
		{shallow, "浅克隆"},
		{empty, "还没有任何提交"},
		{t.TempDir(), "不是 git 仓库"},
		{filepath.Join(repo, "missing"), "不存在"},
	} {
		dest := t.TempDir()
		_, err := Create(context.Background(), Options{Repo: c.repo, Dest: dest})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.repo, err, c.want)
		}
		if e := entries(t, dest); len(e) > 0 {
			t.Errorf("%s: left %v", c.repo, e)
		}
	}
}

func TestDestinationUnwritable(t *testing.T) {
	repo := makeRepo(t)
	dir := t.TempDir()
	plain := filepath.Join(dir, "plain")
	os.WriteFile(plain, []byte("x"), 0o644)
	cases := []struct{ dest, want string }{
		{filepath.Join(plain, "x.bundle"), "不是目录"},
		{filepath.Join(dir, "no", "x.bundle"), "不存在"},
		{filepath.Join(dir, "no") + "/", "mkdir -p"},
		{"", "需要备份目标"},
	}
	locked := filepath.Join(dir, "locked")
	os.Mkdir(locked, 0o555)
	if os.Geteuid() != 0 {
		cases = append(cases, struct{ dest, want string }{locked, "无法在"})
	} else {
		// root writes through permission bits; /proc refuses everyone.
		cases = append(cases, struct{ dest, want string }{"/proc/opsbook.bundle", "无法在"})
	}
	before := entries(t, dir)
	for _, c := range cases {
		_, err := Create(context.Background(), Options{Repo: repo, Dest: c.dest})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want %q", c.dest, err, c.want)
		}
	}
	if after := entries(t, dir); !slices.Equal(before, after) {
		t.Errorf("left behind: %v → %v", before, after)
	}
	if e := entries(t, locked); len(e) > 0 {
		t.Errorf("left in %s: %v", locked, e)
	}
}

func TestFailureLeavesNothing(t *testing.T) {
	repo := makeRepo(t)
	dest := t.TempDir()
	// An existing bundle at the destination survives a failed replacement.
	old := backup(t, repo, filepath.Join(dest, "ops.bundle"))
	oldData, _ := os.ReadFile(old.Path)
	commit(t, repo, "content/ticket/2026/TKT-2026-004.yaml", "id: TKT-2026-004\n", "工单 TKT-2026-004")

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for _, c := range []struct {
		name string
		hook func(tmp string) error
		want error
	}{
		{"error after writing", func(string) error { return errors.New("磁盘已满") }, nil},
		{"cancelled before verifying", func(string) error { cancel(); return nil }, context.Canceled},
	} {
		var seen string
		testHookWritten = func(tmp string) error {
			seen = tmp
			if st, err := os.Stat(tmp); err != nil || st.Size() == 0 {
				t.Errorf("%s: temporary bundle %v %v", c.name, st, err)
			}
			return c.hook(tmp)
		}
		_, err := Create(ctx, Options{Repo: repo, Dest: dest})
		if err == nil || (c.want != nil && !errors.Is(err, c.want)) {
			t.Errorf("%s: %v", c.name, err)
		}
		if _, err := os.Stat(seen); seen == "" || err == nil {
			t.Errorf("%s: temporary file %q not removed", c.name, seen)
		}
		if got := entries(t, dest); !slices.Equal(got, []string{"ops.bundle", "ops.bundle.sha256"}) {
			t.Errorf("%s: destination %v", c.name, got)
		}
	}
	testHookWritten = nil
	if data, _ := os.ReadFile(old.Path); !bytes.Equal(data, oldData) {
		t.Error("the previous bundle was changed")
	}
	if rep := verify(t, old.Path, ""); !rep.OK() {
		t.Errorf("previous bundle: %q", rep.Problems())
	}

	// Cancelled while git writes the bundle.
	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	if _, err := Create(ctx, Options{Repo: repo, Dest: dest}); err == nil {
		t.Error("a cancelled backup succeeded")
	}
	if got := entries(t, dest); len(got) != 2 {
		t.Errorf("after cancel: %v", got)
	}
}

// TestHelperKilledBackup is the process TestKilledBackup kills.
func TestHelperKilledBackup(t *testing.T) {
	repo, dest := os.Getenv("OPSBOOK_BACKUP_HELPER_REPO"), os.Getenv("OPSBOOK_BACKUP_HELPER_DEST")
	if repo == "" {
		t.Skip("helper process for TestKilledBackup")
	}
	testHookWritten = func(tmp string) error {
		fmt.Printf("written %s\n", tmp)
		time.Sleep(time.Minute)
		return nil
	}
	Create(context.Background(), Options{Repo: repo, Dest: dest})
	os.Exit(3)
}

func TestKilledBackup(t *testing.T) {
	repo := makeRepo(t)
	dest := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperKilledBackup$")
	cmd.Env = append(os.Environ(), "OPSBOOK_BACKUP_HELPER_REPO="+repo, "OPSBOOK_BACKUP_HELPER_DEST="+dest)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "written ") {
		cmd.Process.Kill()
		t.Fatalf("helper said %q, %v", line, err)
	}
	cmd.Process.Kill() // SIGKILL: no deferred cleanup runs
	cmd.Wait()

	left := entries(t, dest)
	if len(left) != 1 || !strings.HasPrefix(left[0], ".opsbook-backup-") || !strings.HasSuffix(left[0], ".tmp") {
		t.Fatalf("after a kill the destination holds %v; want only the hidden temporary file", left)
	}
	// The next backup reports the leftover and succeeds.
	res := backup(t, repo, dest)
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], left[0]) {
		t.Errorf("warnings %q", res.Warnings)
	}
	if rep := verify(t, res.Path, repo); !rep.OK() {
		t.Errorf("problems %q", rep.Problems())
	}
}

func TestGitMissing(t *testing.T) {
	repo := makeRepo(t)
	res := backup(t, repo, t.TempDir())
	t.Setenv("PATH", t.TempDir())
	if _, err := Create(context.Background(), Options{Repo: repo, Dest: t.TempDir()}); !errors.Is(err, ErrNoGit) {
		t.Errorf("Create without git: %v", err)
	}
	if _, err := Verify(context.Background(), res.Path, VerifyOptions{}); !errors.Is(err, ErrNoGit) || !strings.Contains(err.Error(), "找不到 git") {
		t.Errorf("Verify without git: %v", err)
	}
}

// TestCleanGitEnvironment: the user's and the machine's git setup do not leak in.
func TestCleanGitEnvironment(t *testing.T) {
	repo := makeRepo(t)
	home := t.TempDir()
	broken := filepath.Join(home, ".gitconfig")
	os.WriteFile(broken, []byte("[[[ 不是配置\n"), 0o644)
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", home)
	t.Setenv("GIT_CONFIG_GLOBAL", broken)
	t.Setenv("GIT_DIR", filepath.Join(home, "nowhere.git"))
	t.Setenv("GIT_WORK_TREE", home)
	t.Setenv("GIT_CONFIG_PARAMETERS", "'core.bare'='true'")
	res := backup(t, repo, t.TempDir())
	if rep := verify(t, res.Path, repo); !rep.OK() {
		t.Errorf("problems %q", rep.Problems())
	}
}

func TestDestinationInsideRepository(t *testing.T) {
	repo := makeRepo(t)
	os.Mkdir(filepath.Join(repo, "backups"), 0o755)
	res := backup(t, filepath.Join(repo, "content"), filepath.Join(repo, "backups")) // --repo may be a directory in the work tree
	if res.Repo != repo || len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "在仓库") {
		t.Errorf("repo %s, warnings %q", res.Repo, res.Warnings)
	}
	if rep := verify(t, res.Path, repo); !rep.OK() {
		t.Errorf("problems %q", rep.Problems())
	}
}

func TestGitErrorMessages(t *testing.T) {
	e := &GitError{Args: []string{"rev-parse"}, Err: errors.New("exit status 128"),
		Stderr: "fatal: detected dubious ownership in repository at '/srv/ops'\nTo add an exception for this directory, call:\n\n\tgit config --global --add safe.directory /srv/ops\n"}
	if msg := e.Error(); !strings.Contains(msg, "仓库所有者") || strings.Contains(msg, "call:") {
		t.Errorf("dubious ownership: %s", msg)
	}
	e = &GitError{Args: []string{"clone"}, Err: errors.New("exit status 128"), Stderr: "hint: x\nerror: one\nfatal: two\n"}
	if msg := e.Error(); msg != "git clone 失败：error: one；fatal: two" {
		t.Errorf("message %q", msg)
	}
}

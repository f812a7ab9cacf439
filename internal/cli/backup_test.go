package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// backupRepo builds a repository with branches main, feature and hotfix, a
// merge commit, a lightweight and an annotated tag, and one uncommitted file.
func backupRepo(t *testing.T) string {
	t.Helper()
	repo := filepath.Join(t.TempDir(), "ops")
	os.Mkdir(repo, 0o755)
	env := append(as("张伟", "2026-11-02T09:00:00+08:00"), "GIT_CONFIG_GLOBAL="+os.DevNull, "GIT_CONFIG_NOSYSTEM=1")
	step := func(args ...string) { t.Helper(); git(t, repo, env, args...) }
	put := func(rel, content, msg string) {
		t.Helper()
		writeTestFile(t, repo, rel, content)
		step("add", rel)
		step("commit", "-q", "-m", msg)
	}
	step("init", "-q", "-b", "main")
	put("README.md", "# 运维台账\n", "初始化")
	step("tag", "v1.0")
	step("checkout", "-q", "-b", "feature")
	put("content/change/2026/CHG-2026-001.md", "---\nid: CHG-2026-001\n---\n", "变更")
	step("checkout", "-q", "main")
	put("content/ticket/2026/TKT-2026-001.yaml", "id: TKT-2026-001\n", "工单")
	step("merge", "-q", "--no-ff", "-m", "合并 feature", "feature")
	step("tag", "-a", "v2.0", "-m", "版本 2.0")
	step("branch", "hotfix", "main~1")
	writeTestFile(t, repo, "content/kb/2026/KB-2026-001.md", "草稿\n")
	return repo
}

func onlyBundle(t *testing.T, dir string) string {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(dir, "opsbook-ops-*.bundle"))
	if len(m) != 1 {
		t.Fatalf("bundles in %s: %v", dir, m)
	}
	return m[0]
}

func TestBackupCommand(t *testing.T) {
	repo := backupRepo(t)
	work := t.TempDir()
	os.Mkdir(filepath.Join(work, "backups"), 0o755)

	// DEST relative to the working directory; a directory gets a timestamped name.
	stdout, stderr, code := run(t, work, "backup", "backups", "--repo", repo)
	if code != ExitOK {
		t.Fatalf("backup: exit %d\n%s%s", code, stdout, stderr)
	}
	for _, want := range []string{"已备份 " + repo, "引用：5 个（分支 3、标签 2）", "提交：4 个", "SHA-256：", ".bundle.sha256", "用时", "git fsck --full", "恢复：git clone"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	if !strings.Contains(stderr, "1 处未提交的改动") || !strings.Contains(stderr, "?? content/kb/2026/KB-2026-001.md") {
		t.Errorf("stderr must warn about the uncommitted draft:\n%s", stderr)
	}
	bundle := onlyBundle(t, filepath.Join(work, "backups"))

	stdout, stderr, code = run(t, work, "backup", "verify", "backups/"+filepath.Base(bundle), "--against", repo)
	if code != ExitOK {
		t.Fatalf("verify: exit %d\n%s%s", code, stdout, stderr)
	}
	for _, want := range []string{"[通过] SHA-256 校验", "[通过] git bundle verify", "[通过] 克隆", "[通过] git fsck --full", "[通过] 与仓库对比",
		"refs/heads/hotfix", "附注标签 →", "共 4 个提交", "历史与 " + repo + " 完全相同"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("verify stdout lacks %q:\n%s", want, stdout)
		}
	}

	// Restore as the user guide says: the same refs and commit ids.
	restored := filepath.Join(t.TempDir(), "restored.git")
	git(t, work, nil, "clone", "-q", "--mirror", bundle, restored)
	refs := func(dir string) string {
		out, err := exec.Command("git", "-C", dir, "for-each-ref", "--format=%(objectname) %(refname)").Output()
		if err != nil {
			t.Fatal(err)
		}
		return string(out)
	}
	if got, want := refs(restored), refs(repo); got != want {
		t.Errorf("restored refs:\n%s\nwant\n%s", got, want)
	}

	// A new commit: the backup no longer equals the repository.
	git(t, repo, as("张伟", "2026-11-03T09:00:00+08:00"), "commit", "-q", "--allow-empty", "-m", "新提交")
	stdout, _, code = run(t, work, "backup", "verify", bundle, "--against", repo)
	if code != ExitFound || !strings.Contains(stdout, "[失败] 与仓库对比") || !strings.Contains(stdout, "refs/heads/main 在备份中是") {
		t.Errorf("verify against a moved repository: exit %d\n%s", code, stdout)
	}
}

func TestBackupVerifyCommand(t *testing.T) {
	repo := backupRepo(t)
	dir := t.TempDir()
	if _, stderr, code := run(t, repo, "backup", dir); code != ExitOK { // --repo defaults to the enclosing repository
		t.Fatalf("backup: exit %d %s", code, stderr)
	}
	bundle := onlyBundle(t, dir)
	data, _ := os.ReadFile(bundle)

	corrupt := filepath.Join(dir, "corrupt.bundle")
	bad := append([]byte(nil), data...)
	for i := len(bad) / 2; i < len(bad)/2+4; i++ {
		bad[i] ^= 0xff
	}
	os.WriteFile(corrupt, bad, 0o600)
	sidecar, _ := os.ReadFile(bundle + ".sha256")
	os.WriteFile(corrupt+".sha256", sidecar, 0o644)
	stdout, _, code := run(t, dir, "backup", "verify", corrupt)
	if code != ExitFound || !strings.Contains(stdout, "[失败] SHA-256 校验：SHA-256 不符") || !strings.Contains(stdout, "损坏") || !strings.Contains(stdout, "不能用于恢复") {
		t.Errorf("corrupted: exit %d\n%s", code, stdout)
	}

	truncated := filepath.Join(dir, "truncated.bundle")
	os.WriteFile(truncated, data[:len(data)*2/3], 0o600)
	stdout, _, code = run(t, dir, "backup", "verify", truncated)
	if code != ExitFound || !strings.Contains(stdout, "[警告] SHA-256 校验：缺少校验文件") || !strings.Contains(stdout, "[失败] 克隆") {
		t.Errorf("truncated: exit %d\n%s", code, stdout)
	}

	os.Remove(bundle + ".sha256")
	stdout, _, code = run(t, dir, "backup", "verify", bundle)
	if code != ExitOK || !strings.Contains(stdout, "[警告] SHA-256 校验：缺少校验文件") || !strings.Contains(stdout, "[通过] git fsck --full") {
		t.Errorf("missing sidecar: exit %d\n%s", code, stdout)
	}
}

func TestBackupCommandErrors(t *testing.T) {
	repo := backupRepo(t)
	dir := t.TempDir()
	plain := filepath.Join(dir, "plain")
	os.WriteFile(plain, []byte("x"), 0o644)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"backup"}, "需要且只需要一个备份目标"},
		{[]string{"backup", dir, dir}, "需要且只需要一个备份目标"},
		{[]string{"backup", filepath.Join(plain, "x.bundle"), "--repo", repo}, "不是目录"},
		{[]string{"backup", filepath.Join(dir, "missing") + "/", "--repo", repo}, "mkdir -p"},
		{[]string{"backup", dir, "--repo", dir}, "不是 git 仓库"},
		{[]string{"backup", "verify"}, "需要且只需要一个备份文件"},
		{[]string{"backup", "verify", filepath.Join(dir, "none.bundle")}, "不存在"},
		{[]string{"backup", "verify", plain, "--repo", repo}, "--against"},
	} {
		_, stderr, code := run(t, dir, c.args...)
		if code != ExitError || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", c.args, code, stderr, c.want)
		}
	}
	if got := snapshot(t, dir); got != "plain 1\n" {
		t.Errorf("left behind:\n%s", got)
	}
	if stdout, _, code := run(t, dir, "backup", "verify", plain); code != ExitFound || !strings.Contains(stdout, "不是 git bundle 文件") {
		t.Errorf("a plain file: exit %d\n%s", code, stdout)
	}

	t.Setenv("PATH", t.TempDir())
	for _, args := range [][]string{{"backup", dir, "--repo", repo}, {"backup", "verify", plain}} {
		if _, stderr, code := run(t, dir, args...); code != ExitError || !strings.Contains(stderr, "找不到 git 命令") {
			t.Errorf("%v without git: exit %d %s", args, code, stderr)
		}
	}
}

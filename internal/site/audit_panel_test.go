package site

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opsbook/opsbook/internal/signers"
	"github.com/opsbook/opsbook/internal/signers/signerstest"
)

// TestAuditPanelShowsApprovalStrength: a record page's audit panel says
// what each approval rests on — a reviewer's verified signature, or only
// the committer name — and that an unsigned merge in a repository with
// listed keys is no approval.
func TestAuditPanelShowsApprovalStrength(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Fatalf("the git CLI is needed: %v", err)
	}
	kLiu := signerstest.SSHKey(t, "刘洋", "liuyang@example.invalid")
	const kb = "content/kb/2026/KB-2026-802.md"
	for _, c := range []struct {
		name   string
		signed bool // the repository lists 刘洋's key
		sign   bool // 刘洋 signs the merge
		want   string
	}{
		{"signed", true, true, "刘洋 于 2026-10-02 10:00 合并批准（"},
		{"unsigned repository", false, false, "仅提交者信息"},
		{"unsigned merge", true, false, "签名未通过验证，不算批准"},
	} {
		t.Run(c.name, func(t *testing.T) {
			root := miniRepo(t)
			git := func(name, email string, env []string, args ...string) {
				t.Helper()
				cmd := exec.Command("git", args...)
				cmd.Dir = root
				cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null",
					"GIT_AUTHOR_NAME="+name, "GIT_AUTHOR_EMAIL="+email, "GIT_COMMITTER_NAME="+name, "GIT_COMMITTER_EMAIL="+email,
					"GIT_AUTHOR_DATE=2026-10-02T10:00:00+08:00", "GIT_COMMITTER_DATE=2026-10-02T10:00:00+08:00")
				cmd.Env = append(cmd.Env, env...)
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Fatalf("git %v: %v\n%s", args, err, out)
				}
			}
			if c.signed {
				writeTo(t, root, signers.AllowedSignersPath, kLiu.AllowedSigner())
			}
			git("张伟", "zhangwei@example.invalid", nil, "init", "-q", "-b", "main")
			git("张伟", "zhangwei@example.invalid", nil, "add", "-A")
			git("张伟", "zhangwei@example.invalid", nil, "commit", "-q", "-m", "初始化")
			git("李娜", "lina@example.invalid", nil, "checkout", "-q", "-b", "kb")
			writeTo(t, root, kb, "---\nid: KB-2026-802\nkind: kb\ntitle: 审批依据示例\ncategory: howto\nupdated: 2026-10-16\naudience: engineer\n---\n\n## 步骤\n\n1. 检查。\n")
			git("李娜", "lina@example.invalid", nil, "add", "-A")
			git("李娜", "lina@example.invalid", nil, "commit", "-q", "-m", "知识库")
			git("刘洋", "liuyang@example.invalid", nil, "checkout", "-q", "main")
			args, env := []string{"merge", "-q", "--no-ff", "--no-edit"}, []string(nil)
			if c.sign {
				args, env = append(args, "-S"), kLiu.GitEnv()
			}
			git("刘洋", "liuyang@example.invalid", env, append(args, "kb")...)

			s := mustBuild(t, root, filepath.Join(t.TempDir(), "public"))
			page := readOut(t, s.out, "kb/KB-2026-802/index.html")
			panel := auditSection.FindString(page)
			if !strings.Contains(panel, c.want) {
				t.Errorf("audit panel lacks %q:\n%s", c.want, panel)
			}
			if c.sign && !strings.Contains(panel, "签名已验证") {
				t.Errorf("audit panel lacks 签名已验证:\n%s", panel)
			}
		})
	}
}

func writeTo(t *testing.T, root, rel, content string) {
	t.Helper()
	p := filepath.Join(root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

package cli

import (
	"strings"
	"testing"

	"github.com/opsbook/opsbook/internal/signers"
	"github.com/opsbook/opsbook/internal/signers/signerstest"
)

// audit approvals in a repository that lists reviewers' keys: a merge its
// author made under the reviewer's committer name is a violation (exit 1
// with --strict), a merge the reviewer signed shows 签名已验证, and a merge
// from before the list shows 仅提交者信息.
func TestAuditApprovalsForgedCommitter(t *testing.T) {
	dir := approvalRepo(t)
	kLiu, kLina := signerstest.SSHKey(t, "刘洋", "刘洋@example.invalid"), signerstest.SSHKey(t, "李娜", "李娜@example.invalid")
	writeTestFile(t, dir, signers.AllowedSignersPath, kLiu.AllowedSigner()+kLina.AllowedSigner())
	git(t, dir, nil, "add", ".")
	git(t, dir, as("张伟", "2026-10-03T12:00:00+08:00"), "commit", "-qm", "登记审核人密钥")

	propose := func(id, author, date string) {
		git(t, dir, nil, "checkout", "-qb", "change/"+id)
		writeTestFile(t, dir, "content/change/2026/"+id+".md", changeMD(id, author))
		git(t, dir, nil, "add", ".")
		git(t, dir, as(author, date), "commit", "-qm", "变更方案 "+id)
		git(t, dir, nil, "checkout", "-q", "main")
	}
	propose("CHG-2026-002", "李娜", "2026-10-04T10:00:00+08:00")
	forged := append(as("李娜", "2026-10-04T11:00:00+08:00"), "GIT_COMMITTER_NAME=刘洋", "GIT_COMMITTER_EMAIL=刘洋@example.invalid")
	git(t, dir, forged, "merge", "--no-ff", "--no-edit", "change/CHG-2026-002")
	propose("CHG-2026-003", "李娜", "2026-10-05T10:00:00+08:00")
	git(t, dir, append(as("刘洋", "2026-10-05T11:00:00+08:00"), kLiu.GitEnv()...), "merge", "-S", "--no-ff", "--no-edit", "change/CHG-2026-003")

	out, stderr, code := run(t, dir, "audit", "approvals", "--strict")
	if code != ExitFound {
		t.Errorf("exit %d, want %d\n%s%s", code, ExitFound, out, stderr)
	}
	lines := map[string]string{}
	for _, l := range strings.Split(out, "\n") {
		if id, _, ok := strings.Cut(l, " "); ok && strings.HasPrefix(id, "CHG-") {
			lines[id] = l
		}
	}
	for id, want := range map[string][]string{
		"CHG-2026-001": {"仅提交者信息", "✓ 他人合并批准"},
		"CHG-2026-002": {"未签名", "✗ 合并未签名"},
		"CHG-2026-003": {"签名已验证", "✓ 他人合并批准"},
	} {
		for _, w := range want {
			if !strings.Contains(lines[id], w) {
				t.Errorf("%s row lacks %q: %q\n%s", id, w, lines[id], out)
			}
		}
	}
	if !strings.Contains(out, "[approval/unsigned]") || !strings.Contains(out, "签名验证已启用") || strings.Contains(lines["CHG-2026-002"], "他人合并批准") {
		t.Errorf("output:\n%s", out)
	}
}

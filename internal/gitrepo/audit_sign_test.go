package gitrepo

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opsbook/opsbook/internal/signers"
	"github.com/opsbook/opsbook/internal/signers/signerstest"
)

// signRepo is a work tree whose history is built with the real git CLI,
// commits signed with real keys.
type signRepo struct {
	t   *testing.T
	dir string
}

type person struct{ name, email string }

var (
	zhang = person{"张伟", "zhangwei@example.invalid"}
	lina  = person{"李娜", "lina@example.invalid"}
	liu   = person{"刘洋", "liuyang@example.invalid"}
	wang  = person{"王强", "wangqiang@example.invalid"}
)

func newSignRepo(t *testing.T) *signRepo {
	requireGit(t)
	r := &signRepo{t: t, dir: t.TempDir()}
	r.git(zhang, zhang, nil, "init", "-q", "-b", "main")
	writeFile(t, r.dir, "README.md", "# 运维台账\n")
	r.git(zhang, zhang, nil, "add", "-A")
	r.git(zhang, zhang, nil, "commit", "-q", "-m", "初始化")
	return r
}

// git runs git as author/committer with extra environment (signing keys).
func (r *signRepo) git(author, committer person, env []string, args ...string) string {
	r.t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = r.dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null", "GIT_TERMINAL_PROMPT=0",
		"GIT_AUTHOR_NAME="+author.name, "GIT_AUTHOR_EMAIL="+author.email,
		"GIT_COMMITTER_NAME="+committer.name, "GIT_COMMITTER_EMAIL="+committer.email)
	cmd.Env = append(cmd.Env, env...)
	out, err := cmd.Output()
	if err != nil {
		msg := ""
		if ee, ok := err.(*exec.ExitError); ok {
			msg = string(ee.Stderr)
		}
		r.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, msg)
	}
	return strings.TrimSpace(string(out))
}

// branch commits files as who on a new branch from main.
func (r *signRepo) branch(who person, name string, files map[string]string) {
	r.t.Helper()
	r.git(who, who, nil, "checkout", "-q", "-b", name, "main")
	for p, c := range files {
		writeFile(r.t, r.dir, p, c)
	}
	r.git(who, who, nil, "add", "-A")
	r.git(who, who, nil, "commit", "-q", "-m", "提交 "+name)
	r.git(who, who, nil, "checkout", "-q", "main")
}

// merge merges branch into main with git merge --no-ff as author and
// committer (either may be forged), signed with key when given; it
// returns the merge commit.
func (r *signRepo) merge(author, committer person, key *signerstest.Key, branch string) string {
	r.t.Helper()
	args := []string{"merge", "-q", "--no-ff", "--no-edit"}
	var env []string
	if key != nil {
		args = append(args, "-S")
		env = key.GitEnv()
	}
	r.git(author, committer, env, append(args, branch)...)
	return r.git(zhang, zhang, nil, "rev-parse", "HEAD")
}

func (r *signRepo) trail() *Trail {
	r.t.Helper()
	tr, err := ApprovalTrail(context.Background(), r.dir, "main", "content/change/")
	if err != nil {
		r.t.Fatal(err)
	}
	return tr
}

func changeFile(id string) string { return "content/change/2026/" + id + ".md" }

// An author who merges their own branch under a reviewer's committer name
// is no approval once the repository lists reviewers' keys: unsigned, or
// signed with the author's own key.
func TestForgedCommitterNameIsNoApproval(t *testing.T) {
	r := newSignRepo(t)
	kLina, kLiu := signerstest.SSHKey(t, lina.name, lina.email), signerstest.SSHKey(t, liu.name, liu.email)
	writeFile(t, r.dir, signers.AllowedSignersPath, "# 审核人\n"+kLina.AllowedSigner()+kLiu.AllowedSigner())
	r.git(zhang, zhang, nil, "add", "-A")
	r.git(zhang, zhang, nil, "commit", "-q", "-m", "审核人密钥")

	r.branch(lina, "change/001", map[string]string{changeFile("CHG-1"): "id: CHG-1\n"})
	forged := r.merge(lina, liu, nil, "change/001")
	r.branch(lina, "change/002", map[string]string{changeFile("CHG-2"): "id: CHG-2\n"})
	selfSigned := r.merge(lina, liu, &kLina, "change/002")
	// The git CLI itself says the forged merges are not the reviewer's.
	if out := r.git(zhang, zhang, nil, "log", "-1", "--format=%cn", forged); out != liu.name {
		t.Fatalf("committer %q", out)
	}

	tr := r.trail()
	if !tr.Signed || len(tr.KeyChanges) != 1 || !tr.KeyChanges[0].Bootstrap {
		t.Errorf("signed %v, key changes %+v", tr.Signed, tr.KeyChanges)
	}
	a := tr.Files[changeFile("CHG-1")]
	if a == nil || a.Independent || a.Verdict != VerdictUnsigned || !strings.Contains(a.Reason, "没有签名") {
		t.Fatalf("forged unsigned merge %s: %+v", forged[:8], a)
	}
	if a.CurrentApproval().Strength != "" {
		t.Errorf("strength of an unsigned merge: %q", a.CurrentApproval().Strength)
	}
	a = tr.Files[changeFile("CHG-2")]
	if a == nil || a.Independent || a.Verdict != VerdictSelfMerged || a.CurrentApproval().By != lina.name || a.CurrentApproval().Strength != signers.StrengthVerified {
		t.Fatalf("forged merge signed by the author %s: %+v %+v", selfSigned[:8], a, a.CurrentApproval())
	}
}

// A merge signed by a listed reviewer other than the author approves; one
// signed by an unlisted key, or altered after signing, does not.
func TestSignedMergeApproves(t *testing.T) {
	r := newSignRepo(t)
	kLina, kLiu, kWang := signerstest.SSHKey(t, lina.name, lina.email), signerstest.SSHKey(t, liu.name, liu.email), signerstest.SSHKey(t, wang.name, wang.email)
	writeFile(t, r.dir, signers.AllowedSignersPath, kLina.AllowedSigner()+kLiu.AllowedSigner())
	r.git(zhang, zhang, nil, "add", "-A")
	r.git(zhang, zhang, nil, "commit", "-q", "-m", "审核人密钥")

	r.branch(lina, "change/001", map[string]string{changeFile("CHG-1"): "id: CHG-1\n"})
	good := r.merge(liu, liu, &kLiu, "change/001")
	r.branch(lina, "change/002", map[string]string{changeFile("CHG-2"): "id: CHG-2\n"})
	r.merge(wang, wang, &kWang, "change/002")
	// A reviewer's signed merge whose committer was typed as someone else
	// is still the reviewer's approval.
	r.branch(lina, "change/003", map[string]string{changeFile("CHG-3"): "id: CHG-3\n"})
	r.merge(liu, zhang, &kLiu, "change/003")

	tr := r.trail()
	a := tr.Files[changeFile("CHG-1")]
	if ap := a.CurrentApproval(); !a.Independent || ap.By != liu.name || ap.Strength != signers.StrengthVerified || ap.Commit != good || !strings.HasPrefix(ap.Key, "SHA256:") {
		t.Errorf("signed by another reviewer: %+v %+v", a, ap)
	}
	a = tr.Files[changeFile("CHG-2")]
	if a.Independent || a.Verdict != VerdictBadSignature || !strings.Contains(a.Reason, "不在 .opsbook/allowed_signers 中") {
		t.Errorf("signed by an unlisted key: %+v", a)
	}
	a = tr.Files[changeFile("CHG-3")]
	if ap := a.CurrentApproval(); !a.Independent || ap.By != liu.name {
		t.Errorf("signed by a reviewer, committer typed as another: %+v %+v", a, ap)
	}

	// git itself agrees with the verified merge.
	r.git(zhang, zhang, []string{"GIT_CONFIG_COUNT=1", "GIT_CONFIG_KEY_0=gpg.ssh.allowedSignersFile", "GIT_CONFIG_VALUE_0=" + filepath.Join(r.dir, signers.AllowedSignersPath)}, "verify-commit", good)

	// A signed merge altered afterwards (its message edited, the signature
	// kept) no longer approves.
	raw := r.git(zhang, zhang, nil, "cat-file", "commit", "HEAD")
	cmd := exec.Command("git", "hash-object", "-t", "commit", "-w", "--stdin")
	cmd.Dir, cmd.Stdin = r.dir, strings.NewReader(strings.Replace(raw, "Merge branch", "Merge  branch", 1)+"\n")
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	r.git(zhang, zhang, nil, "update-ref", "refs/heads/main", strings.TrimSpace(string(out)))
	if a := r.trail().Files[changeFile("CHG-3")]; a.Independent || a.Verdict != VerdictBadSignature || !strings.Contains(a.Reason, "签名与提交内容不符") {
		t.Errorf("altered signed merge: %+v", a)
	}

	// A reviewer's signed merge that hides an edit of the change, naming
	// the author as the merge's author, was written by the reviewer.
	r.branch(lina, "change/005", map[string]string{changeFile("CHG-5"): "id: CHG-5\n"})
	r.git(liu, liu, nil, "merge", "-q", "--no-ff", "--no-commit", "change/005")
	writeFile(t, r.dir, changeFile("CHG-5"), "id: CHG-5\nhidden: edit\n")
	r.git(liu, liu, nil, "add", "-A")
	r.git(lina, liu, kLiu.GitEnv(), "commit", "-q", "-S", "--no-edit")
	if a := r.trail().Files[changeFile("CHG-5")]; a.Independent || a.Verdict != VerdictMergerWrote {
		t.Errorf("signed merge hiding an edit: %+v", a)
	}

	// A repository without allowed_signers keeps committer-name approvals,
	// shown as such.
	plain := newSignRepo(t)
	plain.branch(lina, "change/001", map[string]string{changeFile("CHG-1"): "id: CHG-1\n"})
	plain.merge(liu, liu, nil, "change/001")
	ptr := plain.trail()
	if a := ptr.Files[changeFile("CHG-1")]; ptr.Signed || !a.Independent || a.CurrentApproval().Strength != signers.StrengthCommitter {
		t.Errorf("unsigned repository: signed %v %+v", ptr.Signed, a)
	}
}

// Changes to the key lists need a signed approval by an existing reviewer
// other than their author; until then the old list stays in force.
func TestSignersChangeNeedsSignedApproval(t *testing.T) {
	r := newSignRepo(t)
	kLina, kLiu, kWang := signerstest.SSHKey(t, lina.name, lina.email), signerstest.SSHKey(t, liu.name, liu.email), signerstest.SSHKey(t, wang.name, wang.email)
	base := kLina.AllowedSigner() + kLiu.AllowedSigner()
	writeFile(t, r.dir, signers.AllowedSignersPath, base)
	r.git(zhang, zhang, nil, "add", "-A")
	r.git(zhang, zhang, nil, "commit", "-q", "-m", "审核人密钥")

	// 王强 adds his own key and merges it himself, signed with that key.
	r.branch(wang, "keys/wang", map[string]string{signers.AllowedSignersPath: base + kWang.AllowedSigner()})
	r.merge(wang, wang, &kWang, "keys/wang")
	// His signature on a change is still not an approval.
	r.branch(lina, "change/001", map[string]string{changeFile("CHG-1"): "id: CHG-1\n"})
	r.merge(wang, wang, &kWang, "change/001")
	// 李娜 adds 刘洋's second key and merges it herself, signed.
	kLiu2 := signerstest.SSHKey(t, liu.name, liu.email)
	r.branch(lina, "keys/liu2", map[string]string{signers.AllowedSignersPath: base + kWang.AllowedSigner() + kLiu2.AllowedSigner()})
	r.merge(lina, lina, &kLina, "keys/liu2")

	tr := r.trail()
	if len(tr.KeyChanges) != 3 {
		t.Fatalf("key changes: %+v", tr.KeyChanges)
	}
	for i, kc := range tr.KeyChanges[1:] {
		if kc.Approved || kc.Rule != RuleSignersUnapproved {
			t.Errorf("key change %d approved: %+v", i+1, kc)
		}
	}
	if !strings.Contains(tr.KeyChanges[2].Reason, "自行审批") {
		t.Errorf("self-approved key change: %s", tr.KeyChanges[2].Reason)
	}
	if a := tr.Files[changeFile("CHG-1")]; a.Independent || a.Verdict != VerdictBadSignature {
		t.Errorf("merge signed with a key of an unapproved list: %+v", a)
	}

	// 刘洋 approves 王强's key with a signed merge: from then on it counts.
	r.branch(wang, "keys/wang2", map[string]string{signers.AllowedSignersPath: base + kWang.AllowedSigner() + "# 王强\n"})
	r.merge(liu, liu, &kLiu, "keys/wang2")
	r.branch(lina, "change/002", map[string]string{changeFile("CHG-2"): "id: CHG-2\n"})
	r.merge(wang, wang, &kWang, "change/002")
	tr = r.trail()
	if kc := tr.KeyChanges[len(tr.KeyChanges)-1]; !kc.Approved || kc.By != liu.name || kc.Strength != signers.StrengthVerified {
		t.Errorf("approved key change: %+v", kc)
	}
	if a := tr.Files[changeFile("CHG-2")]; !a.Independent || a.CurrentApproval().By != wang.name {
		t.Errorf("merge signed with an approved new key: %+v", a)
	}
}

// A web merge signed by a trusted platform's OpenPGP key (GitHub's
// web-flow key) counts for the user the platform recorded, when that user
// is a listed reviewer other than the author.
func TestPlatformSignedMerge(t *testing.T) {
	r := newSignRepo(t)
	kLina, kLiu := signerstest.SSHKey(t, lina.name, lina.email), signerstest.SSHKey(t, liu.name, liu.email)
	web := signerstest.PGPKey(t, "GitHub", "noreply@github.com")
	writeFile(t, r.dir, signers.AllowedSignersPath, kLina.AllowedSigner()+kLiu.AllowedSigner())
	writeFile(t, r.dir, signers.PlatformKeysPath, web.Public)
	r.git(zhang, zhang, nil, "add", "-A")
	r.git(zhang, zhang, nil, "commit", "-q", "-m", "审核人密钥与 GitHub web-flow 公钥")
	github := person{"GitHub", "noreply@github.com"}

	r.branch(lina, "change/001", map[string]string{changeFile("CHG-1"): "id: CHG-1\n"})
	r.merge(liu, github, &web, "change/001")
	r.branch(lina, "change/002", map[string]string{changeFile("CHG-2"): "id: CHG-2\n"})
	r.merge(lina, github, &web, "change/002")
	r.branch(lina, "change/003", map[string]string{changeFile("CHG-3"): "id: CHG-3\n"})
	r.merge(wang, github, &web, "change/003")
	// A merge claiming to be GitHub's without its signature.
	r.branch(lina, "change/004", map[string]string{changeFile("CHG-4"): "id: CHG-4\n"})
	r.merge(liu, github, nil, "change/004")

	tr := r.trail()
	if a := tr.Files[changeFile("CHG-1")]; !a.Independent || a.CurrentApproval().By != liu.name || a.CurrentApproval().Strength != signers.StrengthPlatform || a.CurrentApproval().Via != "GitHub" {
		t.Errorf("platform merge by a reviewer: %+v %+v", a, a.CurrentApproval())
	}
	if a := tr.Files[changeFile("CHG-2")]; a.Independent || a.Verdict != VerdictSelfMerged {
		t.Errorf("platform merge by the author: %+v", a)
	}
	if a := tr.Files[changeFile("CHG-3")]; a.Independent || a.Verdict != VerdictBadSignature || !strings.Contains(a.Reason, "不是 .opsbook/allowed_signers 中列出的审核人") {
		t.Errorf("platform merge by an unlisted user: %+v", a)
	}
	if a := tr.Files[changeFile("CHG-4")]; a.Independent || a.Verdict != VerdictUnsigned {
		t.Errorf("unsigned merge under the platform's name: %+v", a)
	}

	// A Gitea instance signing with an SSH key listed in platform_signers
	// (its principal is the instance's SIGNING_EMAIL): the merge's author
	// is who merged. The list change is approved by 刘洋's signed merge.
	gitea := person{"Gitea", "gitea@git.example.invalid"}
	instance := signerstest.SSHKey(t, gitea.name, gitea.email)
	r.branch(lina, "keys/gitea", map[string]string{signers.PlatformSignersPath: instance.AllowedSigner()})
	r.merge(liu, liu, &kLiu, "keys/gitea")
	r.branch(lina, "change/005", map[string]string{changeFile("CHG-5"): "id: CHG-5\n"})
	r.merge(liu, gitea, &instance, "change/005")
	tr = r.trail()
	if kc := tr.KeyChanges[len(tr.KeyChanges)-1]; !kc.Approved {
		t.Errorf("platform key list change: %+v", kc)
	}
	if a := tr.Files[changeFile("CHG-5")]; !a.Independent || a.CurrentApproval().By != liu.name || a.CurrentApproval().Strength != signers.StrengthPlatform || a.CurrentApproval().Via != "Gitea" {
		t.Errorf("Gitea instance-signed merge: %+v %+v", a, a.CurrentApproval())
	}
}

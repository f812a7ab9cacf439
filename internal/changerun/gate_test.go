package changerun

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/opsbook/opsbook/internal/signers"
	"github.com/opsbook/opsbook/internal/signers/signerstest"
)

// gitAs runs git in the fixture's clone with author's identity, the
// committer's name and e-mail typed as committer's, and extra environment.
func (f *fixture) gitAs(who, committer person, extra []string, args ...string) {
	f.t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = f.clone
	cmd.Env = append(append(append(os.Environ(), who.env()...), "GIT_COMMITTER_NAME="+committer.name, "GIT_COMMITTER_EMAIL="+committer.email), extra...)
	if out, err := cmd.CombinedOutput(); err != nil {
		f.t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

// Once the repository lists reviewers' keys, change run refuses a change
// its author merged under the reviewer's committer name (unsigned, or
// signed with the author's own key), and runs one the reviewer signed.
func TestForgedCommitterMergeIsRefused(t *testing.T) {
	f := newFixture(t)
	kAuthor, kReviewer := signerstest.SSHKey(t, author.name, author.email), signerstest.SSHKey(t, reviewer.name, reviewer.email)
	f.write(signers.AllowedSignersPath, kAuthor.AllowedSigner()+kReviewer.AllowedSigner())
	f.git(admin, "add", ".")
	f.git(admin, "commit", "-qm", "审核人密钥")
	steps := f.ssh("step-a", f.logs("a"))

	forged := change{id: "CHG-2026-111", start: holidayStart, end: holidayEnd, steps: steps}
	branch := f.propose(forged)
	f.git(author, "checkout", "-q", "main")
	f.gitAs(author, reviewer, nil, "merge", "-q", "--no-ff", "-m", "Merge "+branch, branch)
	_, err := f.prepare(forged.id, inHoliday, nil)
	if r := refused(t, err, RefuseNotApproved); !strings.Contains(r.Error(), "没有签名") || !strings.Contains(r.Error(), "git merge -S") {
		t.Errorf("refusal of an unsigned forged merge: %v", r)
	}

	selfSigned := change{id: "CHG-2026-112", start: holidayStart, end: holidayEnd, steps: steps}
	branch = f.propose(selfSigned)
	f.git(author, "checkout", "-q", "main")
	f.gitAs(author, reviewer, kAuthor.GitEnv(), "merge", "-q", "--no-ff", "-S", "-m", "Merge "+branch, branch)
	_, err = f.prepare(selfSigned.id, inHoliday, nil)
	if r := refused(t, err, RefuseNotApproved); !strings.Contains(r.Error(), "也是该变更的作者") {
		t.Errorf("refusal of a forged merge signed by the author: %v", r)
	}

	good := change{id: "CHG-2026-113", start: holidayStart, end: holidayEnd, steps: steps}
	branch = f.propose(good)
	f.git(reviewer, "checkout", "-q", "main")
	f.gitAs(reviewer, reviewer, kReviewer.GitEnv(), "merge", "-q", "--no-ff", "-S", "-m", "Merge "+branch, branch)
	pl, err := f.prepare(good.id, inHoliday, nil)
	if err != nil {
		t.Fatalf("a change the reviewer signed is refused: %v", err)
	}
	if pl.Approval.By != reviewer.name || pl.Approval.Strength != signers.StrengthVerified {
		t.Errorf("approval: %+v", pl.Approval)
	}
	if got := f.logged(); got != nil {
		t.Errorf("a refused change ran steps: %v", got)
	}
}

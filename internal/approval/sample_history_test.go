package approval

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/opsbook/opsbook/internal/gitrepo"
	"github.com/opsbook/opsbook/internal/record"
	"github.com/opsbook/opsbook/internal/signers"
	"github.com/opsbook/opsbook/internal/testrepo"
)

// TestSampleHistory runs .ci/sample-history and audits the repository it
// builds: every deliberate case is flagged, drafts stay on their branches,
// every other change is approved by a reviewer, and main ends with the
// same records as this repository.
func TestSampleHistory(t *testing.T) {
	for _, tool := range []string{"bash", "git", "ssh-keygen"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is needed to run .ci/sample-history: %v", tool, err)
		}
	}
	// Its subject is the sample's own history: it reads the checkout.
	src := testrepo.Sample(t)
	dest := filepath.Join(t.TempDir(), "sample")
	cmd := exec.Command("bash", filepath.Join(src, ".ci", "sample-history"), dest)
	cmd.Env = append(os.Environ(), "SOURCE="+src)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf(".ci/sample-history: %v\n%s", err, out)
	}
	t.Logf("%s", out)
	const selfMerged, fastForward, edited = "CHG-2026-005", "CHG-2026-014", "CHG-2026-010"

	rp := load(t, dest, "main", time.Now())
	// Every merge is signed with a throw-away key listed in the history.
	if !rp.Signed || len(rp.KeyChanges) != 1 || !rp.KeyChanges[0].Bootstrap || len(rp.KeyFindings) > 0 {
		t.Errorf("signers: signed %v, key changes %+v, findings %+v", rp.Signed, rp.KeyChanges, rp.KeyFindings)
	}
	for _, c := range rp.Changes {
		for _, m := range c.Merges {
			if m.Strength != signers.StrengthVerified {
				t.Errorf("%s: merge %s has strength %q, want verified", c.ID, m.Commit, m.Strength)
			}
		}
	}
	// git itself verifies them against the listed keys.
	verify := exec.Command("git", "-c", "gpg.ssh.allowedSignersFile="+filepath.Join(dest, signers.AllowedSignersPath), "log", "--merges", "--format=%G?", "main")
	verify.Dir = dest
	if out, err := verify.Output(); err != nil || strings.Trim(string(out), "G\n") != "" {
		t.Errorf("git's verdicts on the sample's merges (G = good): %v\n%s", err, out)
	}
	drafts := sourceDrafts(t, src)
	if len(drafts) == 0 {
		t.Error("the sample has no draft change: nothing shows the draft state")
	}
	seen := map[string]bool{}
	for _, c := range rp.Changes {
		seen[c.ID] = true
		switch {
		case drafts[c.ID]:
			if c.OnMain || c.State != StateDraft || !slices.Equal(c.Branches, []string{"change/" + c.ID}) {
				t.Errorf("%s: want a draft on change/%s, got state %s on main %v branches %q", c.ID, c.ID, c.State, c.OnMain, c.Branches)
			}
		case c.ID == selfMerged:
			if !slices.Equal(rules(c), []string{RuleSelfApproval}) || c.Verdict != gitrepo.VerdictSelfMerged || c.Merge.Strength != signers.StrengthVerified {
				t.Errorf("%s (self-merged): %s %+v", c.ID, c.Verdict, c.Findings)
			}
		case c.ID == fastForward:
			if !slices.Equal(rules(c), []string{RuleNoMerge}) || c.Merge != nil {
				t.Errorf("%s (fast-forward): %+v %+v", c.ID, c.Merge, c.Findings)
			}
		case c.ID == edited:
			if !slices.Equal(rules(c), []string{RuleEditedAfterApproval}) || c.Merge == nil || c.Merge.Current {
				t.Errorf("%s (edited after approval): %+v %+v", c.ID, c.Merge, c.Findings)
			}
		default:
			if !c.Approved || len(c.Findings) > 0 || c.Merge == nil || slices.Contains(c.Merge.Authors, c.ApprovedBy) {
				t.Errorf("%s: want approved by a reviewer, got %+v findings %+v", c.ID, c.Merge, c.Findings)
			} else if c.ApprovedBy != "刘洋" && c.ApprovedBy != "陈建国" || c.Strength != signers.StrengthVerified {
				t.Errorf("%s: approved by %s (%s)", c.ID, c.ApprovedBy, c.Strength)
			}
			if c.Status == "approved" && c.State != StateApproved && (c.State != StateExecuted || len(c.Executions) == 0) {
				t.Errorf("%s: status approved, state %s", c.ID, c.State)
			}
		}
	}
	for _, id := range []string{selfMerged, fastForward, edited} {
		if !seen[id] {
			t.Errorf("%s is not in the sample", id)
		}
	}
	a := rp.Audit(time.Time{}, true)
	if a.Violations != 3 || !a.Failed() {
		t.Errorf("audit: %d violations, want 3", a.Violations)
	}
	// Every merge style the script writes is recognised.
	styles := map[string]bool{}
	for _, c := range rp.Changes {
		for _, m := range c.Merges {
			styles[m.Message.Style] = true
		}
	}
	for _, s := range []string{StyleGit, StyleGitHub, StyleGitea} {
		if !styles[s] {
			t.Errorf("no %q merge message in the sample", s)
		}
	}
	// Main ends with this repository's content, drafts left out.
	compareContent(t, src, dest, drafts)
}

// sourceDrafts returns the ids of the source's change records with status
// draft.
func sourceDrafts(t *testing.T, src string) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	err := filepath.WalkDir(filepath.Join(src, "content", "change"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !record.IsRecordFile(p) {
			return err
		}
		r, err := record.ReadFile(p, p, 0)
		if err != nil {
			return err
		}
		if r.Fields["status"] == "draft" {
			out[r.ID()] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func compareContent(t *testing.T, src, dest string, drafts map[string]bool) {
	t.Helper()
	files := func(root string) map[string][]byte {
		m := map[string][]byte{}
		err := filepath.WalkDir(filepath.Join(root, "content"), func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, _ := filepath.Rel(root, p)
			if strings.HasPrefix(rel, filepath.Join("content", "change")) && drafts[strings.TrimSuffix(filepath.Base(p), filepath.Ext(p))] {
				return nil
			}
			data, err := os.ReadFile(p)
			m[filepath.ToSlash(rel)] = data
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	want, got := files(src), files(dest)
	for p, data := range want {
		if g, ok := got[p]; !ok {
			t.Errorf("%s missing from the sample's main", p)
		} else if !bytes.Equal(g, data) {
			t.Errorf("%s differs on the sample's main", p)
		}
	}
	for p := range got {
		if _, ok := want[p]; !ok {
			t.Errorf("%s is on the sample's main but not in the source", p)
		}
	}
}

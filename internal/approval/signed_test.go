package approval

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/opsbook/opsbook/internal/signers"
	"github.com/opsbook/opsbook/internal/signers/signerstest"
)

// signedMerge merges branch as merger, signed with key.
func (tm *team) signedMerge(merger, committer string, key signerstest.Key, branch string) string {
	tm.t.Helper()
	tm.env = key.GitEnv()
	defer func() { tm.env = nil }()
	return tm.merge(merger, merger, committer, branch, "--no-ff", "--no-edit", "-S")
}

// Once a repository lists reviewers' keys, audit approvals shows each
// approval's strength, and unsigned merges, unlisted keys and a key-list
// change its own author merged are violations.
func TestAuditShowsSignedApprovals(t *testing.T) {
	tm := newTeam(t)
	kLina, kLiu, kWang := signerstest.SSHKey(t, "李娜", emails["李娜"]), signerstest.SSHKey(t, "刘洋", emails["刘洋"]), signerstest.SSHKey(t, "王强", emails["王强"])
	tm.direct("张伟", "张伟", map[string]string{signers.AllowedSignersPath: kLina.AllowedSigner() + kLiu.AllowedSigner()})
	rec := func(id, author string) map[string]string {
		return map[string]string{path(id): changeRecord(id, "approved", author, []string{"刘洋"}, "2026-10-10 20:00", "2026-10-10 22:00")}
	}
	tm.propose("李娜", "change/001", rec("CHG-2026-001", "李娜"))
	tm.signedMerge("刘洋", "刘洋", kLiu, "change/001")
	tm.propose("李娜", "change/002", rec("CHG-2026-002", "李娜"))
	tm.merge("李娜", "李娜", "刘洋", "change/002", "--no-ff", "--no-edit") // committer name forged
	tm.propose("王强", "change/003", rec("CHG-2026-003", "王强"))
	tm.signedMerge("王强", "王强", kWang, "change/003")
	tm.propose("王强", "keys/wang", map[string]string{signers.AllowedSignersPath: kLina.AllowedSigner() + kLiu.AllowedSigner() + kWang.AllowedSigner()})
	tm.signedMerge("王强", "王强", kWang, "keys/wang")

	rp := load(t, tm.clone("张伟"), "main", time.Date(2026, 10, 5, 9, 0, 0, 0, zone))
	if !rp.Signed || len(rp.KeyFindings) != 1 || rp.KeyFindings[0].Rule != RuleSignersUnapproved {
		t.Fatalf("signed %v, key findings %+v", rp.Signed, rp.KeyFindings)
	}
	if testing.Verbose() {
		var b bytes.Buffer
		_ = WriteAudit(&b, "text", rp.Audit(time.Time{}, false), zone)
		t.Log(b.String())
	}
	if c := byID(t, rp, "CHG-2026-001"); !c.Approved || c.ApprovedBy != "刘洋" || c.Strength != signers.StrengthVerified || c.Merge.StrengthLabel != "签名已验证" {
		t.Errorf("signed by the reviewer: %+v", c)
	}
	if c := byID(t, rp, "CHG-2026-002"); c.Approved || !slicesEqual(rules(c), []string{RuleUnsigned}) {
		t.Errorf("forged committer, unsigned: approved %v, %v", c.Approved, rules(c))
	}
	if c := byID(t, rp, "CHG-2026-003"); c.Approved || !slicesEqual(rules(c), []string{RuleBadSignature}) || !strings.Contains(c.Findings[0].Message, "不在 .opsbook/allowed_signers 中") {
		t.Errorf("unlisted key: approved %v, %+v", c.Approved, c.Findings)
	}
	a := rp.Audit(time.Time{}, true)
	if a.Approved != 1 || a.Violations != 3 || !a.Failed() {
		t.Errorf("audit: %d approved, %d violations", a.Approved, a.Violations)
	}
	var buf bytes.Buffer
	if err := WriteAudit(&buf, "text", a, zone); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"审批依据", "签名已验证", "[approval/unsigned]", "[approval/bad-signature]", ".opsbook/allowed_signers: 违规：", "[approval/signers-unapproved]", "签名验证已启用", "审核人密钥名单有 1 处违规", "首份名单由 张伟 于"} {
		if !strings.Contains(buf.String(), s) {
			t.Errorf("audit text lacks %q:\n%s", s, buf.String())
		}
	}
	buf.Reset()
	if err := WriteAudit(&buf, "json", a, zone); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Signed      bool      `json:"signed"`
		KeyFindings []Finding `json:"key_findings"`
		Changes     []struct {
			ID    string `json:"id"`
			Merge struct {
				Strength string `json:"strength"`
			} `json:"merge"`
		} `json:"changes"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil || !doc.Signed || len(doc.KeyFindings) != 1 || doc.Changes[0].Merge.Strength != "verified" {
		t.Errorf("json: %v %+v", err, doc)
	}
	buf.Reset()
	if err := WriteAudit(&buf, "github", a, zone); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "::error file=.opsbook/allowed_signers") {
		t.Errorf("github annotations:\n%s", buf.String())
	}

	// A repository without allowed_signers: committer names only, said so.
	plain := newTeam(t)
	plain.propose("李娜", "change/001", rec("CHG-2026-001", "李娜"))
	plain.merge("刘洋", "刘洋", "刘洋", "change/001", "--no-ff", "--no-edit")
	prp := load(t, plain.clone("张伟"), "main", time.Date(2026, 10, 5, 9, 0, 0, 0, zone))
	buf.Reset()
	if err := WriteAudit(&buf, "text", prp.Audit(time.Time{}, false), zone); err != nil {
		t.Fatal(err)
	}
	if c := byID(t, prp, "CHG-2026-001"); prp.Signed || !c.Approved || c.Strength != signers.StrengthCommitter ||
		!strings.Contains(buf.String(), "仅提交者信息") || !strings.Contains(buf.String(), "签名验证未启用") {
		t.Errorf("unsigned repository: %+v\n%s", c, buf.String())
	}
}

func slicesEqual(a, b []string) bool { return strings.Join(a, "|") == strings.Join(b, "|") }

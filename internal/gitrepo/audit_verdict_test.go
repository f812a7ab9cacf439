package gitrepo

import "testing"

// TestAuditVerdict checks the Verdict and Via fields that programs (the
// approval audit) switch on, one case per way a version reaches main.
func TestAuditVerdict(t *testing.T) {
	h := newAuditRepo(t)
	const (
		direct   = "content/change/direct.md"
		other    = "content/change/other.md"
		self     = "content/change/self.md"
		wrote    = "content/change/wrote.md"
		squash   = "content/change/squash.md"
		web      = "content/change/web.md"
		editedAt = "content/change/edited.md"
	)
	h.commit("张伟", "初始化", map[string]string{direct: "直接\n", wrote: "v1\n"})
	h.checkout("-b", "other")
	h.commit("李娜", "方案", map[string]string{other: "他人合并\n", editedAt: "批准前\n"})
	h.checkout("main")
	h.merge("刘洋", "刘洋", "Merge branch 'other'", "other")
	h.commit("李娜", "批准后直接修改", map[string]string{editedAt: "批准后\n"})
	h.checkout("-b", "self")
	h.commit("王芳", "方案", map[string]string{self: "自行合并\n"})
	h.checkout("main")
	h.merge("王芳", "王芳", "Merge branch 'self'", "self")
	h.checkout("-b", "wrote")
	h.commit("李娜", "改 v2", map[string]string{wrote: "v2-branch\n"})
	h.checkout("main")
	h.commit("张伟", "改 v2", map[string]string{wrote: "v2-main\n"})
	if _, ok := h.as("刘洋", "刘洋", "merge", "-q", "--no-ff", "wrote"); ok {
		t.Fatal("expected a conflict")
	}
	h.write(map[string]string{wrote: "v3\n"})
	h.must("刘洋", "刘洋", "commit", "-q", "-m", "Merge branch 'wrote'")
	h.write(map[string]string{squash: "压缩合并\n"})
	h.must("李娜", "GitHub", "commit", "-q", "-m", "方案 (#5)")
	h.checkout("-b", "web")
	h.commit("李娜", "方案", map[string]string{web: "网页合并\n"})
	h.checkout("main")
	h.merge("陈静", "GitHub", "Merge pull request #6 from lina/web", "web")

	trail, err := AuditTrail(ctxT(t), h.dir, "main", "content/")
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]struct {
		verdict   Verdict
		approvals int
		by, via   string
	}{
		direct:   {VerdictDirect, 0, "", ""},
		other:    {VerdictIndependent, 1, "刘洋", ""},
		editedAt: {VerdictDirect, 1, "刘洋", ""},
		self:     {VerdictSelfMerged, 1, "王芳", ""},
		wrote:    {VerdictMergerWrote, 1, "刘洋", ""},
		squash:   {VerdictPlatform, 0, "", ""},
		web:      {VerdictIndependent, 1, "陈静", "GitHub"},
	} {
		a := trail[path]
		if a == nil {
			t.Errorf("%s: missing", path)
			continue
		}
		if a.Verdict != want.verdict || len(a.Approvals) != want.approvals || a.Independent != (want.verdict == VerdictIndependent) {
			t.Errorf("%s: verdict %s, %d approvals, independent %v; want %s, %d", path, a.Verdict, len(a.Approvals), a.Independent, want.verdict, want.approvals)
			continue
		}
		if n := len(a.Approvals); n > 0 && (a.Approvals[n-1].By != want.by || a.Approvals[n-1].Via != want.via) {
			t.Errorf("%s: merged by %q via %q, want %q via %q", path, a.Approvals[n-1].By, a.Approvals[n-1].Via, want.by, want.via)
		}
	}
}

package approval

import (
	"fmt"
	"strings"
	"time"

	"github.com/opsbook/opsbook/internal/gitrepo"
	"github.com/opsbook/opsbook/internal/signers"
)

const timeLayout = "2006-01-02 15:04"

// shortHash abbreviates a commit hash for messages.
func shortHash(h string) string { return h[:min(len(h), 10)] }

// evidence fills a main-line change's approval evidence and findings from
// its audit trail.
func evidence(c *Change, a *gitrepo.Audit, loc *time.Location) {
	if a == nil {
		return
	}
	c.Verdict = a.Verdict
	c.Latest = &Commit{Commit: a.UpdatedCommit, By: a.UpdatedBy, At: a.UpdatedAt.In(loc)}
	cur := a.CurrentApproval()
	for i, ap := range a.Approvals {
		subject, _, _ := strings.Cut(ap.Message, "\n")
		c.Merges = append(c.Merges, Merge{Commit: ap.Commit, By: ap.By, At: ap.At.In(loc), Via: ap.Via, Authors: ap.Authors,
			Strength: ap.Strength, StrengthLabel: ap.Strength.Label(), Key: ap.Key,
			Subject: subject, Message: ParseMergeMessage(ap.Message), Current: cur != nil && i == len(a.Approvals)-1})
	}
	if n := len(c.Merges); n > 0 {
		c.Merge = &c.Merges[n-1]
	}
	reached := a.UpdatedAt.In(loc)
	if cur != nil {
		reached = cur.At.In(loc)
	}
	c.ReachedMain = &reached
	m := c.Merge
	add := func(rule, level, short, commit, format string, args ...any) {
		c.Findings = append(c.Findings, Finding{Rule: rule, Level: level, Short: short, Commit: commit, Message: fmt.Sprintf(format, args...)})
	}
	switch a.Verdict {
	case gitrepo.VerdictIndependent:
		at := m.At
		c.Approved, c.ApprovedBy, c.ApprovedAt, c.Strength = true, m.By, &at, m.Strength
		if len(c.Reviewers) > 0 && !reviewerListed(c, m.By) {
			add(RuleNotListedReviewer, LevelWarning, "合并者不在审核人名单", m.Commit,
				"由 %s 合并批准（合并提交 %s），但记录的审核人（reviewers）是 %s；请确认审批人，或把 %s 加入 reviewers",
				m.By, shortHash(m.Commit), strings.Join(c.Reviewers, "、"), m.By)
		}
	case gitrepo.VerdictSelfMerged:
		add(RuleSelfApproval, LevelError, "自行审批（"+m.By+"）", m.Commit,
			"自行审批：%s 于 %s 合并了自己编写的变更（合并提交 %s，%s）；变更须由作者以外的审核人合并批准：请由%s重新提交合并请求并由其合并",
			m.By, m.At.Format(timeLayout), shortHash(m.Commit), m.Message.Label(), reviewersText(c, m.By))
	case gitrepo.VerdictMergerWrote:
		add(RuleSelfApproval, LevelError, "合并者改写（"+m.By+"）", m.Commit,
			"自行审批：合并者 %s 在合并提交 %s 中修改了该变更（如解决冲突），合并进来的内容未经他人审核；请由%s重新审批",
			m.By, shortHash(m.Commit), reviewersText(c, m.By))
	case gitrepo.VerdictUnsigned:
		add(RuleUnsigned, LevelError, "合并未签名", m.Commit,
			"合并未签名：合并提交 %s（%s，提交者 %s，%s）没有签名；仓库已在 %s 中列出审核人的密钥，提交者姓名可以伪造，只有审核人用自己的密钥签名的合并（git merge -S）或可信平台签名的网页合并才算批准；请由%s签名合并",
			shortHash(m.Commit), m.Message.Label(), m.By, m.At.Format(timeLayout), signers.AllowedSignersPath, reviewersText(c, ""))
	case gitrepo.VerdictBadSignature:
		add(RuleBadSignature, LevelError, "签名无效", m.Commit,
			"签名无效：%s；请由%s用 %s 中列出的密钥签名合并",
			a.Reason, reviewersText(c, ""), signers.AllowedSignersPath)
	case gitrepo.VerdictDirect, gitrepo.VerdictPlatform:
		l := c.Latest
		if m != nil {
			add(RuleEditedAfterApproval, LevelError, "批准后被修改（"+l.By+"）", l.Commit,
				"批准后被修改：%s 于 %s 合并批准（合并提交 %s）后，%s 在提交 %s（%s）中直接修改了该变更，修改未经审批；请通过合并请求提交修改，由审核人重新合并批准",
				m.By, m.At.Format(timeLayout), shortHash(m.Commit), l.By, shortHash(l.Commit), l.At.Format(timeLayout))
		} else if a.Verdict == gitrepo.VerdictPlatform {
			add(RuleNoMerge, LevelError, "平台压缩/变基合并", l.Commit,
				"未经合并提交进入主分支：%s 的提交 %s（%s）由代码托管平台压缩合并或变基合并，没有合并提交，无法从 git 历史证明由他人审批；请在平台上使用“创建合并提交”方式合并",
				l.By, shortHash(l.Commit), l.At.Format(timeLayout))
		} else {
			add(RuleNoMerge, LevelError, "未经合并（快进或直接提交）", l.Commit,
				"未经合并提交进入主分支：%s 的提交 %s（%s）是主分支上的普通提交（快进合并、直接推送或本地压缩合并），没有审核人的合并记录；请通过合并请求由审核人以 git merge --no-ff 或平台的“创建合并提交”方式合并，并开启分支保护禁止直接推送",
				l.By, shortHash(l.Commit), l.At.Format(timeLayout))
		}
	}
}

// reviewersText names who should approve instead of the author.
func reviewersText(c *Change, author string) string {
	var others []string
	for _, r := range c.Reviewers {
		if r != author {
			others = append(others, r)
		}
	}
	if len(others) == 0 {
		return "作者以外的审核人"
	}
	return "审核人" + strings.Join(others, "或")
}

// keyFindings turns the key-list changes that did not take effect into
// findings.
func keyFindings(kcs []gitrepo.KeyChange, loc *time.Location) []Finding {
	var out []Finding
	for _, kc := range kcs {
		switch kc.Rule {
		case gitrepo.RuleSignersUnapproved:
			out = append(out, Finding{Rule: kc.Rule, Level: LevelError, Commit: kc.Commit,
				Short:   "密钥名单修改未经批准（" + strings.Join(kc.Authors, "、") + "）",
				Message: fmt.Sprintf("%s（%s，%s）", kc.Reason, kc.By, kc.At.In(loc).Format(timeLayout))})
		case gitrepo.RuleSignersInvalid:
			out = append(out, Finding{Rule: kc.Rule, Level: LevelError, Commit: kc.Commit, Short: "密钥名单无法解析",
				Message: fmt.Sprintf("密钥名单无法解析，未生效：%s；请修正后经审核人签名合并", kc.Reason)})
		}
	}
	return out
}

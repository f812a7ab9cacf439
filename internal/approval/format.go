package approval

import (
	"bufio"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/opsbook/opsbook/internal/diag"
	"github.com/opsbook/opsbook/internal/gitrepo"
	"github.com/opsbook/opsbook/internal/signers"
	"github.com/opsbook/opsbook/internal/termtable"
)

// Output format versions of the JSON documents.
const (
	StatusVersion = "opsbook.change-status/v1"
	AuditVersion  = "opsbook.approvals/v1"
)

// StatusFormats and AuditFormats are the output formats of WriteStatus and
// WriteAudit.
var (
	statusWriters = map[string]func(io.Writer, *Report, []*Change) error{
		"text": writeStatusText,
		"json": writeStatusJSON,
	}
	auditWriters = map[string]func(io.Writer, *Audit, *time.Location) error{
		"text":   writeAuditText,
		"json":   writeAuditJSON,
		"github": writeAuditGitHub,
	}
)

// StatusFormats lists WriteStatus's formats.
func StatusFormats() []string { return keys(statusWriters) }

// AuditFormats lists WriteAudit's formats.
func AuditFormats() []string { return keys(auditWriters) }

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// WriteStatus prints the changes' lifecycle states in format (text: a
// Chinese table; json: one document).
func WriteStatus(w io.Writer, format string, r *Report, changes []*Change) error {
	f, ok := statusWriters[format]
	if !ok {
		return fmt.Errorf("未知格式 %q；可选 %s", format, strings.Join(StatusFormats(), "、"))
	}
	bw := bufio.NewWriter(w)
	if err := f(bw, r, changes); err != nil {
		return err
	}
	return bw.Flush()
}

// WriteAudit prints an approval audit in format (text, json, github).
func WriteAudit(w io.Writer, format string, a *Audit, loc *time.Location) error {
	f, ok := auditWriters[format]
	if !ok {
		return fmt.Errorf("未知格式 %q；可选 %s", format, strings.Join(AuditFormats(), "、"))
	}
	if loc == nil {
		loc = shanghai()
	}
	bw := bufio.NewWriter(w)
	if err := f(bw, a, loc); err != nil {
		return err
	}
	return bw.Flush()
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

func writeStatusJSON(w io.Writer, r *Report, changes []*Change) error {
	if changes == nil {
		changes = []*Change{}
	}
	return writeJSON(w, struct {
		Version  string    `json:"version"`
		Branch   string    `json:"branch"`
		Now      time.Time `json:"now"`
		Changes  []*Change `json:"changes"`
		Problems []string  `json:"problems,omitempty"`
	}{StatusVersion, r.Branch, r.Now, changes, r.Problems})
}

func writeAuditJSON(w io.Writer, a *Audit, _ *time.Location) error {
	return writeJSON(w, struct {
		Version string `json:"version"`
		*Audit
	}{AuditVersion, a})
}

func writeStatusText(w io.Writer, r *Report, changes []*Change) error {
	t := table{header: []string{"编号", "状态", "审批人", "审批时间", "实施窗口", "窗口", "说明", "标题"}}
	count := map[State]int{}
	for _, c := range changes {
		count[c.State]++
		approver, at := "—", "—"
		if c.Approved {
			approver, at = c.ApprovedBy, c.ApprovedAt.Format(timeLayout)
		}
		t.add(c.ID, c.StateLabel, approver, at, windowText(c.Window), phaseText(c.Window), notes(c), c.Title)
	}
	if err := t.write(w); err != nil {
		return err
	}
	var parts []string
	for _, s := range []State{StateDraft, StateUnapproved, StateApproved, StateExecuted, StateClosed, StateRolledBack} {
		if count[s] > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", s.Label(), count[s]))
		}
	}
	summary := strings.Join(parts, "，")
	if summary == "" {
		summary = "无"
	}
	_, err := fmt.Fprintf(w, "\n共 %d 项变更：%s。主分支 %s，当前时间 %s。\n", len(changes), summary, r.Branch, r.Now.Format(timeLayout))
	for _, p := range r.Problems {
		if err == nil {
			_, err = fmt.Fprintf(w, "无法读取：%s\n", p)
		}
	}
	return err
}

// notes is the status table's 说明 column.
func notes(c *Change) string {
	var parts []string
	if !c.OnMain {
		for _, b := range c.Branches {
			if b == "" {
				parts = append(parts, "工作区中未提交")
			} else {
				parts = append(parts, "仅在分支 "+b)
			}
		}
	}
	for _, f := range c.Findings {
		parts = append(parts, f.Short)
	}
	for _, e := range c.Executions {
		s := "执行记录 " + e.ID
		if e.Outcome != "" {
			s += "（" + cmp.Or(outcomeLabels[e.Outcome], e.Outcome) + "）"
		}
		parts = append(parts, s)
	}
	if len(parts) == 0 {
		return "—"
	}
	return strings.Join(parts, "；")
}

func windowText(w *Window) string {
	if w == nil {
		return "—"
	}
	end := w.End.Format("15:04")
	if w.End.Format(time.DateOnly) != w.Start.Format(time.DateOnly) {
		end = w.End.Format("01-02 15:04")
	}
	return w.Start.Format(timeLayout) + "–" + end
}

func phaseText(w *Window) string {
	if w == nil {
		return "—"
	}
	return map[string]string{PhaseBefore: "未开始", PhaseInside: "窗口内", PhaseAfter: "已结束"}[w.Phase]
}

func writeAuditText(w io.Writer, a *Audit, loc *time.Location) error {
	t := table{header: []string{"编号", "合并提交", "合并者", "合并时间", "合并方式", "审批依据", "作者", "结论"}}
	for _, c := range a.Changes {
		commit, by, at, how, strength, authors := "—", "—", "—", "无合并提交", "—", "—"
		if m := c.Merge; m != nil {
			commit, by, at, how, authors = shortHash(m.Commit), m.By, m.At.In(loc).Format(timeLayout), m.Message.Label(), strings.Join(m.Authors, "、")
			strength = m.StrengthLabel
			if strength == "" {
				strength = map[bool]string{true: "未签名", false: "签名无效"}[c.Verdict == gitrepo.VerdictUnsigned]
			}
			if m.Via != "" {
				how += "（经 " + m.Via + " 网页合并）"
			}
		}
		if c.Latest != nil && (c.Merge == nil || !c.Merge.Current) {
			authors = c.Latest.By
		}
		verdict := "✓ 他人合并批准"
		if len(c.Findings) > 0 {
			var s []string
			for _, f := range c.Findings {
				mark := "✗ "
				if f.Level == LevelWarning {
					mark = "⚠ "
				}
				s = append(s, mark+f.Short)
			}
			verdict = strings.Join(s, "；")
			if c.Approved {
				verdict = "✓ 他人合并批准；" + verdict
			}
		}
		t.add(c.ID, commit, by, at, how, strength, authors, verdict)
	}
	if err := t.write(w); err != nil {
		return err
	}
	var details []string
	for _, f := range a.KeyFindings {
		details = append(details, fmt.Sprintf("%s: 违规：%s [%s]", signers.AllowedSignersPath, f.Message, f.Rule))
	}
	for _, c := range a.Changes {
		for _, f := range c.Findings {
			level := "违规"
			if f.Level == LevelWarning {
				level = "警告"
			}
			details = append(details, fmt.Sprintf("%s: %s：%s [%s]", c.Path, level, f.Message, f.Rule))
		}
	}
	if len(details) > 0 {
		if _, err := fmt.Fprintf(w, "\n%s\n", strings.Join(details, "\n")); err != nil {
			return err
		}
	}
	_, err := fmt.Fprintf(w, "\n%s\n", summaryText(a, loc))
	return err
}

// summaryText is the audit's last line.
func summaryText(a *Audit, loc *time.Location) string {
	scope := "主分支 " + a.Branch
	if a.Since != "" {
		scope += " 上 " + a.Since + " 以来进入的"
	} else {
		scope += " 上的"
	}
	bad := 0
	for _, c := range a.Changes {
		if c.Violations() > 0 {
			bad++
		}
	}
	s := fmt.Sprintf("审计了%s %d 项变更：%d 项由他人合并批准，%d 项有违规（共 %d 处），警告 %d 处。", scope, len(a.Changes), a.Approved, bad, a.Violations, a.Warnings)
	if len(a.KeyFindings) > 0 {
		s += fmt.Sprintf("审核人密钥名单有 %d 处违规。", len(a.KeyFindings))
	}
	switch {
	case a.Violations > 0 && a.Strict:
		s += "严格模式：审计失败。"
	case a.Violations > 0:
		s += "未启用严格模式，仅作警告（用 --strict 或在 opsbook.yaml 中设置 approvals: {strict: true} 使审计失败）。"
	}
	if a.Signed {
		s += "\n签名验证已启用：只有用 " + signers.AllowedSignersPath + " 中审核人密钥签名（或可信平台签名）的合并才算批准。"
		for _, kc := range a.KeyChanges {
			if kc.Bootstrap {
				s += fmt.Sprintf("首份名单由 %s 于 %s 登记（提交 %s），之后的修改须经另一位已登记审核人签名合并。", kc.By, kc.At.In(loc).Format(timeLayout), shortHash(kc.Commit))
			}
		}
	} else {
		s += "\n签名验证未启用（仓库没有 " + signers.AllowedSignersPath + "）：审批依据仅为提交者信息，提交者姓名可以伪造；配置方法见 docs/分支保护.md。"
	}
	for _, p := range a.Problems {
		s += "\n无法读取：" + p
	}
	return s
}

func writeAuditGitHub(w io.Writer, a *Audit, loc *time.Location) error {
	for _, c := range a.Changes {
		for _, f := range c.Findings {
			level := diag.LevelWarning
			if f.Level == LevelError && a.Strict {
				level = diag.LevelError
			}
			if err := diag.WriteAnnotation(w, level, c.Path, 0, 0, f.Rule, c.ID+" "+f.Message); err != nil {
				return err
			}
		}
	}
	for _, f := range a.KeyFindings {
		level := diag.LevelWarning
		if a.Strict {
			level = diag.LevelError
		}
		if err := diag.WriteAnnotation(w, level, signers.AllowedSignersPath, 0, 0, f.Rule, f.Message); err != nil {
			return err
		}
	}
	for _, p := range a.Problems {
		if err := diag.WriteAnnotation(w, diag.LevelWarning, "", 0, 0, "approval/unreadable", "无法读取："+p); err != nil {
			return err
		}
	}
	_, err := fmt.Fprintln(w, summaryText(a, loc))
	return err
}

// table prints columns aligned by display width (CJK characters take two
// columns); the last column is not padded.
type table struct {
	header []string
	rows   [][]string
}

func (t *table) add(cells ...string) { t.rows = append(t.rows, cells) }

func (t *table) write(w io.Writer) error {
	return termtable.Write(w, append([][]string{t.header}, t.rows...))
}

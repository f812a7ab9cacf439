package runner

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/opsbook/opsbook/internal/kind"
	"github.com/opsbook/opsbook/internal/record"
	"github.com/opsbook/opsbook/internal/runbook"
)

type inspectionDoc struct {
	ID         string     `yaml:"id"`
	Kind       string     `yaml:"kind"`
	Title      string     `yaml:"title"`
	Date       string     `yaml:"date"`
	Runbook    string     `yaml:"runbook"`
	Runner     string     `yaml:"runner,omitempty"`
	Inspector  string     `yaml:"inspector"`
	StartedAt  string     `yaml:"started_at"`
	FinishedAt string     `yaml:"finished_at"`
	Summary    summaryDoc `yaml:"summary"`
	Items      []itemDoc  `yaml:"items"`
	Anomalies  []string   `yaml:"anomalies,omitempty"`
	Tags       []string   `yaml:"tags,omitempty"`
	_          struct{}   `yaml:"-"`
}

type summaryDoc struct {
	Total    int `yaml:"total"`
	Passed   int `yaml:"passed"`
	Failed   int `yaml:"failed"`
	Warnings int `yaml:"warnings"`
}

type itemDoc struct {
	Name       string    `yaml:"name"`
	Check      string    `yaml:"check"`
	Asset      string    `yaml:"asset,omitempty"`
	Category   string    `yaml:"category"`
	Status     string    `yaml:"status"`
	Value      string    `yaml:"value,omitempty"`
	Message    string    `yaml:"message,omitempty"`
	DurationMS int64     `yaml:"duration_ms"`
	Attempts   int       `yaml:"attempts"`
	Security   bool      `yaml:"security,omitempty"`
	Conditions []condDoc `yaml:"conditions,omitempty"`
}

type condDoc struct {
	Condition string `yaml:"condition"`
	Success   bool   `yaml:"success"`
	Actual    string `yaml:"actual,omitempty"`
	Reason    string `yaml:"reason,omitempty"`
}

const timeLayout = "2006-01-02 15:04:05"

var unsafeName = regexp.MustCompile(`[^a-z0-9-]+`)

// slug lower-cases s and keeps [a-z0-9-], for ids built from names.
func slug(s string) string {
	s = strings.Trim(unsafeName.ReplaceAllString(strings.ToLower(s), "-"), "-")
	if s == "" {
		return "runner"
	}
	return s
}

// inspectionID is unique per runbook, start time and runner.
func inspectionID(rb *runbook.Runbook, start time.Time, runner string) string {
	return fmt.Sprintf("INS-%s-%s-%s-%s", start.Format("2006"), start.Format("0102-150405"), rb.ID, slug(runner))
}

// anomalyID is unique per runbook, check and detection time.
func anomalyID(rb *runbook.Runbook, c runbook.Check, at time.Time) string {
	return fmt.Sprintf("ANO-%s-%s-%s-%s", at.Format("2006"), at.Format("0102-1504"), rb.ID, c.Name)
}

func inspectionYAML(rb *runbook.Runbook, id, runner string, start, end time.Time, results []Result, anomalies []string) ([]byte, error) {
	// Records keep whole seconds: the start rounds down and the end up, so
	// the recorded span contains the real one and finished_at > started_at.
	start = start.Truncate(time.Second)
	end = end.Add(time.Second - time.Nanosecond).Truncate(time.Second)
	if !end.After(start) {
		end = start.Add(time.Second)
	}
	doc := inspectionDoc{ID: id, Kind: "inspection", Title: fmt.Sprintf("%s %s", rb.Title, start.Format("2006-01-02 15:04")),
		Date: start.Format(time.DateOnly), Runbook: rb.ID, Runner: slug(runner), Inspector: "runner",
		StartedAt: start.Format(timeLayout), FinishedAt: end.Format(timeLayout), Anomalies: anomalies}
	for _, r := range results {
		item := itemDoc{Name: r.Check.Label(), Check: r.Check.Name, Asset: r.Check.Asset, Category: r.Category, Status: "ok",
			Value: truncate(r.Value(), 200), DurationMS: r.Duration.Milliseconds(), Attempts: max(r.Attempts, 1), Security: r.Security}
		doc.Summary.Total++
		if r.Success {
			doc.Summary.Passed++
			if r.Attempts > 1 {
				item.Message = fmt.Sprintf("复查 %d 次后通过", r.Attempts-1)
			}
		} else {
			item.Status = "failed"
			item.Message = truncate(r.Message(), 500)
			doc.Summary.Failed++
		}
		for _, c := range r.Conditions {
			item.Conditions = append(item.Conditions, condDoc{Condition: c.Condition, Success: c.Success, Actual: truncate(c.Actual, 200), Reason: c.Reason})
		}
		doc.Items = append(doc.Items, item)
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "# 由 opsbook runner 自动生成（运行手册 %s）；请勿手工修改。\n", rb.ID)
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	return b.Bytes(), enc.Close()
}

var anomalyCategory = map[string]string{
	"hardware": "hardware", "network": "network", "application": "application", "database": "database",
	"security": "security", "third-party": "data-exchange", "usage": "application", "storage": "hardware", "backup": "database",
}

type anomalyDoc struct {
	ID          string   `yaml:"id"`
	Kind        string   `yaml:"kind"`
	Title       string   `yaml:"title"`
	DetectedAt  string   `yaml:"detected_at"`
	Severity    string   `yaml:"severity"`
	Status      string   `yaml:"status"`
	Category    string   `yaml:"category"`
	Assets      []string `yaml:"assets,omitempty"`
	Inspection  string   `yaml:"inspection"`
	Inspections []string `yaml:"inspections"`
	Runbook     string   `yaml:"runbook"`
	Check       string   `yaml:"check"`
	Reporter    string   `yaml:"reporter"`
}

func anomalyMarkdown(rb *runbook.Runbook, id, inspection string, r Result, at time.Time) ([]byte, error) {
	severity := "major"
	if r.Security {
		severity = "critical"
	}
	doc := anomalyDoc{ID: id, Kind: "anomaly", Title: fmt.Sprintf("%s检查失败", r.Check.Label()), DetectedAt: at.Format(timeLayout),
		Severity: severity, Status: "open", Category: anomalyCategory[r.Category], Inspection: inspection, Runbook: rb.ID,
		Check: r.Check.Name, Reporter: "runner", Inspections: []string{inspection}}
	if doc.Category == "" {
		doc.Category = "other"
	}
	if r.Check.Asset != "" {
		doc.Assets = []string{r.Check.Asset}
	}
	var b bytes.Buffer
	b.WriteString("---\n")
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	enc.Close()
	b.WriteString("---\n\n## 现象\n\n")
	fmt.Fprintf(&b, "%s 运行手册「%s」的检查「%s」（%s）失败", at.Format("2006-01-02 15:04"), rb.Title, r.Check.Label(), r.Check.Type)
	if r.Attempts > 1 {
		fmt.Fprintf(&b, "，复查 %d 次仍失败", r.Attempts-1)
	}
	b.WriteString("。\n\n")
	if r.Error != "" {
		fmt.Fprintf(&b, "- 错误：%s\n", mdEscape(r.Error))
	}
	for _, c := range r.Conditions {
		mark := "✓"
		if !c.Success {
			mark = "✗"
		}
		fmt.Fprintf(&b, "- %s `%s`，实际值：%s\n", mark, strings.ReplaceAll(c.Condition, "`", "'"), mdEscape(orDash(c.Actual)))
	}
	if r.Security {
		b.WriteString("\n> 该失败可能是安全事件（例如主机密钥变化），请先核实再处理。\n")
	}
	b.WriteString("\n## 原因\n\n（待分析）\n\n## 处理过程\n\n（待填写）\n")
	return b.Bytes(), nil
}

var statusLine = regexp.MustCompile(`(?m)^status:[ \t]*open[ \t]*$`)

// resolveAnomaly marks an open anomaly resolved by a passing re-check,
// editing only the status line (and adding resolved_at) so human-written
// parts stay byte for byte.
func resolveAnomaly(src []byte, inspection string, at time.Time) ([]byte, bool) {
	end := bytes.Index(src[4:], []byte("\n---"))
	if !bytes.HasPrefix(src, []byte("---\n")) || end < 0 {
		return nil, false
	}
	fm := src[:4+end+1]
	loc := statusLine.FindIndex(fm)
	if loc == nil {
		return nil, false
	}
	var b bytes.Buffer
	b.Write(fm[:loc[0]])
	fmt.Fprintf(&b, "status: resolved\nresolved_at: \"%s\"", at.Format(timeLayout))
	b.Write(fm[loc[1]:])
	b.Write(src[len(fm):])
	if !bytes.HasSuffix(b.Bytes(), []byte("\n")) {
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, "\n## 自动恢复\n\n%s 巡检 %s 复查通过，runner 已将状态改为 resolved。请补充原因和处理过程。\n", at.Format("2006-01-02 15:04"), inspection)
	return b.Bytes(), true
}

var (
	inspectionsBlock = regexp.MustCompile(`(?m)^inspections:[ \t]*\n((?:[ \t]*-[^\n]*\n)+)`)
	inspectionsKey   = regexp.MustCompile(`(?m)^inspections:[^\n]*\n`)
	inspectionKey    = regexp.MustCompile(`(?m)^inspection:[^\n]*\n`)
)

// linkInspection adds an inspection to an anomaly's inspections list,
// editing only that list in the front matter so that everything else stays
// byte for byte. It reports false when the inspection is listed already or
// the record cannot be read.
func linkInspection(rel string, src []byte, inspection string) ([]byte, bool) {
	rec, err := record.Parse(rel, src)
	if err != nil || !bytes.HasPrefix(src, []byte("---\n")) {
		return nil, false
	}
	end := bytes.Index(src[4:], []byte("\n---"))
	if end < 0 {
		return nil, false
	}
	fm, rest := src[:4+end+1], src[4+end+1:]
	an, _ := kind.AnomalyFrom(rec)
	have := an.Inspections
	if slices.Contains(have, inspection) {
		return nil, false
	}
	block := func(ids []string) string {
		var b strings.Builder
		b.WriteString("inspections:\n")
		for _, id := range ids {
			fmt.Fprintf(&b, "  - %s\n", id)
		}
		return b.String()
	}
	var out bytes.Buffer
	if m := inspectionsBlock.FindSubmatchIndex(fm); m != nil {
		item := fm[m[2]:m[3]]
		indent := item[:bytes.IndexByte(item, '-')]
		out.Write(fm[:m[3]])
		fmt.Fprintf(&out, "%s- %s\n", indent, inspection)
		out.Write(fm[m[3]:])
	} else if m := inspectionsKey.FindIndex(fm); m != nil { // another form: rewritten as a block list
		out.Write(fm[:m[0]])
		out.WriteString(block(append(have, inspection)))
		out.Write(fm[m[1]:])
	} else { // no list yet: start it with the inspection that opened the anomaly
		ids := []string{inspection}
		if first := an.Inspection; first != "" && first != inspection {
			ids = []string{first, inspection}
		}
		at := len(fm)
		if m := inspectionKey.FindIndex(fm); m != nil {
			at = m[1]
		}
		out.Write(fm[:at])
		out.WriteString(block(ids))
		out.Write(fm[at:])
	}
	out.Write(rest)
	return out.Bytes(), true
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

var mdSpecial = strings.NewReplacer("\n", " ", "\r", " ", "`", "'", "<", "&lt;", ">", "&gt;", "*", "\\*", "_", "\\_", "[", "\\[", "]", "\\]", "#", "\\#", "|", "\\|")

// mdEscape keeps a check's output from turning into Markdown structure.
func mdEscape(s string) string { return mdSpecial.Replace(truncate(s, 500)) }

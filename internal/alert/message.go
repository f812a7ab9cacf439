package alert

import (
	"fmt"
	"net/url"
	"strings"
)

// Limits on values taken from an event, in runes.
const (
	maxName      = 100
	maxCondition = 300
	maxActual    = 300
	maxError     = 1000
	maxSample    = 5
)

// field is one "label：value" line.
type field struct{ label, value string }

// message is an event reduced to cleaned, clipped one-line texts; the
// renderers turn it into Markdown, plain text or a Feishu post.
type message struct {
	title      string
	fields     []field
	failed     []FailedCondition
	omitted    int // failed conditions left out to fit a size limit
	errText    string
	anomalyID  string
	link       string // a checked http(s) URL, or empty
	hint       string
	suppressed int
	sample     []string
}

func newMessage(e Event) message {
	m := message{title: e.Title(), anomalyID: clean(e.AnomalyID, maxName), link: safeLink(e.Link)}
	add := func(label, value string) {
		if v := clean(value, maxName); v != "" {
			m.fields = append(m.fields, field{label, v})
		}
	}
	add("平台", e.Platform)
	if e.Kind == KindAnomaly {
		add("级别", severityLabel(e.Severity))
		if e.Security {
			add("性质", "疑似安全事件，可能是攻击而非故障；请先核实，不要直接接受新的主机密钥或证书")
		}
	}
	when := "发现时间"
	if e.Kind == KindRecovery {
		when = "恢复时间"
	}
	at := e.at()
	add(when, at.Format("2006-01-02 15:04:05")+"（"+zoneLabel(at)+"）")
	add("运行手册", titled(e.RunbookTitle, e.Runbook))
	add("检查项", titled(e.CheckTitle, e.Check))
	add("资产", e.Asset)
	for _, f := range e.Failed {
		actual := clean(f.Actual, maxActual)
		if actual == "" {
			actual = "（空）"
		}
		m.failed = append(m.failed, FailedCondition{Condition: clean(f.Condition, maxCondition), Actual: actual})
	}
	m.errText = clean(e.Error, maxError)
	if e.Kind == KindAnomaly {
		m.hint = "请及时处理，并在异常记录中填写原因和处理过程。"
	}
	m.suppressed = e.Suppressed
	for i, s := range e.SuppressedSample {
		if i == maxSample {
			break
		}
		m.sample = append(m.sample, clean(s, maxName))
	}
	return m
}

// titled shows "门户首页（portal）", or whichever of the two is set.
func titled(title, name string) string {
	title, name = strings.TrimSpace(title), strings.TrimSpace(name)
	switch {
	case title == "" || title == name:
		return name
	case name == "":
		return title
	}
	return title + "（" + name + "）"
}

// safeLink accepts only absolute http(s) URLs and percent-encodes the
// characters that could end a Markdown link target early.
func safeLink(s string) string {
	s = strings.TrimSpace(s)
	u, err := url.Parse(s)
	if s == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return ""
	}
	return strings.NewReplacer("(", "%28", ")", "%29", " ", "%20", "<", "%3C", ">", "%3E",
		"[", "%5B", "]", "%5D", "\"", "%22", "`", "%60", "\\", "%5C", "*", "%2A").Replace(u.String())
}

// lines are the message's body lines after the title, as label/text pairs
// the renderers format; link is rendered separately.
func (m message) conditionLines() []string {
	var out []string
	for _, f := range m.failed {
		out = append(out, f.Condition+"，实际值："+f.Actual)
	}
	if m.omitted > 0 {
		out = append(out, fmt.Sprintf("……另有 %d 项未通过的条件未显示", m.omitted))
	}
	return out
}

func (m message) suppressedLine() string {
	if m.suppressed <= 0 {
		return ""
	}
	s := fmt.Sprintf("另有 %d 条告警被限流或去重，未单独发送", m.suppressed)
	if len(m.sample) > 0 {
		s += "：" + strings.Join(m.sample, "；")
		if m.suppressed > len(m.sample) {
			s += " 等"
		}
	}
	return s
}

// withConditions keeps the first k failed conditions, counting the rest as
// omitted.
func (m message) withConditions(k int) message {
	m.omitted += len(m.failed) - k
	m.failed = m.failed[:k]
	return m
}

// shrink clips every text to n runes, the last resort before cutting bytes.
func (m message) shrink(n int) message {
	m.title = clean(m.title, n)
	fs := make([]field, len(m.fields))
	for i, f := range m.fields {
		fs[i] = field{f.label, clean(f.value, n)}
	}
	m.fields = fs
	m.errText = clean(m.errText, n)
	m.sample = nil
	return m
}

// fit returns m cut down until size(m) <= limit: failed conditions are
// dropped from the end first (counted as omitted), then every text is
// clipped. The result may still exceed limit; callers cut bytes then.
func fit(m message, limit int, size func(message) int) message {
	if size(m) <= limit {
		return m
	}
	if len(m.failed) > 0 {
		// The largest k whose message fits, by binary search.
		lo, hi := 0, len(m.failed)
		for lo < hi {
			mid := (lo + hi + 1) / 2
			if size(m.withConditions(mid)) <= limit {
				lo = mid
			} else {
				hi = mid - 1
			}
		}
		m = m.withConditions(lo)
		if size(m) <= limit {
			return m
		}
	}
	return m.shrink(60)
}

package alert

import (
	"fmt"
	"strings"
	"time"
	"unicode"
)

// Event kinds.
const (
	KindAnomaly  = "anomaly"  // a check went from passing to failing
	KindRecovery = "recovery" // it passes again
)

// FailedCondition is one condition that did not hold, with the value seen.
type FailedCondition struct {
	Condition string `json:"condition"` // as written in the runbook, e.g. [STATUS] == 200
	Actual    string `json:"actual"`    // the value measured, already redacted by the runner
}

// Event is what the runner reports about one check.
type Event struct {
	Kind         string // KindAnomaly or KindRecovery
	Platform     string // platform name from opsbook.yaml
	Runbook      string // runbook id
	RunbookTitle string
	Check        string // check name within the runbook
	CheckTitle   string
	Asset        string // asset record id
	AnomalyID    string // anomaly record opened (or resolved)
	At           time.Time
	Severity     string // critical | major | minor
	Security     bool   // the failure may be an attack, not an outage (e.g. a changed SSH host key)
	Failed       []FailedCondition
	Error        string // why the check could not run, if it could not
	Link         string // site URL of the anomaly record; may be empty
	// Location is the zone messages show times in; nil means Asia/Shanghai.
	Location *time.Location

	// Suppressed is how many alerts to this notifier were held back (rate
	// limit or de-duplication) since the last one it sent, and
	// SuppressedSample the titles of up to five of them. The Dispatcher sets
	// both; callers leave them zero.
	Suppressed       int
	SuppressedSample []string
}

func (e Event) validate() error {
	switch e.Kind {
	case KindAnomaly, KindRecovery:
		return nil
	}
	return fmt.Errorf("告警事件类型 %q 无效：应为 %s 或 %s", e.Kind, KindAnomaly, KindRecovery)
}

// Title is the one-line Chinese headline of the event, e.g.
// 【运维告警】共享交换平台日常巡检：门户首页（portal-web）检查失败.
func (e Event) Title() string {
	subject := clean(firstOf(e.CheckTitle, e.Check, "未命名检查"), 100)
	if e.Asset != "" {
		subject += "（" + clean(e.Asset, 100) + "）"
	}
	if rb := clean(firstOf(e.RunbookTitle, e.Runbook), 100); rb != "" {
		subject = rb + "：" + subject
	}
	switch {
	case e.Kind == KindRecovery:
		return "【恢复】" + subject + "已恢复正常"
	case e.Security:
		return "【安全告警】" + subject + "检查失败"
	}
	return "【运维告警】" + subject + "检查失败"
}

// shanghai is the zone alert times are shown in; China has no DST, so a
// fixed +08:00 is exact when the host lacks tzdata.
var shanghai = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return time.FixedZone("CST", 8*3600)
	}
	return loc
}()

func (e Event) zone() *time.Location {
	if e.Location != nil {
		return e.Location
	}
	return shanghai
}

func (e Event) at() time.Time {
	if e.At.IsZero() {
		return time.Now().In(e.zone())
	}
	return e.At.In(e.zone())
}

// zoneLabel names the zone of t for people: 北京时间 for UTC+8 (China has
// one time zone and no DST), else the zone's name.
func zoneLabel(t time.Time) string {
	if _, off := t.Zone(); off == 8*3600 {
		return "北京时间"
	}
	return t.Location().String()
}

var severityLabels = map[string]string{"critical": "严重", "major": "重要", "minor": "一般"}

func severityLabel(s string) string {
	if l, ok := severityLabels[s]; ok {
		return l
	}
	return s
}

func firstOf(ss ...string) string {
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			return s
		}
	}
	return ""
}

// clean reduces s to one line of printable text of at most max runes: line
// breaks, tabs and other control or invisible format characters become
// spaces, runs of spaces collapse, and a clipped value ends with "…".
func clean(s string, max int) string {
	rs := make([]rune, 0, min(len(s), max+1))
	pending := false
	for _, r := range s { // invalid UTF-8 arrives as U+FFFD
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || unicode.IsSpace(r) {
			pending = len(rs) > 0
			continue
		}
		if pending {
			rs = append(rs, ' ')
			pending = false
		}
		rs = append(rs, r)
		if len(rs) > max {
			return strings.TrimRight(string(rs[:max-1]), " ") + "…"
		}
	}
	return string(rs)
}

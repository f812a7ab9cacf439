package alert

import (
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestTitles(t *testing.T) {
	e := sampleEvent()
	if got, want := e.Title(), "【运维告警】共享交换平台日常巡检：门户首页（portal-web）检查失败"; got != want {
		t.Errorf("anomaly title = %q, want %q", got, want)
	}
	e.Kind = KindRecovery
	if got, want := e.Title(), "【恢复】共享交换平台日常巡检：门户首页（portal-web）已恢复正常"; got != want {
		t.Errorf("recovery title = %q, want %q", got, want)
	}
	bare := Event{Kind: KindAnomaly, Runbook: "platform-daily", Check: "portal"}
	if got, want := bare.Title(), "【运维告警】platform-daily：portal检查失败"; got != want {
		t.Errorf("untitled = %q, want %q", got, want)
	}
}

func TestRecoveryMessage(t *testing.T) {
	e := sampleEvent()
	e.Kind, e.Failed, e.At = KindRecovery, nil, time.Date(2026, 11, 27, 16, 5, 0, 0, time.UTC)
	text := renderText(newMessage(e))
	for _, want := range []string{"【恢复】", "恢复时间：2026-11-28 00:05:00（北京时间）", "异常编号：ANO-2026-031"} {
		if !strings.Contains(text, want) {
			t.Errorf("recovery text lacks %q:\n%s", want, text)
		}
	}
	for _, unwanted := range []string{"级别", "未通过的条件", "请及时处理"} {
		if strings.Contains(text, unwanted) {
			t.Errorf("recovery text has %q:\n%s", unwanted, text)
		}
	}
}

// A check's output must not be able to format, link or mention in a robot
// message.
func TestMarkdownInjection(t *testing.T) {
	e := sampleEvent()
	e.Failed = []FailedCondition{{Condition: "[BODY] == pat(*ok*)",
		Actual: "**bold** [click](http://evil.example/) <font color=\"warning\">x</font> &lt;\n# Heading\n> quote `code` ~~s~~ | a_b _i_ ![img](x) <@all>"}}
	e.Error = "boom\r\n- injected list item\n\n**more**"
	e.CheckTitle = "门户*首页*"
	for _, sep := range []string{"\n", "\n\n"} {
		out := renderMarkdown(newMessage(e), sep)
		for _, bad := range []string{"**bold**", "[click]", "](http://evil", "http://evil", "<font", "&lt;", "\n# Heading", "\n> quote", "`", "~~", "<@", "![", "\n- injected", "*首页*", " _i_ "} {
			if strings.Contains(out, bad) {
				t.Errorf("markdown contains %q:\n%s", bad, out)
			}
		}
		for _, keep := range []string{"＊＊bold＊＊", "［click］", "＜font", "http：//evil.example/", "a_b", "＿i＿", "错误：boom - injected list item ＊＊more＊＊"} {
			if !strings.Contains(out, keep) {
				t.Errorf("markdown lacks the neutralised %q:\n%s", keep, out)
			}
		}
		// Our own formatting survives: exactly one bold title and one link.
		if strings.Count(out, "**") != 2 || strings.Count(out, "](") != 1 {
			t.Errorf("unexpected markup count:\n%s", out)
		}
	}
}

func TestLinks(t *testing.T) {
	for link, want := range map[string]string{
		"javascript:alert(1)":                       "",
		"/relative/ANO-1":                           "",
		"https://user:pw@ops.example/x":             "",
		"https://ops.example/a (b)/c":               "https://ops.example/a%20%28b%29/c",
		"http://ops.example/ANO-2026-031/?q=[1]":    "http://ops.example/ANO-2026-031/?q=%5B1%5D",
		"https://ops.example/anomaly/ANO-2026-031/": "https://ops.example/anomaly/ANO-2026-031/",
	} {
		if got := safeLink(link); got != want {
			t.Errorf("safeLink(%q) = %q, want %q", link, got, want)
		}
	}
}

func TestClean(t *testing.T) {
	for in, want := range map[string]string{
		"  a\tb\r\nc  ":         "a b c",
		"x\u202Ey\u200Bz":       "x y z",
		"bad\xffutf8":           "bad\uFFFDutf8",
		strings.Repeat("数", 12): "数数数数数数数数数…",
	} {
		if got := clean(in, 10); got != want {
			t.Errorf("clean(%q) = %q, want %q", in, got, want)
		}
	}
}

// A message over a platform's limit loses failed conditions first, says how
// many, and keeps the anomaly id and link.
func TestWeComLimit(t *testing.T) {
	e := sampleEvent()
	e.Failed = nil
	for i := range 400 {
		e.Failed = append(e.Failed, FailedCondition{Condition: fmt.Sprintf("[ROWS][%d].status == ok", i), Actual: strings.Repeat("错误", 100)})
	}
	out := fitString(newMessage(e), WeComLimit, func(m message) string { return renderMarkdown(m, "\n") })
	if len(out) > WeComLimit || !utf8.ValidString(out) {
		t.Fatalf("len %d > %d or invalid UTF-8", len(out), WeComLimit)
	}
	for _, want := range []string{"项未通过的条件未显示", "异常编号：ANO-2026-031", "(https://ops.example.gov.cn/anomaly/2026/ANO-2026-031/)", footer} {
		if !strings.Contains(out, want) {
			t.Errorf("trimmed message lacks %q", want)
		}
	}
	if n := strings.Count(out, "\n- "); n == 0 || n > 20 {
		t.Errorf("%d conditions kept; want some but not all", n)
	}
	// Even absurd titles end within the limit, cut at a rune boundary.
	e.RunbookTitle, e.Error = strings.Repeat("很长的标题", 2000), strings.Repeat("错", 5000)
	out = fitString(newMessage(e), WeComLimit, func(m message) string { return renderMarkdown(m, "\n") })
	if len(out) > WeComLimit || !utf8.ValidString(out) {
		t.Errorf("len %d > %d or invalid UTF-8", len(out), WeComLimit)
	}
}

func TestCutBytes(t *testing.T) {
	s := strings.Repeat("中", 10) // 30 bytes
	for limit := 3; limit <= 31; limit++ {
		got := cutBytes(s, limit)
		if len(got) > limit || !utf8.ValidString(got) {
			t.Errorf("cutBytes(_, %d) = %q (%d bytes)", limit, got, len(got))
		}
	}
	if cutBytes(s, 30) != s {
		t.Error("a string at the limit was cut")
	}
}

func TestSuppressedLine(t *testing.T) {
	e := sampleEvent()
	e.Suppressed, e.SuppressedSample = 7, []string{"【运维告警】a", "【恢复】b"}
	text := renderText(newMessage(e))
	if !strings.Contains(text, "另有 7 条告警被限流或去重，未单独发送：【运维告警】a；【恢复】b 等") {
		t.Errorf("text:\n%s", text)
	}
}

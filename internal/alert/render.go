package alert

import (
	"strings"
	"unicode/utf8"
)

// mdEscaper replaces what Markdown, or the HTML subset the robots accept
// (WeCom's <font>, DingTalk's links), would interpret with full-width
// look-alikes, and defangs URLs the robots would otherwise auto-link. Backslash escapes are not used: the robots' renderers do not
// all honour them.
var mdEscaper = strings.NewReplacer(
	`\`, `＼`, "`", "｀", "*", "＊", "~", "～",
	"[", "［", "]", "］", "<", "＜", ">", "＞", "#", "＃",
	"|", "｜", "&", "＆", "!", "！", "$", "＄",
	"://", "：//", // no bare URL in a value turns into a clickable link
)

// footer ends every message. It contains 运维台账, a keyword robots with
// keyword security can be set to require.
const footer = "—— opsbook 运维台账自动发送"

// md escapes s for a robot's Markdown. An underscore between two letters or
// digits (RESPONSE_TIME) is kept, as Markdown does not read it as emphasis;
// any other underscore becomes full-width.
func md(s string) string {
	s = mdEscaper.Replace(s)
	if !strings.Contains(s, "_") {
		return s
	}
	rs := []rune(s)
	for i, r := range rs {
		if r == '_' && (i == 0 || i == len(rs)-1 || !wordRune(rs[i-1]) || !wordRune(rs[i+1])) {
			rs[i] = '＿'
		}
	}
	return string(rs)
}

func wordRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
}

// renderMarkdown formats m for a robot's markdown message. Blocks are
// separated by a blank line; lineSep separates the lines within a block
// ("\n" for WeCom; "\n\n" for DingTalk, whose renderer joins single lines).
func renderMarkdown(m message, lineSep string) string {
	var blocks [][]string
	add := func(lines ...string) {
		if len(lines) > 0 {
			blocks = append(blocks, lines)
		}
	}
	add("**" + md(m.title) + "**")
	var fs []string
	for _, f := range m.fields {
		fs = append(fs, "> "+f.label+"："+md(f.value))
	}
	add(fs...)
	if cl := m.conditionLines(); len(cl) > 0 {
		lines := []string{"未通过的条件："}
		for _, l := range cl {
			lines = append(lines, "- "+md(l))
		}
		add(lines...)
	}
	if m.errText != "" {
		add("错误：" + md(m.errText))
	}
	var ref []string
	if m.anomalyID != "" {
		ref = append(ref, "异常编号："+md(m.anomalyID))
	}
	if m.link != "" {
		ref = append(ref, "详情：[查看异常记录]("+m.link+")")
	}
	add(ref...)
	if m.hint != "" {
		add(m.hint)
	}
	if s := m.suppressedLine(); s != "" {
		add(md(s))
	}
	add(footer)
	out := make([]string, len(blocks))
	for i, b := range blocks {
		out[i] = strings.Join(b, lineSep)
	}
	return strings.Join(out, "\n\n")
}

// renderText formats m as plain text (mail body, generic webhook "text").
func renderText(m message) string {
	var b []string
	b = append(b, m.title, "")
	for _, f := range m.fields {
		b = append(b, f.label+"："+f.value)
	}
	if cl := m.conditionLines(); len(cl) > 0 {
		b = append(b, "", "未通过的条件：")
		for _, l := range cl {
			b = append(b, "  - "+l)
		}
	}
	if m.errText != "" {
		b = append(b, "", "错误："+m.errText)
	}
	if m.anomalyID != "" || m.link != "" {
		b = append(b, "")
	}
	if m.anomalyID != "" {
		b = append(b, "异常编号："+m.anomalyID)
	}
	if m.link != "" {
		b = append(b, "详情："+m.link)
	}
	if m.hint != "" {
		b = append(b, "", m.hint)
	}
	if s := m.suppressedLine(); s != "" {
		b = append(b, "", s)
	}
	b = append(b, "", footer)
	return strings.Join(b, "\n")
}

// fitString renders m within limit bytes: fit first, then a cut at a rune
// boundary as the last resort.
func fitString(m message, limit int, render func(message) string) string {
	s := render(fit(m, limit, func(m message) int { return len(render(m)) }))
	return cutBytes(s, limit)
}

// cutBytes returns s cut to at most limit bytes at a rune boundary, ending
// in "…" when cut.
func cutBytes(s string, limit int) string {
	if len(s) <= limit {
		return s
	}
	const ell = "…"
	n := limit - len(ell)
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + ell
}

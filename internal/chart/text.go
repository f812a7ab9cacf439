package chart

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/width"
)

const ellipsis = "…"

// clean makes caller text safe to put into XML: invalid UTF-8 becomes U+FFFD,
// characters XML 1.0 forbids (most C0 controls, U+FFFE/U+FFFF, lone
// surrogates) are dropped, and runs of white space collapse to one space
// (SVG collapses them anyway, and the width estimate must agree).
func clean(s string) string {
	var b strings.Builder
	space := false
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		if r == utf8.RuneError && n == 1 {
			r = unicode.ReplacementChar
		}
		if unicode.IsSpace(r) {
			space = true
			continue
		}
		if !xmlChar(r) || unicode.Is(unicode.Cc, r) {
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

func xmlChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		(r >= 0x20 && r <= 0xD7FF) ||
		(r >= 0xE000 && r <= 0xFFFD) ||
		(r >= 0x10000 && r <= 0x10FFFF)
}

var xmlEscaper = strings.NewReplacer(
	"&", "&amp;",
	"<", "&lt;",
	">", "&gt;",
	`"`, "&quot;",
	"'", "&#39;",
)

// esc cleans and escapes caller text for element content and attributes.
func esc(s string) string { return xmlEscaper.Replace(clean(s)) }

// runeEm estimates the advance width of r in em for a sans-serif CJK font
// stack. It errs on the wide side so estimated layouts never overlap.
func runeEm(r rune) float64 {
	if r < 0x80 {
		switch {
		case r < 0x20:
			return 0
		case r == ' ':
			return 0.3
		case strings.ContainsRune("il.,:;'!|`", r):
			return 0.3
		case strings.ContainsRune(`fjrtI()[]{}-/\"`, r):
			return 0.42
		case strings.ContainsRune("mwMW@%", r):
			return 0.92
		case r >= 'A' && r <= 'Z':
			return 0.7
		default: // digits, lower case, most punctuation
			return 0.6
		}
	}
	if unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r) || unicode.Is(unicode.Cf, r) {
		return 0
	}
	switch width.LookupRune(r).Kind() {
	case width.EastAsianWide, width.EastAsianFullwidth:
		return 1
	case width.EastAsianAmbiguous:
		// CJK fonts draw most ambiguous glyphs (…, °, ·, “”) full width.
		return 1
	}
	return 0.65
}

// textWidth estimates the width in px of s (already cleaned) at font size fs.
func textWidth(s string, fs float64) float64 {
	var em float64
	for _, r := range s {
		em += runeEm(r)
	}
	return em * fs
}

// truncate shortens s (already cleaned) to fit max px at font size fs,
// ending it with "…". It reports whether it cut anything.
func truncate(s string, max, fs float64) (string, bool) {
	if textWidth(s, fs) <= max {
		return s, false
	}
	budget := max - textWidth(ellipsis, fs)
	var w float64
	var b strings.Builder
	for _, r := range s {
		w += runeEm(r) * fs
		if w > budget {
			break
		}
		b.WriteRune(r)
	}
	out := strings.TrimRight(b.String(), " ")
	if out == "" && budget < 0 {
		return "", true
	}
	return out + ellipsis, true
}

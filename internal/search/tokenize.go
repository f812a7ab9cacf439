package search

import (
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// MaxWordRunes caps the length of a Latin/digit word term; longer words
// (hashes, base64) are indexed by their first MaxWordRunes code points, and a
// query word is cut the same way, so it still finds them.
const MaxWordRunes = 32

// cjkRanges are the code points indexed as CJK (bigrams plus single
// characters). Whole blocks are listed, assigned or not, so the Go writer and
// the browser agree whatever Unicode version each one knows. search.js holds
// the same table (CJK_RANGES); the cross-check test compares them.
var cjkRanges = [][2]rune{
	{0x1100, 0x11FF},   // Hangul Jamo
	{0x2E80, 0x2FDF},   // CJK Radicals Supplement, Kangxi Radicals
	{0x3005, 0x3007},   // 々 〆 〇
	{0x3021, 0x3029},   // Hangzhou numerals
	{0x3031, 0x3035},   // kana repeat marks
	{0x3038, 0x303C},   // 〸 〹 〺 〻 〼
	{0x3040, 0x309F},   // Hiragana
	{0x30A1, 0x30FA},   // Katakana (without ゠)
	{0x30FC, 0x30FF},   // ー ヽ ヾ ヿ (without the middle dot ・)
	{0x3100, 0x312F},   // Bopomofo
	{0x3130, 0x318F},   // Hangul Compatibility Jamo
	{0x31A0, 0x31BF},   // Bopomofo Extended
	{0x31F0, 0x31FF},   // Katakana Phonetic Extensions
	{0x3400, 0x4DBF},   // CJK Extension A
	{0x4E00, 0x9FFF},   // CJK Unified Ideographs
	{0xA960, 0xA97F},   // Hangul Jamo Extended-A
	{0xAC00, 0xD7FF},   // Hangul Syllables, Jamo Extended-B
	{0xF900, 0xFAFF},   // CJK Compatibility Ideographs
	{0xFF66, 0xFF9F},   // halfwidth Katakana
	{0xFFA0, 0xFFDC},   // halfwidth Hangul
	{0x1AFF0, 0x1B16F}, // Kana Extended-B, Supplement, Extended-A, Small Kana
	{0x20000, 0x3FFFF}, // planes 2 and 3: CJK Extensions B–J, compatibility supplement
}

// class of a code point after normalisation.
type class uint8

const (
	sep  class = iota // separator: punctuation, spaces, symbols
	word              // Latin/Cyrillic/… letters, digits, marks
	cjk               // Han, kana, Hangul: bigrams plus single characters
)

func classify(r rune) class {
	if r < 0x80 {
		if 'a' <= r && r <= 'z' || '0' <= r && r <= '9' || 'A' <= r && r <= 'Z' {
			return word
		}
		return sep
	}
	if isCJK(r) {
		return cjk
	}
	if unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.IsMark(r) {
		return word
	}
	return sep
}

func isCJK(r rune) bool {
	lo, hi := 0, len(cjkRanges)
	for lo < hi {
		m := (lo + hi) / 2
		switch {
		case r < cjkRanges[m][0]:
			hi = m
		case r > cjkRanges[m][1]:
			lo = m + 1
		default:
			return true
		}
	}
	return false
}

// Normalize is the text every comparison works on: NFKC, then each code
// point lower-cased on its own (simple case mapping; no context such as
// Greek final sigma, so Go and JavaScript agree).
func Normalize(s string) string {
	s = norm.NFKC.String(s)
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 || 'A' <= s[i] && s[i] <= 'Z' {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	return strings.Map(unicode.ToLower, s)
}

// wordTerm cuts a word to MaxWordRunes code points.
func wordTerm(w string) string {
	n := 0
	for i := range w {
		if n == MaxWordRunes {
			return w[:i]
		}
		n++
	}
	return w
}

// Tokenize returns the index terms of s in order, with repeats: NFKC and
// lower-case; every CJK run yields each character followed by the bigram it
// starts ("数据库" → 数 数据 据 据库 库); every run of letters, digits and
// marks yields one word (cut to MaxWordRunes). search.js tokenize is the
// same algorithm.
func Tokenize(s string) []string {
	var out []string
	eachTerm(Normalize(s), func(t string) { out = append(out, t) })
	return out
}

// eachTerm calls f with the terms of normalised text s in order, as
// Tokenize returns them, without collecting them.
func eachTerm(s string, f func(term string)) {
	start, cur := 0, sep
	emit := func(end int) {
		if cur == sep || end <= start {
			return
		}
		t := s[start:end]
		if cur == word {
			f(wordTerm(t))
			return
		}
		for i, r := range t {
			n := utf8.RuneLen(r)
			f(t[i : i+n])
			if i+n < len(t) {
				_, m := utf8.DecodeRuneInString(t[i+n:])
				f(t[i : i+n+m])
			}
		}
	}
	for i, r := range s {
		c := classify(r)
		if c != cur {
			emit(i)
			start, cur = i, c
		}
	}
	emit(len(s))
}

// termCount is a distinct term of a document and how often it occurs in
// the text and in the title.
type termCount struct {
	term        string
	text, title int32
}

// countScratch is what countTerms reuses from one document to the next.
type countScratch struct {
	seen map[string]int32
	out  []termCount
}

var countPool = sync.Pool{New: func() any { return &countScratch{seen: map[string]int32{}} }}

// countTerms returns each distinct term of a document once, in the order
// of first occurrence (text first, then title), with its counts, and the
// text's length in terms.
func countTerms(text, title string) ([]termCount, int) {
	sc := countPool.Get().(*countScratch)
	seen, out := sc.seen, sc.out[:0]
	defer func() {
		// Keep no terms (they point into the document's text) and no map
		// that one huge document grew.
		clear(out)
		sc.out = out[:0]
		if len(seen) > 1<<16 {
			sc.seen = map[string]int32{}
		} else {
			clear(seen)
		}
		countPool.Put(sc)
	}()
	dl := 0
	add := func(t string, inTitle bool) {
		k, ok := seen[t]
		if !ok {
			k = int32(len(out))
			seen[t] = k
			out = append(out, termCount{term: t})
		}
		if inTitle {
			out[k].title++
		} else {
			out[k].text++
		}
	}
	eachTerm(Normalize(text), func(t string) { dl++; add(t, false) })
	eachTerm(Normalize(title), func(t string) { add(t, true) })
	return slices.Clone(out), dl
}

// baseKey is where a term's shard key starts: a CJK term itself; a word
// its first two code points (one for a one-character word), so all words
// that share a prefix are found from one place and the client can
// prefix-match the last word of a query. Large groups of words are split by
// longer prefixes (see layout).
func baseKey(term string) string {
	r, n := utf8.DecodeRuneInString(term)
	if isCJK(r) || n == len(term) {
		return term
	}
	_, m := utf8.DecodeRuneInString(term[n:])
	return term[:n+m]
}

// fnv1a is 32-bit FNV-1a over the UTF-8 bytes (search.js: fnv1a).
func fnv1a(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= 16777619
	}
	return h
}

// shardOf returns the shard that holds key.
func shardOf(key string, shards int) int {
	return int(fnv1a(key) % uint32(shards))
}

package search

import (
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// layout decides which shard file holds each term.
//
// A CJK term is keyed by itself. A word is keyed by its first two code
// points, unless the words sharing that prefix would take more than
// splitBytes: then the group is split by one more code point (a word no
// longer than the prefix stays), recursively, and the prefix's shard gets a
// marker line "!prefix<TAB>child child …" listing the longer prefixes in use.
// The client follows the markers from the two-character key down, so an
// exact word costs one file per level and a prefix query reads only the
// groups under its prefix; record IDs and numbers, which share long
// prefixes, no longer pile up in one shard.
type layout struct {
	shards int
	key    map[string]string   // word → its key, where not baseKey
	splits map[string][]string // split prefix → child prefixes, sorted
}

// splitBytes is the most a word group takes before it is split.
const splitBytes = targetShardBytes

// lineBytes is the size of a term's line in its shard.
func lineBytes(term string, enc []byte) int {
	if len(enc) > heavyBytes {
		return len(term) + 6
	}
	return len(term) + 2 + len(enc)
}

func newLayout(keys []string, enc map[string][]byte, shards int) *layout {
	l := &layout{shards: shards, key: map[string]string{}, splits: map[string][]string{}}
	groups := map[string][]string{}
	var order []string
	for _, t := range keys { // sorted, so every group is sorted
		if r, _ := utf8.DecodeRuneInString(t); isCJK(r) {
			continue
		}
		k := baseKey(t)
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], t)
	}
	for _, k := range order {
		l.split(k, utf8.RuneCountInString(k), groups[k], enc)
	}
	return l
}

func (l *layout) split(key string, n int, words []string, enc map[string][]byte) {
	size := 0
	for _, w := range words {
		size += lineBytes(w, enc[w])
	}
	children := map[string][]string{}
	var order []string
	if size > splitBytes {
		for _, w := range words {
			c, ok := firstRunes(w, n+1)
			if !ok {
				continue
			}
			if _, seen := children[c]; !seen {
				order = append(order, c)
			}
			children[c] = append(children[c], w)
		}
	}
	if len(order) == 0 {
		for _, w := range words {
			if key != baseKey(w) {
				l.key[w] = key
			}
		}
		return
	}
	l.splits[key] = order
	for _, w := range words {
		if _, longer := firstRunes(w, n+1); !longer && key != baseKey(w) {
			l.key[w] = key
		}
	}
	for _, c := range order {
		l.split(c, n+1, children[c], enc)
	}
}

// firstRunes returns the first n code points of s, and whether s is longer
// than n code points.
func firstRunes(s string, n int) (string, bool) {
	for i := range s {
		if n == 0 {
			return s[:i], true
		}
		n--
	}
	return s, false
}

// keyOf returns the key a term is hashed by.
func (l *layout) keyOf(term string) string {
	if k, ok := l.key[term]; ok {
		return k
	}
	return baseKey(term)
}

// files encodes the shards: one line per term, "term<TAB>postings", or
// "term<TAB>~n" when the postings are longer than heavyBytes and stored
// alone in heavy[n] (t/<n>.txt); plus the split markers. Lines sorted.
func (l *layout) files(keys []string, enc map[string][]byte) (out, heavy [][]byte) {
	lines := make([][]string, l.shards)
	for _, t := range keys {
		s := shardOf(l.keyOf(t), l.shards)
		e := enc[t]
		if len(e) > heavyBytes {
			lines[s] = append(lines[s], t+"\t~"+strconv.Itoa(len(heavy)))
			heavy = append(heavy, e)
			continue
		}
		lines[s] = append(lines[s], t+"\t"+string(e))
	}
	for k, cs := range l.splits {
		s := shardOf(k, l.shards)
		lines[s] = append(lines[s], "!"+k+"\t"+strings.Join(cs, " "))
	}
	out = make([][]byte, l.shards)
	for i, ls := range lines {
		slices.Sort(ls)
		var b strings.Builder
		for _, line := range ls {
			b.WriteString(line)
			b.WriteByte('\n')
		}
		out[i] = []byte(b.String())
	}
	return out, heavy
}

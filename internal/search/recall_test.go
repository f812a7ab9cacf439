package search

import (
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/opsbook/opsbook/internal/testrepo"
)

// sample is a query cut from a page, with the pages that must be found.
type sample struct {
	query string
	want  []string // URLs
}

// TestRecallOnSampleRecords is the recall test: 200 random
// substrings (2–6 characters, mostly CJK) of the repository's sample
// records; the real client, run in Node against the written index, must
// return every page that contains the substring.
//
// "Contains" is compared on NFKC + lower-cased text. Latin/digit words are
// indexed whole, so a substring that starts inside a word, or ends one
// character into a word, is not sampled, and an occurrence in another page
// counts only where it also starts at a word boundary (see doc.go).
//
// It reads the bundled sample (read only) on purpose: the sample is the one
// corpus of real ops prose; generated records have a small vocabulary.
func TestRecallOnSampleRecords(t *testing.T) {
	docs := docsFromRepo(t, testrepo.Sample(t))
	if len(docs) < 100 {
		t.Fatalf("only %d sample records", len(docs))
	}
	dir := filepath.Join(t.TempDir(), "index")
	st, err := Write(dir, docs, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ix := openIndex(t, dir)

	type field struct{ title, text string }
	fields := make([]field, len(docs))
	for i, d := range docs {
		fields[i] = field{Normalize(d.Title), Normalize(d.Text)}
	}
	rng := rand.New(rand.NewPCG(2026, 4))
	var samples []sample
	cjkOnly, mixed, alignedOut := 0, 0, 0
	for len(samples) < 200 {
		d := rng.IntN(len(docs))
		src := fields[d].text
		if rng.IntN(10) < 3 {
			src = fields[d].title
		}
		rs := []rune(src)
		if len(rs) < 2 {
			continue
		}
		n := 2 + rng.IntN(5)
		i := rng.IntN(len(rs))
		j := min(i+n, len(rs))
		wantCJK := len(samples)%10 < 6 // 60% pure CJK
		if wantCJK {
			if classify(rs[i]) != cjk {
				continue
			}
			for k := i; k < j; k++ {
				if classify(rs[k]) != cjk {
					j = k
					break
				}
			}
		}
		if j-i < 2 || !queryable(rs, i, j) {
			continue
		}
		q := string(rs[i:j])
		s := sample{query: q}
		for k, f := range fields {
			if containsAligned(f.title, q) || containsAligned(f.text, q) {
				s.want = append(s.want, docs[k].URL)
			} else if strings.Contains(f.title, q) || strings.Contains(f.text, q) {
				alignedOut++
			}
		}
		if !slices.Contains(s.want, docs[d].URL) {
			t.Fatalf("sample %q from %s is not found in its own page by containsAligned", q, docs[d].URL)
		}
		if wantCJK {
			cjkOnly++
		} else {
			mixed++
			if len(samples)%2 == 0 {
				s.query = strings.ToUpper(q) // case-insensitive
			}
		}
		samples = append(samples, s)
	}

	ops := make([]map[string]any, len(samples))
	for i, s := range samples {
		ops[i] = searchOp(s.query, "", 0)
	}
	var got []nodeSearch
	node(t, dir, ops, &got)
	urlOf := map[int]string{}
	for id := range ix.meta.Docs {
		urlOf[id] = ix.url(t, id)
	}
	wanted, returned, extra := 0, 0, 0
	for i, s := range samples {
		have := map[string]bool{}
		for _, id := range got[i].Hits {
			have[urlOf[id]] = true
		}
		var missing []string
		for _, u := range s.want {
			if !have[u] {
				missing = append(missing, u)
			}
		}
		if len(missing) > 0 {
			t.Errorf("query %q: %d of %d pages missing: %v", s.query, len(missing), len(s.want), missing)
		}
		wanted += len(s.want)
		returned += len(got[i].Hits)
		extra += len(got[i].Hits) - (len(s.want) - len(missing))
	}
	t.Logf("%d pages, %d terms, %d shards; %d samples (%d pure CJK, %d mixed/Latin); %d expected hits, %d returned (%d more pages hold every query term, but not the exact string); %d Latin-infix occurrences not expected",
		st.Docs, st.Terms, st.Shards, len(samples), cjkOnly, mixed, wanted, returned, extra, alignedOut)
}

// queryable reports whether rs[i:j] is a query the index answers exactly:
// it has a term, does not start inside a word, and does not end one
// character into a word.
func queryable(rs []rune, i, j int) bool {
	if len(Tokenize(string(rs[i:j]))) == 0 {
		return false
	}
	if i > 0 && classify(rs[i]) == word && classify(rs[i-1]) == word {
		return false
	}
	if j < len(rs) && classify(rs[j-1]) == word && classify(rs[j]) == word {
		k := j - 1
		for k > i && classify(rs[k-1]) == word {
			k--
		}
		return j-k >= 2
	}
	return true
}

// containsAligned reports whether s holds q at a place where a query q
// matches: if q starts with a word character, not inside a word; if q ends
// with a one-character word fragment, not followed by a word character.
func containsAligned(s, q string) bool {
	first, _ := utf8.DecodeRuneInString(q)
	last, _ := utf8.DecodeLastRuneInString(q)
	qr := []rune(q)
	tail := 0
	for k := len(qr) - 1; k >= 0 && classify(qr[k]) == word; k-- {
		tail++
	}
	for off := 0; ; {
		i := strings.Index(s[off:], q)
		if i < 0 {
			return false
		}
		i += off
		ok := true
		if classify(first) == word && i > 0 {
			if r, _ := utf8.DecodeLastRuneInString(s[:i]); classify(r) == word {
				ok = false
			}
		}
		if ok && classify(last) == word && tail < 2 && i+len(q) < len(s) {
			if r, _ := utf8.DecodeRuneInString(s[i+len(q):]); classify(r) == word {
				ok = false
			}
		}
		if ok {
			return true
		}
		_, n := utf8.DecodeRuneInString(s[i:])
		off = i + n
	}
}

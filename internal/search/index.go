package search

import (
	"cmp"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"
)

// Ranking constants, shared with search.js through meta.json.
const (
	k1 = 1.2
	b  = 0.75
	// TitleBoost is added to a term's impact in a page whose title holds it;
	// the text part of the impact is at most k1+1, so a title hit weighs a
	// little more than the best possible text hit.
	TitleBoost   = 2.5
	maxImpact    = k1 + 1 + TitleBoost
	impactLevels = 63 // impacts are quantised to 1..63 (one character)
)

// MaxSnippetRunes is how much of a page's text is kept for snippets.
const MaxSnippetRunes = 2000

// Doc is one page to index.
type Doc struct {
	URL       string // site-relative, e.g. "change/chg-2026-007/"
	Title     string
	Kind      string // record kind, e.g. "change"
	KindLabel string // shown to users, e.g. "变更"
	Date      string // shown beside the title, e.g. "2026-09-29"
	Text      string // plain text of the page (Markdown already stripped)
}

// kindRange is the docs of one kind: ids [From, From+N); their text groups
// are numbered from G0, Per docs a group.
type kindRange struct {
	Kind  string `json:"kind"`
	Label string `json:"label"`
	From  int    `json:"from"`
	N     int    `json:"n"`
	G0    int    `json:"g0"`
	Per   int    `json:"per"`
}

// posting is one page holding a term, with its quantised impact.
type posting struct {
	doc    int32
	impact uint8
}

// built is the in-memory index before it is encoded.
type built struct {
	docs  []Doc // sorted: kinds in order of first appearance, newest first
	kinds []kindRange
	terms map[string][]posting
}

// build sorts the docs, counts terms and computes BM25 impacts.
func build(in []Doc) *built {
	order := map[string]int{}
	for _, d := range in {
		if _, ok := order[d.Kind]; !ok {
			order[d.Kind] = len(order)
		}
	}
	docs := slices.Clone(in)
	slices.SortStableFunc(docs, func(x, y Doc) int {
		return cmp.Or(cmp.Compare(order[x.Kind], order[y.Kind]), strings.Compare(y.Date, x.Date), strings.Compare(x.URL, y.URL))
	})
	bi := &built{docs: docs}
	for i, d := range docs {
		if n := len(bi.kinds); n == 0 || bi.kinds[n-1].Kind != d.Kind {
			bi.kinds = append(bi.kinds, kindRange{Kind: d.Kind, Label: d.KindLabel, From: i})
		}
		k := &bi.kinds[len(bi.kinds)-1]
		k.N++
		if k.Label == "" {
			k.Label = d.KindLabel
		}
	}
	for i := range bi.kinds {
		if bi.kinds[i].Label == "" {
			bi.kinds[i].Label = bi.kinds[i].Kind
		}
	}

	// Per doc, each distinct term once: its id and its counts in the text
	// and the title. Docs are counted on every core in blocks; then terms
	// are interned in doc order (cloned, so a doc's normalised text is not
	// kept alive by them), which keeps ids, and so the output, stable.
	type count struct{ id, text, title int32 }
	ids := map[string]int32{}
	var names []string
	per := make([][]count, len(docs))
	dls := make([]int, len(docs))
	total := 0
	const block = 256
	counted := make([][]termCount, block)
	for from := 0; from < len(docs); from += block {
		n := min(block, len(docs)-from)
		parallel(n, func(j int) {
			counted[j], dls[from+j] = countTerms(docs[from+j].Text, docs[from+j].Title)
		})
		for j := range n {
			cur := make([]count, len(counted[j]))
			for k, tc := range counted[j] {
				id, ok := ids[tc.term]
				if !ok {
					id = int32(len(names))
					t := strings.Clone(tc.term)
					ids[t] = id
					names = append(names, t)
				}
				cur[k] = count{id: id, text: tc.text, title: tc.title}
			}
			total += dls[from+j]
			per[from+j] = cur
			counted[j] = nil
		}
	}
	avgdl := 1.0
	if len(docs) > 0 && total > 0 {
		avgdl = float64(total) / float64(len(docs))
	}
	// Postings in one array, each term's slice sized by its document count.
	df := make([]int32, len(names))
	all := 0
	for _, cs := range per {
		for _, c := range cs {
			df[c.id]++
		}
		all += len(cs)
	}
	backing := make([]posting, all)
	postings := make([][]posting, len(names))
	for id, n := range df {
		postings[id], backing = backing[:0:n], backing[n:]
	}
	for i, cs := range per {
		for _, c := range cs {
			postings[c.id] = append(postings[c.id], posting{doc: int32(i), impact: impact(int(c.text), dls[i], avgdl, c.title > 0)})
		}
		per[i] = nil
	}
	bi.terms = make(map[string][]posting, len(names))
	for id, t := range names {
		bi.terms[t] = postings[id]
	}
	return bi
}

// parallel calls f(0) … f(n-1) on every core.
func parallel(n int, f func(int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				f(i)
			}
		}()
	}
	wg.Wait()
}

// impact is BM25's term-frequency part for the text plus TitleBoost for a
// title hit, quantised to 1..impactLevels; the client multiplies it by idf.
func impact(tf, dl int, avgdl float64, inTitle bool) uint8 {
	s := 0.0
	if tf > 0 {
		f := float64(tf)
		s = f * (k1 + 1) / (f + k1*(1-b+b*float64(dl)/avgdl))
	}
	if inTitle {
		s += TitleBoost
	}
	q := int(math.Round(s / maxImpact * impactLevels))
	return uint8(min(max(q, 1), impactLevels))
}

// snippetText is the text kept for snippets: whitespace collapsed, cut to
// MaxSnippetRunes code points.
func snippetText(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= MaxSnippetRunes {
		return s
	}
	n := 0
	for i := range s {
		if n == MaxSnippetRunes {
			return s[:i]
		}
		n++
	}
	return s
}

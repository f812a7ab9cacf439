package search

import (
	"cmp"
	"math"
	"slices"
	"strings"
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
	doc    int
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
	bi := &built{docs: docs, terms: map[string][]posting{}}
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

	type counts struct {
		text, title map[string]int
		dl          int
	}
	cs := make([]counts, len(docs))
	total := 0
	for i, d := range docs {
		c := counts{text: map[string]int{}, title: map[string]int{}}
		for _, t := range Tokenize(d.Text) {
			c.text[t]++
			c.dl++
		}
		for _, t := range Tokenize(d.Title) {
			c.title[t]++
		}
		cs[i] = c
		total += c.dl
	}
	avgdl := 1.0
	if len(docs) > 0 && total > 0 {
		avgdl = float64(total) / float64(len(docs))
	}
	for i, c := range cs {
		seen := make([]string, 0, len(c.text)+len(c.title))
		for t := range c.text {
			seen = append(seen, t)
		}
		for t := range c.title {
			if c.text[t] == 0 {
				seen = append(seen, t)
			}
		}
		for _, t := range seen {
			imp := impact(c.text[t], c.dl, avgdl, c.title[t] > 0)
			bi.terms[t] = append(bi.terms[t], posting{doc: i, impact: imp})
		}
	}
	return bi
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

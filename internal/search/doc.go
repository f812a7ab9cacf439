// Package search writes the static site's CJK-aware search index; the
// browser client that reads it is themes/opsbook/static/search/search.js.
// No Hugo import: internal/site calls Write after the Hugo build.
//
// # Calling it
//
//	st, err := search.Write(filepath.Join(public, "search", "index"), docs, search.Options{})
//
// Doc.URL is site-relative ("change/chg-2026-007/"); anything with a scheme
// or starting with "//" is rejected. Kinds are listed (and tie-broken) in
// the order they first appear in docs; within a kind, newest Date first.
// Doc.Text is plain text; only its first MaxSnippetRunes code points are
// kept for snippets, but all of it is indexed.
//
// # DOM contract (the search page template)
//
// The search page — <site>/search/ — contains
//
//	<form id="search-form" role="search">
//	  <input id="search-q" name="q" type="search" placeholder="搜索" autofocus>
//	  <select id="search-kind" name="kind"><option value="">全部类型</option></select>
//	</form>
//	<div id="search-status"></div>
//	<ol id="search-results"></ol>
//	<link rel="stylesheet" href="{{ "search/search.css" | relURL }}">
//	<script src="{{ "search/search.js" | relURL }}" defer></script>
//
// A submit button is optional (Enter submits; typing searches after a pause).
// The script fills the kind options from the index ("变更（12）" with the
// counts of the current query), reads ?q= and ?kind= on load and keeps them
// current with history.replaceState, writes "共 N 条结果" / "没有找到…" /
// errors into #search-status (role=status, aria-live=polite), and appends
// one item per result, ten at a time, then a "显示更多" button:
//
//	<li class="search-result">
//	  <a class="search-result-link" href="…"><span class="search-kind">变更</span><span class="search-title">…<mark>表空间</mark>…</span></a>
//	  <span class="search-date">2026-09-29</span>
//	  <p class="search-snippet">…<mark>表空间</mark>…</p>
//	</li>
//	<li class="search-more"><button type="button">显示更多（还有 N 条）</button></li>
//
// Page text only ever reaches the DOM through textContent / text nodes, and
// a result URL that does not resolve to the site's own origin is not linked.
// Keys: ArrowDown from the box goes to the first result, ArrowUp/ArrowDown
// move between results, ArrowUp from the first result or Escape returns to
// the box; Tab works as usual. The script does nothing on a page without
// #search-form, so it may be loaded anywhere.
//
// # Files
//
// The script lives at <site>/search/search.js and reads <site>/search/index/
// (new URL('index/', document.currentScript.src)); data-index="…" on the
// script tag overrides that, and data-root="…" the base result URLs are
// resolved against (default: the script's '../', i.e. the site root).
// meta.json is fetched with cache: 'no-cache'; every other file with
// ?v=<build>, a hash of the index content, so they can be cached for long.
//
//	meta.json      {"v":1,"build":…,"n":pages,"shards":S,"groups":G,"maxImpact":…,"levels":63,"maxWord":32,
//	                "kinds":[{"kind","label","from","n","g0","per"}…]}
//	p/<i>.txt      postings shard i: sorted lines "term<TAB>postings" | "term<TAB>~n" | "!prefix<TAB>child child…"
//	t/<n>.txt      the postings of one frequent term (more than 4 KB encoded)
//	d/<g>.json     docs group g: [[url, title, date, snippet text]…]
//
// Restricted pages (internal/site: restricted projects' and confidential
// documents) are written with the same Write into one index per project,
// <site>/search-restricted/<project>/, served only to users granted the
// project (internal/access). The page fetches <site>/_access/search.json,
// {"user": …, "indexes": ["search-restricted/<project>/", …]}, and searchAll
// queries the public index and each listed one, merging hits by score
// (each index's BM25 uses its own statistics); results from restricted
// indexes get a "受控" badge (<span class="search-restricted">).
//
// Pages are numbered in the order above, so a kind is a range of ids
// [from, from+n) and the kind filter costs nothing; page id i of kind k is
// row (i-from)%per of group g0+(i-from)/per (per is chosen per kind so a
// group is about 4 KB).
//
// Postings are text: for each page, the gap to the previous page id minus
// one as a base-32 varint (continuation digits alphabet[32:64], last digit
// alphabet[0:32], most significant first; alphabet =
// 0-9a-zA-Z-_), then one character alphabet[impact], impact 1..63. The
// impact is BM25's term-frequency part (k1 1.2, b 0.75) on the text plus
// TitleBoost when the title holds the term, quantised over [0, maxImpact];
// the client adds idf(df) × impact × maxImpact/levels over the query terms.
//
// A term's shard is fnv1a32(key) mod S over the key's UTF-8 bytes. The key
// of a CJK term is the term; of a word its first two code points — unless
// the words under that prefix exceed 8 KB, in which case they are split by
// one more code point, recursively, and the prefix's shard gets a marker
// line "!prefix<TAB>children" (record IDs and numbers share long prefixes).
// Shards aim at 8 KB; Options.Shards overrides the count.
//
// # Tokens and what a query finds
//
// Text is NFKC-normalised and lower-cased code point by code point. Runs of
// CJK code points (Han, kana, Hangul, bopomofo: the block table cjkRanges,
// mirrored in search.js) are indexed as every character and every bigram;
// runs of other letters, digits and marks as words (cut to 32 code points);
// everything else separates. A query requires every one of its terms (AND):
// the bigrams of each CJK run (the character itself for a one-character
// run) and its words, the last word as a prefix when the query ends inside
// it and it has two or more characters (at most 24 terms are used). Hence:
//
//   - every substring of two or more characters of a CJK run in a page's
//     title or text finds that page (its bigrams are all in the page);
//   - a Latin/digit word is found from its start: "asset-01" finds
//     asset-0123, "sset" does not find asset, and a query ending one
//     character into a word ("库a") matches that character as a whole word;
//   - adjacency is not checked, and punctuation is not indexed, so a page
//     holding every term apart is also returned (ranked by BM25); the
//     snippet highlights the whole query where it occurs.
//
// Go and the browser may know different Unicode versions (Go's tables are
// Unicode 15): CJK classification is by block, so it agrees regardless, but
// letters and case pairs added after Unicode 15 may tokenize differently.
package search

package search

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// rankingDocs: the query 表空间 appears in A's title only, three times in
// C's short text, once in B's long text; D lacks it.
func rankingDocs() []Doc {
	filler := strings.Repeat("交换节点运行正常，接口网关响应及时。", 30)
	return []Doc{
		{URL: "kb/b/", Title: "数据库巡检记录", Kind: "kb", KindLabel: "知识库", Date: "2026-01-02", Text: filler + "表空间使用率 61%。" + filler},
		{URL: "kb/d/", Title: "前置机网卡", Kind: "kb", KindLabel: "知识库", Date: "2026-01-04", Text: "网卡绑定 bond0 asset-0001"},
		{URL: "change/a/", Title: "表空间扩容", Kind: "change", KindLabel: "变更", Date: "2026-01-01", Text: "为交换库增加数据文件。"},
		{URL: "kb/c/", Title: "巡检要点", Kind: "kb", KindLabel: "知识库", Date: "2026-01-03", Text: "表空间、临时表空间、表空间告警阈值。"},
	}
}

func TestBM25TitleBoost(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "index")
	st, err := Write(dir, rankingDocs(), Options{Gzip: true})
	if err != nil {
		t.Fatal(err)
	}
	if st.Docs != 4 || st.Terms == 0 || st.Shards < 1 || st.Bytes == 0 || st.GzipBytes == 0 {
		t.Fatalf("stats = %+v", st)
	}
	ix := openIndex(t, dir)
	var urls []string
	for _, id := range ix.rank(t, "表空", "空间") {
		urls = append(urls, ix.url(t, id))
	}
	want := []string{"change/a/", "kb/c/", "kb/b/"}
	if !slices.Equal(urls, want) {
		t.Fatalf("ranking for 表空间 = %v, want %v (title hit, then frequent, then rare)", urls, want)
	}
}

func TestImpact(t *testing.T) {
	if impact(0, 10, 10, true) <= impact(50, 10, 10, false) {
		t.Error("a title hit must outweigh any amount of text hits")
	}
	if impact(3, 10, 10, false) <= impact(1, 10, 10, false) {
		t.Error("more occurrences must score higher")
	}
	if impact(1, 100, 10, false) >= impact(1, 5, 10, false) {
		t.Error("a long page must score lower than a short one for the same count")
	}
	if impact(1, 1e6, 1, false) < 1 {
		t.Error("a hit must never quantise to zero")
	}
}

func TestDocOrderAndKinds(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "index")
	if _, err := Write(dir, rankingDocs(), Options{}); err != nil {
		t.Fatal(err)
	}
	ix := openIndex(t, dir)
	// Kinds in order of first appearance, newest first within a kind.
	var got []string
	for id := range ix.meta.Docs {
		got = append(got, ix.url(t, id))
	}
	if want := []string{"kb/d/", "kb/c/", "kb/b/", "change/a/"}; !slices.Equal(got, want) {
		t.Fatalf("doc order = %v, want %v", got, want)
	}
	if len(ix.meta.Kinds) != 2 || ix.meta.Kinds[0].Kind != "kb" || ix.meta.Kinds[0].Label != "知识库" || ix.meta.Kinds[1].From != 3 {
		t.Fatalf("kinds = %+v", ix.meta.Kinds)
	}
}

func TestShardLayout(t *testing.T) {
	const shards = 8
	dir := filepath.Join(t.TempDir(), "index")
	docs := rankingDocs()
	st, err := Write(dir, docs, Options{Shards: shards})
	if err != nil {
		t.Fatal(err)
	}
	ix := openIndex(t, dir)
	if ix.meta.Shards != shards || st.Shards != shards {
		t.Fatalf("shards = %d (stats %d), want %d", ix.meta.Shards, st.Shards, shards)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "p", "*.txt"))
	if len(files) != shards {
		t.Fatalf("%d shard files, want %d", len(files), shards)
	}
	b := build(docs)
	keys, enc := encodeAll(b.terms)
	lay := newLayout(keys, enc, shards)
	terms := 0
	for i := range shards {
		m := ix.shard(t, i)
		for term, e := range m {
			if strings.HasPrefix(term, "!") {
				continue
			}
			terms++
			if s := shardOf(lay.keyOf(term), shards); s != i {
				t.Errorf("term %q in shard %d, belongs in %d", term, i, s)
			}
			if got := decodePostings(t, ix.resolve(t, e)); !slices.Equal(got, b.terms[term]) {
				t.Errorf("term %q: postings %v, want %v", term, got, b.terms[term])
			}
		}
		data, _ := os.ReadFile(filepath.Join(dir, "p", strconv.Itoa(i)+".txt"))
		lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
		if !slices.IsSorted(lines) {
			t.Errorf("shard %d: terms not sorted", i)
		}
	}
	if terms != st.Terms || terms != len(b.terms) {
		t.Fatalf("%d terms in shards, stats %d, built %d", terms, st.Terms, len(b.terms))
	}
	// Every token of every title and text is in the index.
	for _, d := range docs {
		for _, tok := range Tokenize(d.Title + " " + d.Text) {
			if len(ix.postings(t, tok)) == 0 {
				t.Errorf("token %q of %s is not indexed", tok, d.URL)
			}
		}
	}
}

func TestVarintRoundTrip(t *testing.T) {
	var ps []posting
	doc := -1
	for _, gap := range []int{1, 2, 31, 32, 33, 1023, 1024, 1025, 40000, 1 << 20} {
		doc += gap
		ps = append(ps, posting{doc: int32(doc), impact: uint8(1 + gap%63)})
	}
	enc := encodePostings(nil, ps)
	if got := decodePostings(t, string(enc)); !slices.Equal(got, ps) {
		t.Fatalf("round trip: %v, want %v", got, ps)
	}
}

func TestWriteReplacesAtomically(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "public", "search", "index")
	if _, err := Write(dir, rankingDocs()[:2], Options{}); err != nil {
		t.Fatal(err)
	}
	first := openIndex(t, dir).meta
	if _, err := Write(dir, rankingDocs(), Options{}); err != nil {
		t.Fatal(err)
	}
	second := openIndex(t, dir).meta
	if second.Docs != 4 || second.Build == first.Build {
		t.Fatalf("second write did not replace the index: %+v", second)
	}
	entries, _ := os.ReadDir(filepath.Dir(dir))
	if len(entries) != 1 {
		t.Fatalf("left beside the index: %v", entries)
	}
	st, _ := os.Stat(dir)
	if st.Mode().Perm() != 0o755 {
		t.Errorf("index directory mode %v, want 0755 (the web server reads it)", st.Mode().Perm())
	}

	// A write that fails half-way leaves the previous index untouched and no
	// temporary directory behind.
	n := 0
	writeFile = func(name string, data []byte, perm os.FileMode) error {
		if n++; n == 3 {
			return errors.New("disk full")
		}
		return os.WriteFile(name, data, perm)
	}
	defer func() { writeFile = os.WriteFile }()
	if _, err := Write(dir, rankingDocs()[:1], Options{}); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("err = %v, want the write failure", err)
	}
	if got := openIndex(t, dir).meta; got.Build != second.Build {
		t.Fatalf("failed write changed the index: %+v", got)
	}
	entries, _ = os.ReadDir(filepath.Dir(dir))
	if len(entries) != 1 {
		t.Fatalf("left beside the index after a failure: %v", entries)
	}
}

func TestWriteRejectsForeignURLs(t *testing.T) {
	for _, u := range []string{"", "javascript:alert(1)", "https://example.com/", "//example.com/x", "JAVASCRIPT:x", "a\\b"} {
		docs := []Doc{{URL: u, Title: "x", Kind: "kb"}}
		if _, err := Write(filepath.Join(t.TempDir(), "index"), docs, Options{}); err == nil {
			t.Errorf("URL %q accepted", u)
		}
	}
	for _, u := range []string{"change/chg-2026-007/", "kb/a:b/", "search/?q=x", "/abs/"} {
		if err := checkURL(u); err != nil {
			t.Errorf("URL %q rejected: %v", u, err)
		}
	}
}

func TestEmptyIndex(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "index")
	st, err := Write(dir, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if st.Docs != 0 || st.Shards != 1 {
		t.Fatalf("stats = %+v", st)
	}
	if m := openIndex(t, dir).meta; m.Docs != 0 || m.Shards != 1 {
		t.Fatalf("meta = %+v", m)
	}
}

// idDocs are n pages whose texts hold record-like IDs: 3000 words sharing
// the prefix "00", the case that would pile into one shard without splits.
func idDocs(n int) []Doc {
	docs := make([]Doc, n)
	for i := range docs {
		docs[i] = Doc{URL: fmt.Sprintf("inspection/ins-%06d/", i+1), Title: fmt.Sprintf("巡检 INS-2026-%06d", i+1), Kind: "inspection", Date: "2026-01-01", Text: "日常巡检"}
	}
	return docs
}

func TestLayoutSplitsLargeWordGroups(t *testing.T) {
	docs := idDocs(3000)
	dir := filepath.Join(t.TempDir(), "index")
	st, err := Write(dir, docs, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ix := openIndex(t, dir)
	maxReads, maxShard := 0, 0
	for i := range st.Shards {
		fi, err := os.Stat(filepath.Join(dir, "p", strconv.Itoa(i)+".txt"))
		if err != nil {
			t.Fatal(err)
		}
		maxShard = max(maxShard, int(fi.Size()))
	}
	for i := range docs {
		id := fmt.Sprintf("%06d", i+1)
		enc, ok, reads := ix.find(t, id)
		if !ok {
			t.Fatalf("word %s not found through the split markers", id)
		}
		if ps := decodePostings(t, enc); len(ps) != 1 || ix.url(t, int(ps[0].doc)) != docs[i].URL {
			t.Fatalf("word %s: postings %v", id, ps)
		}
		maxReads = max(maxReads, reads)
	}
	if maxReads < 2 {
		t.Fatalf("the 00… group was not split (%d read)", maxReads)
	}
	if maxShard > 3*targetShardBytes {
		t.Errorf("largest shard %d bytes; splits should keep shards near %d", maxShard, targetShardBytes)
	}
	// A term in every page has its postings in a file of its own.
	if enc := ix.shard(t, shardOf("日常", st.Shards))["日常"]; !strings.HasPrefix(enc, "~") {
		t.Errorf("日常 (3000 pages) is inline in its shard: %.40q", enc)
	}
	if ps := ix.postings(t, "日常"); len(ps) != 3000 {
		t.Errorf("日常: %d postings, want 3000", len(ps))
	}
	if _, ok, _ := ix.find(t, "009999"); ok {
		t.Error("found a word that is in no page")
	}
	t.Logf("%d shards, largest %d bytes, deepest lookup %d reads", st.Shards, maxShard, maxReads)
}

package search

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/opsbook/opsbook/internal/testrepo"
)

// typicalQueries are measured by BenchmarkIndexSize.
var typicalQueries = []string{"数据库", "表空间", "交换 超时", "执行计划", "查询日志", "订阅审批 公安局", "前置机 网卡", "asset-01", "CHG-2025", "ORA-01555"}

// BenchmarkIndexSize writes the index of 10,000 pages (SEARCH_BENCH_RECORDS
// overrides) and reports its size per page and what typical queries
// download with a cold cache — meta.json, their postings shards and the docs
// groups of the first page of 10 results (the page size of search.js) — as loaded by the real client in
// Node. Two corpora:
//
//   - gen: internal/gen's synthetic repository, read back with the record
//     loader (small vocabulary: templated sentences);
//   - remix: pages assembled from sentences of the repository's own sample
//     records (real ops prose, a much larger vocabulary).
//
// Run: go test -run '^$' -bench IndexSize -benchtime 1x ./internal/search
func BenchmarkIndexSize(b *testing.B) {
	records := 10000
	if v, err := strconv.Atoi(os.Getenv("SEARCH_BENCH_RECORDS")); err == nil && v > 0 {
		records = v
	}
	b.Run("gen", func(b *testing.B) {
		repo := testrepo.Generated(b, records, 1)
		benchIndex(b, docsFromRepo(b, repo))
	})
	b.Run("remix", func(b *testing.B) {
		benchIndex(b, remix(docsFromRepo(b, testrepo.Sample(b)), records))
	})
}

func benchIndex(b *testing.B, docs []Doc) {
	dir := filepath.Join(b.TempDir(), "index")
	var st Stats
	b.ResetTimer()
	for range b.N {
		var err error
		if st, err = Write(dir, docs, Options{Gzip: true}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(st.GzipBytes)/float64(st.Docs), "gzipB/page")
	b.ReportMetric(float64(st.Bytes)/float64(st.Docs), "rawB/page")
	b.Logf("%d pages: %d terms, %d shards, %d files; index %.1f MB raw, %.1f MB gzip (%.0f B/page gzip)",
		st.Docs, st.Terms, st.Shards, countFiles(dir), float64(st.Bytes)/1e6, float64(st.GzipBytes)/1e6, float64(st.GzipBytes)/float64(st.Docs))

	ops := make([]map[string]any, len(typicalQueries))
	for i, q := range typicalQueries {
		ops[i] = searchOp(q, "", 10)
	}
	var got []nodeSearch
	node(b, dir, ops, &got)
	var worst int64
	for i, q := range typicalQueries {
		var raw, gz int64
		part := map[byte]int64{}
		for _, p := range got[i].Loaded {
			data, err := os.ReadFile(filepath.Join(dir, p))
			if err != nil {
				b.Fatal(err)
			}
			raw += int64(len(data))
			z := gzipSize(data)
			gz += z
			part[p[0]] += z
		}
		worst = max(worst, gz)
		b.Logf("query %-14q %5d results, %2d files, %6.1f KB raw, %5.1f KB gzip (meta %.1f, postings %.1f, docs %.1f)", q, got[i].Total, len(got[i].Loaded),
			float64(raw)/1024, float64(gz)/1024, float64(part['m'])/1024, float64(part['p'])/1024, float64(part['d'])/1024)
	}
	b.ReportMetric(float64(worst)/1024, "KBgzip/worst-query")
	if worst > 150<<10 {
		b.Errorf("a typical query downloads %.1f KB gzip, over the 150 KB budget", float64(worst)/1024)
	}
}

// remix builds n pages from the sentences of sample: each page takes a
// sample page's kind and title (numbered) and 3–30 random sentences.
func remix(sample []Doc, n int) []Doc {
	var sentences []string
	for _, d := range sample {
		for s := range strings.FieldsFuncSeq(d.Text, func(r rune) bool { return r == '。' || r == '\n' || r == '！' || r == '？' }) {
			if s = strings.TrimSpace(s); len(s) > 6 {
				sentences = append(sentences, s+"。")
			}
		}
	}
	rng := rand.New(rand.NewPCG(10, 10000))
	out := make([]Doc, n)
	for i := range out {
		src := sample[rng.IntN(len(sample))]
		var text strings.Builder
		for range 3 + rng.IntN(28) {
			text.WriteString(sentences[rng.IntN(len(sentences))])
		}
		out[i] = Doc{
			URL:       fmt.Sprintf("%s/r-%06d/", src.Kind, i),
			Title:     fmt.Sprintf("%s（%d）", src.Title, i),
			Kind:      src.Kind,
			KindLabel: src.KindLabel,
			Date:      fmt.Sprintf("2025-%02d-%02d", 1+rng.IntN(12), 1+rng.IntN(28)),
			Text:      text.String(),
		}
	}
	return out
}

func countFiles(dir string) int {
	n := 0
	filepath.WalkDir(dir, func(_ string, d os.DirEntry, _ error) error {
		if d != nil && !d.IsDir() {
			n++
		}
		return nil
	})
	return n
}

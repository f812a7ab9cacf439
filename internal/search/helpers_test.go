package search

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/opsbook/opsbook/internal/check/checktest"
	"github.com/opsbook/opsbook/internal/record"
)

// clientJS is the real browser client.
var clientJS = filepath.Join("..", "..", "themes", "opsbook", "static", "search", "search.js")

// ---- a Go reader of the written index, for white-box tests ----

type index struct {
	dir    string
	meta   meta
	shards map[int]map[string]string
}

func openIndex(t testing.TB, dir string) *index {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "meta.json"))
	if err != nil {
		t.Fatal(err)
	}
	ix := &index{dir: dir}
	if err := json.Unmarshal(data, &ix.meta); err != nil {
		t.Fatal(err)
	}
	return ix
}

func decodePostings(t testing.TB, s string) []posting {
	t.Helper()
	var out []posting
	prev, v := -1, 0
	for i := 0; i < len(s); i++ {
		d := strings.IndexByte(alphabet, s[i])
		if d < 0 {
			t.Fatalf("bad postings character %q", s[i])
		}
		if d >= 32 {
			v = v*32 + d - 32
			continue
		}
		prev += v*32 + d + 1
		v = 0
		i++
		out = append(out, posting{doc: int32(prev), impact: uint8(strings.IndexByte(alphabet, s[i]))})
	}
	return out
}

// shard returns term → encoded postings of shard i.
func (ix *index) shard(t testing.TB, i int) map[string]string {
	t.Helper()
	if m, ok := ix.shards[i]; ok {
		return m
	}
	data, err := os.ReadFile(filepath.Join(ix.dir, "p", strconv.Itoa(i)+".txt"))
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for line := range strings.SplitSeq(strings.TrimSuffix(string(data), "\n"), "\n") {
		if line == "" {
			continue
		}
		term, enc, ok := strings.Cut(line, "\t")
		if !ok {
			t.Fatalf("shard %d: line without a tab: %q", i, line)
		}
		m[term] = enc
	}
	if ix.shards == nil {
		ix.shards = map[int]map[string]string{}
	}
	ix.shards[i] = m
	return m
}

// find looks term up the way search.js does: from its base key, following
// split markers. It returns the shards read.
func (ix *index) find(t testing.TB, term string) (enc string, ok bool, reads int) {
	t.Helper()
	key := baseKey(term)
	for {
		sh := ix.shard(t, shardOf(key, ix.meta.Shards))
		reads++
		m, split := sh["!"+key]
		if !split || utf8.RuneCountInString(term) <= utf8.RuneCountInString(key) {
			e, ok := sh[term]
			return ix.resolve(t, e), ok, reads
		}
		c, _ := firstRunes(term, utf8.RuneCountInString(key)+1)
		if !slices.Contains(strings.Fields(m), c) {
			return "", false, reads
		}
		key = c
	}
}

func (ix *index) postings(t testing.TB, term string) []posting {
	enc, _, _ := ix.find(t, term)
	return decodePostings(t, enc)
}

// resolve follows a "~n" line to t/n.txt.
func (ix *index) resolve(t testing.TB, enc string) string {
	t.Helper()
	n, ok := strings.CutPrefix(enc, "~")
	if !ok {
		return enc
	}
	data, err := os.ReadFile(filepath.Join(ix.dir, "t", n+".txt"))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// rank scores a query the way search.js does (exact terms only), returning
// doc ids best first.
func (ix *index) rank(t testing.TB, terms ...string) []int {
	scores := map[int]float64{}
	hits := map[int]int{}
	for _, term := range terms {
		ps := ix.postings(t, term)
		idf := math.Log(1 + (float64(ix.meta.Docs)-float64(len(ps))+0.5)/(float64(len(ps))+0.5))
		for _, p := range ps {
			scores[int(p.doc)] += idf * float64(p.impact) * ix.meta.MaxImpact / float64(ix.meta.Levels)
			hits[int(p.doc)]++
		}
	}
	var ids []int
	for id, n := range hits {
		if n == len(terms) {
			ids = append(ids, id)
		}
	}
	sort.Slice(ids, func(i, j int) bool {
		if scores[ids[i]] != scores[ids[j]] {
			return scores[ids[i]] > scores[ids[j]]
		}
		return ids[i] < ids[j]
	})
	return ids
}

// url returns the URL of doc id, read from its group file.
func (ix *index) url(t testing.TB, id int) string {
	t.Helper()
	for _, k := range ix.meta.Kinds {
		if id >= k.From && id < k.From+k.N {
			local := id - k.From
			data, err := os.ReadFile(filepath.Join(ix.dir, "d", strconv.Itoa(k.G0+local/k.Per)+".json"))
			if err != nil {
				t.Fatal(err)
			}
			var rows [][4]string
			if err := json.Unmarshal(data, &rows); err != nil {
				t.Fatal(err)
			}
			return rows[local%k.Per][0]
		}
	}
	t.Fatalf("doc %d is in no kind range", id)
	return ""
}

// ---- running the real client in Node ----

type nodeSearch struct {
	Total      int              `json:"total"`
	Terms      []map[string]any `json:"terms"`
	Hits       []int            `json:"hits"`
	Scores     []float64        `json:"scores"`
	KindCounts map[string]int   `json:"kindCounts"`
	Items      []struct {
		URL       string   `json:"url"`
		Title     string   `json:"title"`
		Kind      string   `json:"kind"`
		KindLabel string   `json:"kindLabel"`
		Date      string   `json:"date"`
		TitleSegs [][2]any `json:"titleSegs"`
		Snippet   [][2]any `json:"snippet"`
	} `json:"items"`
	Loaded []string `json:"loaded"`
}

// node runs testdata/driver.js with ops and decodes the answers into out
// (a pointer to a slice). Skips without node on a laptop, fails in CI.
func node(t testing.TB, indexDir string, ops []map[string]any, out any) {
	t.Helper()
	bin, err := exec.LookPath("node")
	checktest.RequireService(t, "node", err)
	// Read the scripts here so that go test's cache notices when they change.
	for _, f := range []string{clientJS, filepath.Join("testdata", "driver.js")} {
		if _, err := os.ReadFile(f); err != nil {
			t.Fatal(err)
		}
	}
	req, err := json.Marshal(map[string]any{"script": clientJS, "index": indexDir, "ops": ops})
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, filepath.Join("testdata", "driver.js"))
	cmd.Stdin = bytes.NewReader(req)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	data, err := cmd.Output()
	if err != nil {
		t.Fatalf("node driver: %v\n%s", err, stderr.String())
	}
	if err := json.Unmarshal(data, out); err != nil {
		t.Fatalf("node driver output: %v\n%.500s", err, data)
	}
}

func searchOp(query, kind string, details int) map[string]any {
	return map[string]any{"op": "search", "query": query, "kind": kind, "details": details}
}

// segsText joins highlight segments; marked returns the highlighted parts.
func segsText(segs [][2]any) string {
	var b strings.Builder
	for _, s := range segs {
		b.WriteString(s[0].(string))
	}
	return b.String()
}

func marked(segs [][2]any) []string {
	var out []string
	for _, s := range segs {
		if s[1].(bool) {
			out = append(out, s[0].(string))
		}
	}
	return out
}

// ---- docs from a repository of records ----

var kindLabels = map[string]string{
	"anomaly": "异常", "asset": "资产", "backup": "备份", "change": "变更", "department": "部门",
	"document": "文档", "duty": "值班", "event": "重大活动", "inspection": "巡检", "kb": "知识库",
	"project": "项目", "report": "报告", "security": "安全", "stats": "部门统计", "ticket": "工单", "training": "培训",
}

// docsFromRepo loads every record under root/content: Text is every string
// field value (keys sorted) and the body.
func docsFromRepo(t testing.TB, root string) []Doc {
	t.Helper()
	var docs []Doc
	err := filepath.WalkDir(filepath.Join(root, "content"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !record.IsRecordFile(p) {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		r, err := record.ReadFile(p, filepath.ToSlash(rel), 0)
		if err != nil {
			return err
		}
		var parts []string
		collectStrings(r.Fields, &parts)
		parts = append(parts, r.Body)
		docs = append(docs, Doc{
			URL:       r.Kind() + "/" + strings.ToLower(r.ID()) + "/",
			Title:     r.Title(),
			Kind:      r.Kind(),
			KindLabel: kindLabels[r.Kind()],
			Date:      firstString(r.Fields, "date", "updated", "detected_at", "reported_at", "joined", "start"),
			Text:      strings.Join(parts, "\n"),
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return docs
}

func collectStrings(v any, out *[]string) {
	switch v := v.(type) {
	case string:
		*out = append(*out, v)
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			collectStrings(v[k], out)
		}
	case []any:
		for _, x := range v {
			collectStrings(x, out)
		}
	}
}

func firstString(f map[string]any, keys ...string) string {
	for _, k := range keys {
		if s, ok := f[k].(string); ok {
			return s
		}
	}
	return ""
}

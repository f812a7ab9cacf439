package search

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode"
)

// trickyStrings is the corpus on which Go Tokenize and JS tokenize must agree.
func trickyStrings() []string {
	s := []string{
		"", " ", "数据库", "库", "交换节点node-01超时", "ＡＢＣ１２３", "表空间，９０％！", "CHG-2026-007",
		"10.32.20.13:8080", "，。！？、；：“”（）《》【】—…·", "Oracle ORA-01555 snapshot too old",
		"İSTANBUL ıi", "ΟΔΟΣ Σ ς", "Привет мир", "cafe\u0301 café", "ﬁle ﬀ", "①②⑩", "Ⅻ ⅻ", "㍻ ㈱ ㌔",
		"⼈⼝", "サーバー データ・ベース", "ｻｰﾊﾞｰ ﾃﾞｰﾀ", "데이터베이스 연결", "𠀀𠀁𪚥", "告警🔥处理👍🏽",
		"3号机2026年", "pg_stat_activity", strings.Repeat("a", 40) + "b", strings.Repeat("数", 5),
		"数据\u3000库", "e\u0301\u0302", "\u0301abc", "ﾞ", "々 〆 〇 ヶ ゝ ゞ", "ÀÉÎÕÜ ǅ ǈ ǋ", "ẞ ß", "Ǆ",
		"ℌℍ ℃ ℉ ㎏ ㎡", "x²+y³", "٣٤٥ ١٢", "अनुच्छेद", "ไทย ภาษา", "עברית", "ᏣᎳᎩ", "𐐀𐐨", "ﬃ ﬄ",
		"Ⓐⓑ", "ＡＰＩ网关ＴＬＳ证书", "tab\there\nnew line", "零宽\u200b空格\u200d连接", "\ufeffBOM",
		"<script>alert(1)</script>", "javascript:alert('x')", "政务数据共享交换平台运维", "V3.2.1→V3.2.3",
		"IPv6 ::1 fe80::1%eth0", "a-b_c.d/e\\f", "ascii-ONLY-Upper", "ｶﾀｶﾅ", "ㄅㄆㄇ", "각",
		"\U00020000\U0002A6DF\U0003134A", "〸〹〺", "〱〲",
	}
	// Each end of every CJK range, and the code point just outside it,
	// between Latin letters and between Han characters.
	for _, r := range cjkRanges {
		for _, c := range []rune{r[0] - 1, r[0], r[1], r[1] + 1} {
			if c > 0 && c <= unicode.MaxRune && !(0xD800 <= c && c <= 0xDFFF) {
				s = append(s, fmt.Sprintf("a%cb 中%c文 %c", c, c, c))
			}
		}
	}
	return s
}

func TestTokenizeAgreesWithJS(t *testing.T) {
	inputs := trickyStrings()
	var got [][][]string
	node(t, t.TempDir(), []map[string]any{{"op": "tokenize", "inputs": inputs}}, &got)
	for i, in := range inputs {
		want := Tokenize(in)
		js := got[0][i]
		if len(want) == 0 && len(js) == 0 {
			continue
		}
		if !slices.Equal(js, want) {
			t.Errorf("tokenize(%q):\n  js %q\n  go %q", in, js, want)
		}
	}
}

func TestJSRangesMatchGo(t *testing.T) {
	var got [][][]string
	// The JS table is checked through behaviour above; this also compares it
	// literally, so an edit to one side fails even between tested points.
	inputs := []string{}
	for _, r := range cjkRanges {
		inputs = append(inputs, string([]rune{r[0], r[1]}))
	}
	node(t, t.TempDir(), []map[string]any{{"op": "tokenize", "inputs": inputs}}, &got)
	for i, r := range cjkRanges {
		want := []string{string(r[0]), string([]rune{r[0], r[1]}), string(r[1])}
		if n := Normalize(inputs[i]); n != inputs[i] {
			continue // a compatibility character, normalised away
		}
		if !slices.Equal(got[0][i], want) {
			t.Errorf("range %#x..%#x: js %q, go %q", r[0], r[1], got[0][i], want)
		}
	}
}

func TestJSSearch(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "index")
	docs := append(rankingDocs(),
		Doc{URL: "kb/x/", Title: "<script>alert(1)</script> 表空间", Kind: "kb", KindLabel: "知识库", Date: "2025-12-31", Text: "<b>粗体</b> 与 javascript: 链接"},
		Doc{URL: "ticket/t1/", Title: "目录系统咨询", Kind: "ticket", KindLabel: "工单", Date: "2026-02-01", Text: "交换超时，已重启 asset-0002 上的 exchange-agent。"},
	)
	if _, err := Write(dir, docs, Options{Shards: 5}); err != nil {
		t.Fatal(err)
	}
	var got []nodeSearch
	node(t, dir, []map[string]any{
		searchOp("表空间", "", -1),        // 0: ranking
		searchOp("表空间", "change", -1),  // 1: kind filter
		searchOp("asse", "", -1),       // 2: prefix of the last word
		searchOp("asse ", "", -1),      // 3: a finished word is exact
		searchOp("ＡＳＳＥＴ-0002", "", -1), // 4: full-width, mixed
		searchOp("交换 超时", "", -1),      // 5: two words, AND
		searchOp("不存在的词", "", -1),      // 6: no result
		searchOp("，。", "", -1),         // 7: nothing to search
		searchOp("script", "", -1),     // 8: markup is text
		searchOp("bond0 前置", "", -1),   // 9: AND across shards
		searchOp("exch", "", -1),       // 10: prefix
		searchOp("t-00", "", -1),       // 11: starts inside a word: not found
	}, &got)

	urls := func(r nodeSearch) []string {
		var out []string
		for _, it := range r.Items {
			out = append(out, it.URL)
		}
		return out
	}
	if u := urls(got[0]); len(u) != 4 || !slices.Contains(u[:2], "change/a/") || !slices.Contains(u[:2], "kb/x/") || !slices.Equal(u[2:], []string{"kb/c/", "kb/b/"}) {
		t.Errorf("表空间: %v (title hits first, then frequent, then rare)", u)
	}
	if got[0].KindCounts["kb"] != 3 || got[0].KindCounts["change"] != 1 {
		t.Errorf("kind counts = %v", got[0].KindCounts)
	}
	if u := urls(got[1]); !slices.Equal(u, []string{"change/a/"}) || got[1].KindCounts["kb"] != 3 {
		t.Errorf("表空间 in change: %v, counts %v", u, got[1].KindCounts)
	}
	if u := urls(got[2]); !slices.Equal(u, []string{"ticket/t1/", "kb/d/"}) && !slices.Equal(u, []string{"kb/d/", "ticket/t1/"}) {
		t.Errorf("asse: %v", u)
	}
	if got[3].Total != 0 {
		t.Errorf("'asse ' found %d, want 0 (a word followed by a space is complete)", got[3].Total)
	}
	if u := urls(got[4]); !slices.Equal(u, []string{"ticket/t1/"}) {
		t.Errorf("ＡＳＳＥＴ-0002: %v", u)
	}
	if u := urls(got[5]); !slices.Equal(u, []string{"ticket/t1/"}) {
		t.Errorf("交换 超时: %v", u)
	}
	if got[6].Total != 0 || got[7].Total != 0 || len(got[7].Loaded) != 1 {
		t.Errorf("no-result queries: %d, %d (loaded %v)", got[6].Total, got[7].Total, got[7].Loaded)
	}
	if u := urls(got[8]); !slices.Equal(u, []string{"kb/x/"}) {
		t.Errorf("script: %v", u)
	}
	if u := urls(got[9]); !slices.Equal(u, []string{"kb/d/"}) {
		t.Errorf("bond0 前置: %v", u)
	}
	if u := urls(got[10]); !slices.Equal(u, []string{"ticket/t1/"}) {
		t.Errorf("exch: %v", u)
	}
	if got[11].Total != 0 {
		t.Errorf("t-00 found %d; words are matched from their start", got[11].Total)
	}

	// Snippets: the match is highlighted, the title too; markup stays text.
	for _, it := range got[0].Items {
		if m := marked(it.Snippet); it.URL == "kb/c/" && (len(m) != 3 || m[0] != "表空间") {
			t.Errorf("snippet of %s: marks %q in %q", it.URL, m, segsText(it.Snippet))
		}
		if it.URL == "change/a/" && !slices.Equal(marked(it.TitleSegs), []string{"表空间"}) {
			t.Errorf("title of %s: marks %q", it.URL, marked(it.TitleSegs))
		}
		if it.URL == "kb/x/" && segsText(it.TitleSegs) != "<script>alert(1)</script> 表空间" {
			t.Errorf("title segments changed the text: %q", segsText(it.TitleSegs))
		}
		if it.URL == "kb/b/" {
			s := segsText(it.Snippet)
			if !strings.HasPrefix(s, "…") || !strings.HasSuffix(s, "…") || len([]rune(s)) > 150 {
				t.Errorf("long text snippet not windowed: %q", s)
			}
			if !slices.Contains(marked(it.Snippet), "表空间") {
				t.Errorf("long text snippet lacks the match: %q", s)
			}
		}
	}
	if it := got[4].Items[0]; !slices.Contains(marked(it.Snippet), "asset-0002") {
		t.Errorf("full-width query highlights %q in %q", marked(it.Snippet), segsText(it.Snippet))
	}
	if it := got[1].Items[0]; it.Kind != "change" || it.KindLabel != "变更" || it.Date != "2026-01-01" || it.Title != "表空间扩容" {
		t.Errorf("first result fields: %+v", it)
	}
}

// The JS client and the Go reader rank the same.
func TestJSRankingMatchesGo(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "index")
	if _, err := Write(dir, rankingDocs(), Options{}); err != nil {
		t.Fatal(err)
	}
	var got []nodeSearch
	node(t, dir, []map[string]any{searchOp("表空间", "", 0), searchOp("巡检", "", 0)}, &got)
	ix := openIndex(t, dir)
	for i, terms := range [][]string{{"表空", "空间"}, {"巡检"}} {
		if want := ix.rank(t, terms...); !slices.Equal(got[i].Hits, want) {
			b, _ := json.Marshal(got[i].Scores)
			t.Errorf("%v: js %v (%s), go %v", terms, got[i].Hits, b, want)
		}
	}
}

func TestJSFollowsSplits(t *testing.T) {
	docs := idDocs(3000)
	dir := filepath.Join(t.TempDir(), "index")
	if _, err := Write(dir, docs, Options{}); err != nil {
		t.Fatal(err)
	}
	var got []nodeSearch
	node(t, dir, []map[string]any{
		searchOp("001234", "", -1),
		searchOp("0012", "", 0),
		searchOp("00", "", 0),
		searchOp("INS-2026-0029", "", 0),
		searchOp("009999", "", 0),
		searchOp("0 ", "", 0),
		searchOp("日常巡检", "", 0),
		searchOp("日常巡检 不存在", "", 0),
	}, &got)
	if got[0].Total != 1 || got[0].Items[0].URL != "inspection/ins-001234/" {
		t.Errorf("001234: %d results %v", got[0].Total, got[0].Items)
	}
	if got[1].Total != 100 {
		t.Errorf("prefix 0012: %d results, want 100 (001200–001299)", got[1].Total)
	}
	if got[2].Total != 3000 {
		t.Errorf("prefix 00: %d results, want 3000", got[2].Total)
	}
	if got[3].Total != 100 {
		t.Errorf("INS-2026-0029: %d results, want 100", got[3].Total)
	}
	if got[4].Total != 0 || got[5].Total != 0 {
		t.Errorf("absent words: %d, %d results", got[4].Total, got[5].Total)
	}
	heavy := func(r nodeSearch) int {
		n := 0
		for _, p := range r.Loaded {
			if strings.HasPrefix(p, "t/") {
				n++
			}
		}
		return n
	}
	if got[6].Total != 3000 || heavy(got[6]) != 3 {
		t.Errorf("日常巡检: %d results, %d heavy postings files read (want 3000, 3)", got[6].Total, heavy(got[6]))
	}
	if got[7].Total != 0 || heavy(got[7]) != 0 {
		t.Errorf("日常巡检 不存在: %d results, read %d heavy files; a missing term must stop the fetching", got[7].Total, heavy(got[7]))
	}
	t.Logf("files read: exact %d, prefix 0012 %d, prefix 00 %d", len(got[0].Loaded), len(got[1].Loaded), len(got[2].Loaded))
}

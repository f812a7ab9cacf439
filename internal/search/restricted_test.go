package search

import (
	"path/filepath"
	"slices"
	"testing"
)

// The browser queries the public index and the restricted indexes the
// server lets the user read (searchAll): hits of both, merged by score,
// restricted ones marked; a restricted index that cannot be read is left
// out, and one the user was not given is never fetched.
func TestJSSearchAllMerges(t *testing.T) {
	dir := t.TempDir()
	pub, prjA, prjB := filepath.Join(dir, "public"), filepath.Join(dir, "prj-a"), filepath.Join(dir, "prj-b")
	if _, err := Write(pub, []Doc{
		{URL: "kb/KB-1/", Title: "数据库巡检手册", Kind: "kb", KindLabel: "知识库", Date: "2026-01-02", Text: "数据库 表空间 巡检"},
		{URL: "document/DOC-PUB/", Title: "公开设计文档", Kind: "document", KindLabel: "文档", Date: "2026-01-03", Text: "数据库设计"},
	}, Options{}); err != nil {
		t.Fatal(err)
	}
	if _, err := Write(prjA, []Doc{
		{URL: "document/DOC-SEC/", Title: "数据库迁移合同", Kind: "document", KindLabel: "文档", Date: "2026-02-01", Text: "数据库 合同 受控"},
		{URL: "project/prj-a/", Title: "受控项目甲", Kind: "project", KindLabel: "项目", Date: "2026-02-01", Text: "项目"},
	}, Options{}); err != nil {
		t.Fatal(err)
	}
	if _, err := Write(prjB, []Doc{{URL: "document/DOC-B/", Title: "乙项目数据库", Kind: "document", KindLabel: "文档", Text: "数据库"}}, Options{}); err != nil {
		t.Fatal(err)
	}
	type result struct {
		Total      int            `json:"total"`
		KindCounts map[string]int `json:"kindCounts"`
		Kinds      []string       `json:"kinds"`
		Items      []struct {
			URL        string `json:"url"`
			Restricted bool   `json:"restricted"`
		} `json:"items"`
		Loaded []string `json:"loaded"`
	}
	var got []result
	node(t, pub, []map[string]any{
		{"op": "searchAll", "indexes": []string{pub, prjA}, "query": "数据库"},
		{"op": "searchAll", "indexes": []string{pub}, "query": "数据库"},
		{"op": "searchAll", "indexes": []string{pub, filepath.Join(dir, "gone")}, "query": "数据库"},
		{"op": "searchAll", "indexes": []string{pub, prjA}, "query": "数据库", "kind": "document"},
	}, &got)
	urls := func(r result) (out []string, restricted []string) {
		for _, it := range r.Items {
			out = append(out, it.URL)
			if it.Restricted {
				restricted = append(restricted, it.URL)
			}
		}
		return
	}
	all, restricted := urls(got[0])
	if got[0].Total != 3 || !slices.Contains(all, "document/DOC-SEC/") || !slices.Equal(restricted, []string{"document/DOC-SEC/"}) {
		t.Errorf("public + prj-a: %d results %q, restricted %q; want 3 with DOC-SEC marked restricted", got[0].Total, all, restricted)
	}
	if got[0].KindCounts["document"] != 2 || got[0].KindCounts["kb"] != 1 || !slices.Contains(got[0].Kinds, "project") {
		t.Errorf("merged kinds %v counts %v", got[0].Kinds, got[0].KindCounts)
	}
	for _, l := range append(got[0].Loaded, got[1].Loaded...) {
		if filepath.Dir(l) == dir && filepath.Base(l)[:5] == "prj-b" {
			t.Errorf("an index the user was not given was read: %s", l)
		}
	}
	if pubOnly, _ := urls(got[1]); got[1].Total != 2 || slices.Contains(pubOnly, "document/DOC-SEC/") {
		t.Errorf("public only: %q", pubOnly)
	}
	if r, _ := urls(got[2]); got[2].Total != 2 {
		t.Errorf("with an unreadable restricted index: %q, want the 2 public results", r)
	}
	if docs, _ := urls(got[3]); got[3].Total != 2 || slices.Contains(docs, "kb/KB-1/") {
		t.Errorf("kind document: %q", docs)
	}
}

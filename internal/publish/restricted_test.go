package publish

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// FindRestricted decides from the files present: marked pages (quoted or
// minified) and what lies beside them, restricted indexes, and a full
// build's manifest prefixes; not from names a manifest lists without files.
func TestFindRestricted(t *testing.T) {
	site := t.TempDir()
	for name, body := range map[string]string{
		"index.html":                           "<html><head><title>首页</title></head><body>公开</body></html>",
		"document/DOC-1/index.html":            `<html><head><meta name="opsbook-restricted" content="prj-a"></head></html>`,
		"document/DOC-1/files/合同.pdf":          "%PDF",
		"document/DOC-2/index.html":            `<html><head><META NAME=opsbook-restricted content=prj-b></head></html>`,
		"document/DOC-3/index.html":            "<html><body><p>&lt;meta name=\"opsbook-restricted\"&gt; is escaped text</p></body></html>",
		"document/DOC-3/files/a.txt":           "public",
		"project/prj-c/files/left.pdf":         "page deleted, attachment left",
		"search-restricted/prj-d/meta.json":    "{}",
		"search/index/meta.json":               "{}",
		"_access/restricted.json":              `{"v":1,"prefixes":{"project/prj-c/":"prj-c","document/GONE/":"prj-e"}}`,
		"document/DOC-10/index.html":           "<html><head></head></html>",
		"document/DOC-1x/index.html":           "<html><head></head></html>",
		"document/DOC-1/files/sub/archive.zip": "zip",
	} {
		p := filepath.Join(site, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := FindRestricted(site)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"document/DOC-1/files/sub/archive.zip", "document/DOC-1/files/合同.pdf", "document/DOC-1/index.html",
		"document/DOC-2/index.html", "project/prj-c/files/left.pdf", "search-restricted/prj-d/meta.json",
	}
	if !slices.Equal(got.Files, want) || got.Pages != 2 || !slices.Equal(got.Projects, []string{"prj-a", "prj-b", "prj-c", "prj-d"}) {
		t.Errorf("FindRestricted = %+v\nwant files %v, 2 pages, projects prj-a…prj-d", got, want)
	}

	// An omitted build: a manifest that names nothing, no marked file.
	os.RemoveAll(filepath.Join(site, "document", "DOC-1"))
	os.RemoveAll(filepath.Join(site, "document", "DOC-2"))
	os.RemoveAll(filepath.Join(site, "project"))
	os.RemoveAll(filepath.Join(site, "search-restricted"))
	os.WriteFile(filepath.Join(site, "_access", "restricted.json"), []byte(`{"v":1,"omitted":true}`), 0o644)
	if got, err := FindRestricted(site); err != nil || len(got.Files) != 0 || got.Pages != 0 {
		t.Errorf("omitted site: %+v, %v; want nothing", got, err)
	}
	// A manifest opsbook cannot read is an error, not "nothing restricted".
	os.WriteFile(filepath.Join(site, "_access", "restricted.json"), []byte(`{"v":9}`), 0o644)
	if _, err := FindRestricted(site); err == nil {
		t.Error("a manifest of an unknown version was accepted")
	}
	if _, err := FindRestricted(filepath.Join(site, "nowhere")); err == nil {
		t.Error("a missing site was accepted")
	}
}

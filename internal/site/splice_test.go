package site

import (
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/afero"
)

// writeThrough writes page to name through sp as Hugo's publisher does
// (Create, one io.Copy, Close) and returns what landed on disk.
func writeThrough(t *testing.T, sp *splicer, name, page string) string {
	t.Helper()
	if err := sp.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := sp.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(f, strings.NewReader(page)); err != nil {
		t.Fatal(err)
	}
	f.Close() // Hugo ignores the error: the splicer keeps it for check
	data, err := afero.ReadFile(sp.Fs, name)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestSplicerPutsPartsInPlace(t *testing.T) {
	dir := t.TempDir()
	sp := newSplicer(afero.NewOsFs())
	if err := sp.add("page:inspection/INS-1", "inspection/INS-1/index.html", []byte(`<a href="/asset/db-01/">db-01</a> <a href="//cdn.example/x">x</a>`)); err != nil {
		t.Fatal(err)
	}
	if err := sp.add("page:asset/db--01", "asset/db--01/index.html", nil); err != nil {
		t.Errorf("an id with a double hyphen (valid per schema) was refused: %v", err)
	}
	sp.parts.Delete("page:asset/db--01")
	sp.pending.Add(-1)
	if err := sp.add("list:inspection", "inspection/index.html", []byte(`<a href="/inspection/INS-1/">INS-1</a>`)); err != nil {
		t.Fatal(err)
	}
	if err := sp.add("list:inspection", "inspection/index.html", nil); err == nil {
		t.Error("a second part under the same key was accepted")
	}
	for _, key := range []string{"page:inspection/INS-1-->", "page:kb/<x>", "page:kb/a--!>b"} {
		if err := sp.add(key, "x/index.html", nil); err == nil {
			t.Errorf("key %q, which could end or break its comment, was accepted", key)
		}
	}
	if err := sp.check(); err == nil || !strings.Contains(err.Error(), "2 个页面内容没有写出") {
		t.Errorf("check before writing: %v", err)
	}
	got := writeThrough(t, sp, filepath.Join(dir, "inspection", "INS-1", "index.html"), "<main>\n"+partComment("page:inspection/INS-1")+"\n</main>")
	if want := "<main>\n" + `<a href="../../asset/db-01/">db-01</a> <a href="//cdn.example/x">x</a>` + "\n</main>"; got != want {
		t.Errorf("record page:\n%s\nwant\n%s", got, want)
	}
	got = writeThrough(t, sp, filepath.Join(dir, "inspection", "index.html"), "a"+partComment("list:inspection")+"b")
	if want := `a<a href="../inspection/INS-1/">INS-1</a>b`; got != want {
		t.Errorf("list page: %s, want %s", got, want)
	}
	if err := sp.check(); err != nil {
		t.Errorf("check after writing every part: %v", err)
	}
	// Other files pass through untouched.
	if got := writeThrough(t, sp, filepath.Join(dir, "site.css"), "a "+partComment("x")); got != "a "+partComment("x") {
		t.Errorf("css changed: %s", got)
	}
}

func TestSplicerReportsUnknownAndRepeatedParts(t *testing.T) {
	dir := t.TempDir()
	sp := newSplicer(afero.NewOsFs())
	if err := sp.add("page:kb/KB-1", "kb/KB-1/index.html", []byte("x")); err != nil {
		t.Fatal(err)
	}
	writeThrough(t, sp, filepath.Join(dir, "a.html"), partComment("page:kb/KB-1"))
	writeThrough(t, sp, filepath.Join(dir, "b.html"), partComment("page:kb/KB-1"))
	err := sp.check()
	if err == nil || !strings.Contains(err.Error(), "b.html") || !strings.Contains(err.Error(), "page:kb/KB-1 不存在或已写过") {
		t.Errorf("a part written twice: %v", err)
	}
	sp = newSplicer(afero.NewOsFs())
	writeThrough(t, sp, filepath.Join(dir, "c.html"), "<main>"+partMarker+"page:x")
	if err := sp.check(); err == nil || !strings.Contains(err.Error(), "没有结尾") {
		t.Errorf("an unterminated marker: %v", err)
	}
}

// A theme whose layout lost the marker fails the build (Build returns
// check's error) with an error that says so, instead of publishing record
// pages without their content.
func TestMissingMarkerIsReported(t *testing.T) {
	sp := newSplicer(afero.NewMemMapFs())
	if err := sp.add("page:kb/KB-1", "kb/KB-1/index.html", []byte("x")); err != nil {
		t.Fatal(err)
	}
	writeThrough(t, sp, "/public/kb/KB-1/index.html", "<main></main>")
	if err := sp.check(); err == nil || !strings.Contains(err.Error(), "主题布局缺少") || !strings.Contains(err.Error(), "page:kb/KB-1") {
		t.Errorf("check: %v", err)
	}
}

package store_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/opsbook/opsbook/internal/diag"
	"github.com/opsbook/opsbook/internal/layout"
	"github.com/opsbook/opsbook/internal/store"
	"github.com/opsbook/opsbook/internal/validate"
	"github.com/opsbook/opsbook/internal/workspace"
)

// noteSchema is a small kind of its own, so the tests need neither the
// checkout's schemas nor its content.
const noteSchema = `$schema: https://json-schema.org/draft/2020-12/schema
$id: https://opsbook.local/schemas/note.yaml
title: 便签
x-opsbook:
  kind: note
  label: 便签
  prefix: NOTE
  format: yaml
type: object
additionalProperties: false
required: [id, kind, title]
properties:
  id:
    type: string
    pattern: "^NOTE-[0-9]{4}-[0-9]{3}$"
  kind:
    const: note
  title:
    type: string
    minLength: 1
`

// newRepo makes a repository with the note kind and one note, and opens it
// as validate does.
func newRepo(t *testing.T, files map[string]string) *workspace.Workspace {
	t.Helper()
	root := t.TempDir()
	files["schemas/note.yaml"] = noteSchema
	for rel, data := range files {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	rp, err := workspace.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	return rp
}

func TestPath(t *testing.T) {
	if got, want := store.Path("inspection", "2026", "INS-2026-1", ".yaml"), "content/inspection/2026/INS-2026-1.yaml"; got != want {
		t.Errorf("Path = %q, want %q", got, want)
	}
	if err := store.CheckLayout(store.Path("anomaly", "2026", "ANO-2026-1", ".md")); err != nil {
		t.Errorf("a placed record is off the layout: %v", err)
	}
}

func TestCheckLayoutRefusesOtherPaths(t *testing.T) {
	for _, rel := range []string{
		"content/note/NOTE-2026-001.yaml",        // no year
		"content/note/misc/NOTE-2026-001.yaml",   // year is no year
		"content/note/2026/x/NOTE-2026-001.yaml", // too deep
		"content/note/2026/NOTE-2026-001.txt",    // not a record file
		"content/note/2026/../2026/NOTE-2026-001.yaml",
		"content/note/2026/.hidden.yaml",
		"runbooks/2026/NOTE-2026-001.yaml",
		"/content/note/2026/NOTE-2026-001.yaml",
		`content\note\2026\NOTE-2026-001.yaml`,
	} {
		if err := store.CheckLayout(rel); err == nil {
			t.Errorf("CheckLayout(%q) = nil, want an error", rel)
		} else if !strings.Contains(err.Error(), "content/<类型>/<年份>/<编号>") {
			t.Errorf("CheckLayout(%q) = %v, want the layout named", rel, err)
		}
	}
}

// TestCheckIsValidate: what the store checks before writing is exactly what
// validate reports once the file is on disk.
func TestCheckIsValidate(t *testing.T) {
	cases := map[string]struct{ rel, data string }{
		"valid":         {"content/note/2026/NOTE-2026-002.yaml", "id: NOTE-2026-002\nkind: note\ntitle: 新便签\n"},
		"schema":        {"content/note/2026/NOTE-2026-002.yaml", "id: NOTE-2026-002\nkind: note\ntitle: \"\"\nextra: 1\n"},
		"id-filename":   {"content/note/2026/NOTE-2026-002.yaml", "id: NOTE-2026-003\nkind: note\ntitle: 便签\n"},
		"path-year":     {"content/note/2025/NOTE-2026-002.yaml", "id: NOTE-2026-002\nkind: note\ntitle: 便签\n"},
		"duplicate-id":  {"content/note/2025/NOTE-2026-001.yaml", "id: NOTE-2026-001\nkind: note\ntitle: 便签\n"},
		"syntax":        {"content/note/2026/NOTE-2026-002.yaml", "id: [\n"},
		"too-large":     {"content/note/2026/NOTE-2026-002.yaml", "id: NOTE-2026-002\nkind: note\ntitle: " + strings.Repeat("长", 400) + "\n"},
		"unknown-kind":  {"content/memo/2026/MEMO-2026-001.yaml", "id: MEMO-2026-001\n"},
		"extension":     {"content/note/2026/NOTE-2026-002.md", "---\nid: NOTE-2026-002\n---\n"},
		"kind-mismatch": {"content/note/2026/NOTE-2026-002.yaml", "id: NOTE-2026-002\nkind: memo\ntitle: 便签\n"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			rp := newRepo(t, map[string]string{
				"opsbook.yaml":                         "max_file_size: 1000\n",
				"content/note/2026/NOTE-2026-001.yaml": "id: NOTE-2026-001\nkind: note\ntitle: 便签\n",
			})
			st := store.New(rp.Root, rp.Rules)
			got := st.Check(store.File{Path: tc.rel, Content: []byte(tc.data)})
			// What validate says of the same bytes on disk, in a repository
			// that has the file (for the duplicate-id case: the copy is what
			// makes it a duplicate, as it will once written).
			if err := st.Write(store.File{Path: tc.rel, Content: []byte(tc.data)}, store.Create); err != nil {
				t.Fatal(err)
			}
			after, err := workspace.Open(rp.Root)
			if err != nil {
				t.Fatal(err)
			}
			want, _ := validate.CheckEntry(after, layout.NewEntry(tc.rel))
			if name == "duplicate-id" {
				// The store checks against the repository as it is: the
				// record is not written yet, so the other copy is the only one.
				want = slices.DeleteFunc(want, func(v diag.Violation) bool { return v.Rule == "record/duplicate-id" })
				got = slices.DeleteFunc(got, func(v diag.Violation) bool { return v.Rule == "record/duplicate-id" })
			}
			if diff := strings.Join(strs(got), "\n"); diff != strings.Join(strs(want), "\n") {
				t.Errorf("store.Check:\n%s\nvalidate:\n%s", diff, strings.Join(strs(want), "\n"))
			}
			if name != "valid" && len(want) == 0 {
				t.Errorf("case %s: validate found nothing; the case tests nothing", name)
			}
			if name == "valid" && len(got) != 0 {
				t.Errorf("a valid record: %v", got)
			}
		})
	}
}

func strs(vs []diag.Violation) []string {
	var out []string
	for _, v := range vs {
		out = append(out, v.String())
	}
	slices.Sort(out)
	return out
}

func TestPutRefusesInvalidAndWritesNothing(t *testing.T) {
	old := "id: NOTE-2026-001\nkind: note\ntitle: 旧的\n"
	rp := newRepo(t, map[string]string{"content/note/2026/NOTE-2026-001.yaml": old})
	st := store.New(rp.Root, rp.Rules)
	for _, f := range []store.File{
		{Path: "content/note/2026/NOTE-2026-001.yaml", Content: []byte("id: NOTE-2026-001\nkind: note\ntitle: \"\"\n")},
		{Path: "content/note/2026/NOTE-2026-009.yaml", Content: []byte("id: NOTE-2026-009\nkind: note\n")},
	} {
		err := st.Put(f, store.Replace)
		var invalid *store.InvalidError
		if !errors.As(err, &invalid) || invalid.Path != f.Path || len(invalid.Violations) == 0 {
			t.Fatalf("Put(%s) = %v, want an InvalidError", f.Path, err)
		}
	}
	if got := read(t, st, "content/note/2026/NOTE-2026-001.yaml"); got != old {
		t.Errorf("the old record was changed to %q", got)
	}
	if _, err := os.Stat(st.Abs("content/note/2026/NOTE-2026-009.yaml")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("an invalid new record was written: %v", err)
	}
	assertNoTemp(t, rp.Root)
}

func TestPutWrites(t *testing.T) {
	rp := newRepo(t, map[string]string{"content/note/2026/NOTE-2026-001.yaml": "id: NOTE-2026-001\nkind: note\ntitle: 旧的\n"})
	st := store.New(rp.Root, rp.Rules)
	f := store.File{Path: "content/note/2026/NOTE-2026-001.yaml", Content: []byte("id: NOTE-2026-001\nkind: note\ntitle: 新的\n")}
	if err := st.Put(f, store.Create); !errors.Is(err, fs.ErrExist) {
		t.Errorf("Put(Create) over an existing record = %v, want fs.ErrExist", err)
	}
	if got := read(t, st, f.Path); !strings.Contains(got, "旧的") {
		t.Errorf("Create replaced the record: %q", got)
	}
	if err := st.Put(f, store.Replace); err != nil {
		t.Fatal(err)
	}
	if got := read(t, st, f.Path); got != string(f.Content) {
		t.Errorf("after Put(Replace): %q", got)
	}
	nf := store.File{Path: "content/note/2027/NOTE-2027-001.yaml", Content: []byte("id: NOTE-2027-001\nkind: note\ntitle: 新年\n")}
	if err := st.Put(nf, store.Create); err != nil {
		t.Fatal(err)
	}
	if info, err := os.Stat(st.Abs(nf.Path)); err != nil || info.Mode().Perm() != 0o644 {
		t.Errorf("new record: %v %v", info, err)
	}
	assertNoTemp(t, rp.Root)
}

func TestWriteRefusesOffLayout(t *testing.T) {
	root := t.TempDir()
	st := store.New(root, nil) // no rules: the layout is still held
	for _, rel := range []string{"content/note/misc/NOTE-2026-001.yaml", "../outside.yaml", "content/../../x/2026/a.yaml"} {
		if err := st.Write(store.File{Path: rel, Content: []byte("id: x\n")}, store.Replace); err == nil {
			t.Errorf("Write(%q) succeeded", rel)
		}
		if err := st.Put(store.File{Path: rel, Content: []byte("id: x\n")}, store.Replace); err == nil {
			t.Errorf("Put(%q) succeeded", rel)
		}
	}
	entries, _ := os.ReadDir(root)
	if len(entries) != 0 {
		t.Errorf("something was written: %v", entries)
	}
	// Without rules nothing is checked but the place.
	if err := st.Put(store.File{Path: "content/note/2026/whatever.yaml", Content: []byte("not: [a record")}, store.Replace); err != nil {
		t.Errorf("a store without rules refused a placed file: %v", err)
	}
}

func read(t *testing.T, st *store.Store, rel string) string {
	t.Helper()
	b, err := os.ReadFile(st.Abs(rel))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func assertNoTemp(t *testing.T, root string) {
	t.Helper()
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasPrefix(d.Name(), ".opsbook-tmp-") {
			t.Errorf("temporary file left: %s", p)
		}
		return nil
	})
}

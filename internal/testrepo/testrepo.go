// Package testrepo gives tests an ops repository to work on, so that no test
// reads or writes the checkout's own content/: a temporary copy of a testdata
// tree, a repository written file by file, or one made by the generator
// (internal/gen) — each with the project's checked-in schemas, which tests
// reach only through this package.
//
// Tests whose subject is the bundled sample itself (it validates, its site,
// its history) name it through Sample, so they are easy to find.
//
// It is imported by tests only; it depends on the standard library and
// internal/gen alone, so any package's tests may use it without a cycle.
package testrepo

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/opsbook/opsbook/internal/gen"
)

var (
	rootOnce sync.Once
	root     string
	rootErr  error
)

// FindRoot returns the opsbook checkout (the directory holding go.mod),
// found by walking up from the working directory, for setup code that has
// no testing.TB at hand. Tests call Root.
func FindRoot() (string, error) {
	rootOnce.Do(func() {
		dir, err := os.Getwd()
		if err != nil {
			rootErr = err
			return
		}
		for {
			if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
				root = dir
				return
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				rootErr = fmt.Errorf("no go.mod above %s", dir)
				return
			}
			dir = parent
		}
	})
	return root, rootErr
}

// Root returns the opsbook checkout (see FindRoot). Use it for files that
// are not part of an ops repository (.ci scripts, themes, workflows, the
// binary's source); for repositories use the other functions.
func Root(tb testing.TB) string {
	tb.Helper()
	dir, err := FindRoot()
	if err != nil {
		tb.Fatalf("testrepo: %v", err)
	}
	return dir
}

// SchemaDir returns the project's checked-in schemas directory. Read it,
// never write it.
func SchemaDir(tb testing.TB) string {
	tb.Helper()
	return filepath.Join(Root(tb), "schemas")
}

// Sample returns the bundled sample repository (the checkout itself), for
// tests whose subject is the sample: that it validates, what its site or
// report shows. Read it, never write it; a test that changes the sample
// takes SampleCopy.
func Sample(tb testing.TB) string {
	tb.Helper()
	return Root(tb)
}

// SampleCopy copies the bundled sample (content, schemas, runbooks and
// opsbook.yaml) into a temporary directory and returns it. The copy is not
// a git repository.
func SampleCopy(tb testing.TB) string {
	tb.Helper()
	dir := tb.TempDir()
	for _, part := range []string{"content", "schemas", "runbooks", "opsbook.yaml"} {
		CopyTree(tb, filepath.Join(Sample(tb), part), filepath.Join(dir, part))
	}
	return dir
}

// CopyTree copies the file or directory src to dst (regular files and
// directories; file modes are not kept).
func CopyTree(tb testing.TB, src, dst string) {
	tb.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		tb.Fatalf("testrepo: copying %s: %v", src, err)
	}
}

// AddSchemas copies the project's schemas into dir/schemas.
func AddSchemas(tb testing.TB, dir string) {
	tb.Helper()
	CopyTree(tb, SchemaDir(tb), filepath.Join(dir, "schemas"))
}

// Empty returns a temporary repository holding only the schemas.
func Empty(tb testing.TB) string {
	tb.Helper()
	dir := tb.TempDir()
	AddSchemas(tb, dir)
	return dir
}

// FromDir returns a temporary copy of the repository tree src (usually
// under the test's testdata/) plus the project's schemas.
func FromDir(tb testing.TB, src string) string {
	tb.Helper()
	dir := tb.TempDir()
	CopyTree(tb, src, dir)
	AddSchemas(tb, dir)
	return dir
}

// Write writes files (slash-separated path relative to dir → content) into
// dir, making directories as needed.
func Write(tb testing.TB, dir string, files map[string]string) {
	tb.Helper()
	for rel, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
}

// WithFiles returns a temporary repository of the schemas and files (see
// Write).
func WithFiles(tb testing.TB, files map[string]string) string {
	tb.Helper()
	dir := Empty(tb)
	Write(tb, dir, files)
	return dir
}

// Generate writes a generated repository of n valid records (internal/gen,
// seeded with seed) into dir, which may not exist yet.
func Generate(tb testing.TB, dir string, n int, seed uint64) {
	tb.Helper()
	if err := gen.Run(gen.Options{Out: dir, Records: n, Seed: seed, SchemaDir: SchemaDir(tb)}); err != nil {
		tb.Fatalf("testrepo: generating %d records: %v", n, err)
	}
}

// Generated returns a temporary generated repository of n valid records.
func Generated(tb testing.TB, n int, seed uint64) string {
	tb.Helper()
	dir := tb.TempDir()
	Generate(tb, dir, n, seed)
	return dir
}

// Fixed returns a temporary copy of testdata/fixed plus the schemas: a
// small valid repository frozen from the sample (its config, departments,
// both projects, their eight documents with thirteen attachments, and the
// monthly statistics), for tests that need real documents or departments.
// Edits to the bundled sample do not reach it.
func Fixed(tb testing.TB) string {
	tb.Helper()
	return FromDir(tb, filepath.Join(Root(tb), "internal", "testrepo", "testdata", "fixed"))
}

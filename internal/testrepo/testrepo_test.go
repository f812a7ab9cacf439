package testrepo_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/opsbook/opsbook/internal/testrepo"
	"github.com/opsbook/opsbook/internal/validate"
)

func TestRootAndSchemas(t *testing.T) {
	if _, err := os.Stat(filepath.Join(testrepo.Root(t), "go.mod")); err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadDir(testrepo.SchemaDir(t))
	if err != nil || len(want) == 0 {
		t.Fatalf("schemas: %v %v", want, err)
	}
	dir := testrepo.Empty(t)
	for _, e := range want {
		a, _ := os.ReadFile(filepath.Join(testrepo.SchemaDir(t), e.Name()))
		b, err := os.ReadFile(filepath.Join(dir, "schemas", e.Name()))
		if err != nil || string(a) != string(b) {
			t.Errorf("schemas/%s not copied: %v", e.Name(), err)
		}
	}
}

// The repositories tests are given are valid, so tests of error paths start
// from a known-good state.
func TestRepositoriesAreValid(t *testing.T) {
	for name, dir := range map[string]string{
		"fixed":     testrepo.Fixed(t),
		"generated": testrepo.Generated(t, 500, 1),
		"files": testrepo.WithFiles(t, map[string]string{
			"opsbook.yaml":                    "platform: 测试\ntimezone: Asia/Shanghai\n",
			"content/asset/2026/test-db.yaml": "id: test-db\nkind: asset\ntitle: 测试库\ntype: database\nstatus: online\n",
		}),
	} {
		res, err := validate.Run(context.Background(), validate.Options{Root: dir})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(res.Violations) != 0 || res.Summary.Records == 0 {
			t.Errorf("%s: %d records, violations %+v", name, res.Summary.Records, res.Violations)
		}
	}
}

// The fixed repository holds what its doc comment promises.
func TestFixedHoldsDocuments(t *testing.T) {
	dir := testrepo.Fixed(t)
	for _, pattern := range []string{"content/department/*/*.yaml", "content/project/*/*.yaml", "content/document/*/*.md", "content/stats/*/*.yaml"} {
		if m, _ := filepath.Glob(filepath.Join(dir, pattern)); len(m) == 0 {
			t.Errorf("no %s", pattern)
		}
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "content/document/*/*.md")); len(m) != 8 {
		t.Errorf("%d documents, want 8", len(m))
	}
}

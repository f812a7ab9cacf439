package all_test

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/opsbook/opsbook/internal/alert"
	"github.com/opsbook/opsbook/internal/check"
	_ "github.com/opsbook/opsbook/internal/check/all"
)

// schemaDir is the checked-in schemas/: this test is about them, so it
// reads the checkout's own copy on purpose.
const schemaDir = "../../../schemas"

// enum returns the enum at path (map keys) in schema file.
func enum(t *testing.T, file string, path ...string) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(schemaDir, file))
	if err != nil {
		t.Fatal(err)
	}
	var node any
	if err := yaml.Unmarshal(data, &node); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	for _, key := range append(path, "enum") {
		m, ok := node.(map[string]any)
		if !ok {
			t.Fatalf("%s: no %v", file, path)
		}
		node = m[key]
	}
	items, _ := node.([]any)
	var out []string
	for _, it := range items {
		s, _ := it.(string)
		out = append(out, s)
	}
	if len(out) == 0 {
		t.Fatalf("%s: no enum at %v", file, path)
	}
	return out
}

func sameSet(t *testing.T, what string, schema, registry []string) {
	t.Helper()
	s, r := slices.Sorted(slices.Values(schema)), slices.Sorted(slices.Values(registry))
	if !slices.Equal(s, r) {
		t.Errorf("%s: the schema's enum %v differs from the registry %v; register the type or edit the schema so they agree", what, s, r)
	}
}

// TestSchemaEnumsMatchRegistries keeps the schemas' lists of check types,
// change step types and alert channels equal to what is registered, and
// every type's default category among the categories the schemas allow.
func TestSchemaEnumsMatchRegistries(t *testing.T) {
	checkItem := []string{"properties", "checks", "items", "properties"}
	sameSet(t, "runbook.yaml check types", enum(t, "runbook.yaml", append(checkItem, "type")...), check.Types())
	sameSet(t, "change.yaml step types", enum(t, "change.yaml", "$defs", "step", "properties", "type"), check.StepTypes())
	sameSet(t, "execution.yaml step types", enum(t, "execution.yaml", "properties", "steps", "items", "properties", "type"), check.StepTypes())
	sameSet(t, "runbook.yaml alert channels", enum(t, "runbook.yaml", "properties", "alerts", "items", "properties", "type"), alert.Types())
	for _, cats := range [][]string{
		enum(t, "runbook.yaml", append(checkItem, "category")...),
		enum(t, "inspection.yaml", "properties", "items", "items", "properties", "category"),
	} {
		for _, name := range check.Types() {
			ct, _ := check.Lookup(name)
			if !slices.Contains(cats, ct.Category) {
				t.Errorf("check type %s: default category %q is not in the schemas' categories %v", name, ct.Category, cats)
			}
		}
	}
}

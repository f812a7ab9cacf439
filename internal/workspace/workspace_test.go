package workspace

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/opsbook/opsbook/internal/gen"
)

// Open gives everything but the records: schemas, config, the index (records
// and runbooks), the calendar, and a rules context built on the same index.
func TestOpen(t *testing.T) {
	dir := t.TempDir()
	if err := gen.Run(gen.Options{Out: dir, Records: 50, Seed: 7, SchemaDir: filepath.Join("..", "..", "schemas")}); err != nil {
		t.Fatal(err)
	}
	ws, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if ws.Root != dir || ws.Schemas == nil || ws.Config == nil || ws.Calendar == nil || ws.Rules == nil {
		t.Fatalf("incomplete workspace: %+v", ws)
	}
	if len(ws.Index.Entries) != 50 || len(ws.Index.Runbooks()) != 1 {
		t.Errorf("index: %d entries, %d runbooks; want 50 and 1", len(ws.Index.Entries), len(ws.Index.Runbooks()))
	}
	if ws.Rules.Index != ws.Index || ws.Rules.Calendar != ws.Calendar || ws.Rules.Config != ws.Config {
		t.Error("the rules context is not built on the workspace's own index, calendar and config")
	}
}

// A repository whose opsbook.yaml is broken does not open.
func TestOpenBadConfig(t *testing.T) {
	dir := t.TempDir()
	if err := gen.Run(gen.Options{Out: dir, Records: 1, Seed: 7, SchemaDir: filepath.Join("..", "..", "schemas")}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "opsbook.yaml"), []byte("platform: [\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir); err == nil {
		t.Error("Open succeeded on a broken opsbook.yaml")
	}
}

package validate

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opsbook/opsbook/internal/runbook"
)

// The runner's lint reaches opsbook validate through RegisterRunbookLint:
// a registered lint runs on every schema-valid runbook, and its errors are
// reported as runbook/check at the pointer's line and column, in the order
// the runbook model's own errors come first.
func TestRegisteredRunbookLintRuns(t *testing.T) {
	dir := generated(t, 10)
	rb := "id: lint-probe\ntitle: 探针\nchecks:\n  - {name: portal, type: tcp, asset: asset-0000, address: \"10.32.0.1:80\", conditions: [\"[CONNECTED] == true\"]}\n"
	if err := os.WriteFile(filepath.Join(dir, "runbooks", "lint-probe.yaml"), []byte(rb), 0o644); err != nil {
		t.Fatal(err)
	}
	// Registration is for the life of the process: flag only this runbook.
	RegisterRunbookLint(func(r *runbook.Runbook) []runbook.Error {
		if r.ID != "lint-probe" {
			return nil
		}
		return []runbook.Error{{Pointer: "/checks/0/address", Message: "探针：地址不可用"}}
	})
	res, err := Run(context.Background(), Options{Root: dir})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, v := range res.Violations {
		got = append(got, v.String())
	}
	want := "runbooks/lint-probe.yaml:4:"
	if len(got) != 1 || !strings.HasPrefix(got[0], want) || !strings.Contains(got[0], "探针：地址不可用 [runbook/check]") {
		t.Errorf("violations %q, want one runbook/check at %s…", got, want)
	}
}

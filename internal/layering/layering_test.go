// Package layering holds no code, only a test that keeps the packages in
// their rooms (issue 13): the readers of records — site, report, inventory,
// statsimport, export, search, access, and the workspace and validate they
// stand on — must not link the runner, a check kind, alerting or a database
// driver, and only the command layer wires the check kinds in. It asks
// `go list -deps -json` for the real import graph, so a new import that
// breaks the layering fails `make test` with the chain that brought it in.
package layering

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/opsbook/opsbook"

// readers must stay light: they read records and make pages, reports and
// files from them, and never run a check.
var readers = []string{
	"internal/site", "internal/report", "internal/inventory", "internal/statsimport",
	"internal/export", "internal/search", "internal/access",
	"internal/workspace", "internal/validate",
}

// forbiddenTrees are package trees no reader may depend on.
var forbiddenTrees = []string{
	module + "/internal/check",  // the check kinds and their registry
	module + "/internal/runner", // running runbooks
	module + "/internal/alert",  // sending alerts
	// Database drivers: the ones check/sql uses, and the usual others, so
	// adding one to the sql check cannot leak it into a reader unnoticed.
	"github.com/go-sql-driver/mysql",
	"github.com/jackc/pgx",
	"github.com/sijms/go-ora",
	"github.com/lib/pq",
	"github.com/mattn/go-sqlite3",
	"modernc.org/sqlite",
	"github.com/microsoft/go-mssqldb",
	"github.com/denisenkom/go-mssqldb",
}

// commandLayer may import check/all: the binary's entry and the commands.
var commandLayer = []string{module + "/cmd", module + "/internal/cli"}

type pkg struct {
	ImportPath string
	Standard   bool
	Imports    []string
}

// goList runs `go list -json args…` from the module and decodes its stream.
func goList(t *testing.T, args ...string) map[string]*pkg {
	t.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("go not on PATH: %v", err)
		}
		t.Skipf("SKIP (CI would fail): go not on PATH: %v", err)
	}
	cmd := exec.Command(gobin, append([]string{"list", "-json"}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list %v: %v\n%s", args, err, stderr.String())
	}
	pkgs := map[string]*pkg{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p pkg
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("go list output: %v", err)
		}
		pkgs[p.ImportPath] = &p
	}
	return pkgs
}

// forbidden says why a package must not be linked by a reader, or "".
func forbidden(p *pkg) string {
	for _, tree := range forbiddenTrees {
		if p.ImportPath == tree || strings.HasPrefix(p.ImportPath, tree+"/") {
			return "in " + tree
		}
	}
	return ""
}

func TestReadersLinkNoCheckRunnerAlertOrDriver(t *testing.T) {
	args := []string{"-deps"}
	for _, r := range readers {
		args = append(args, module+"/"+r)
	}
	pkgs := goList(t, args...)
	for _, r := range readers {
		root := module + "/" + r
		if pkgs[root] == nil {
			t.Errorf("%s: not found by go list", root)
			continue
		}
		// Breadth first, so each chain reported is a shortest one.
		from := map[string]string{root: ""}
		queue := []string{root}
		var bad []string
		for len(queue) > 0 {
			cur := queue[0]
			queue = queue[1:]
			p := pkgs[cur]
			if p == nil {
				continue
			}
			if why := forbidden(p); why != "" {
				chain := []string{cur}
				for c := from[cur]; c != ""; c = from[c] {
					chain = append(chain, c)
				}
				slices.Reverse(chain)
				bad = append(bad, cur+" ("+why+"): "+strings.Join(chain, " → "))
			}
			for _, imp := range p.Imports {
				if _, seen := from[imp]; !seen {
					from[imp] = cur
					queue = append(queue, imp)
				}
			}
		}
		if len(bad) > 0 {
			n := len(bad)
			if len(bad) > 5 {
				bad = append(bad[:5], "…")
			}
			t.Errorf("%s depends on %d forbidden package(s); a reader must not link the runner, check kinds, alerting or database drivers. Shortest chains:\n  %s",
				r, n, strings.Join(bad, "\n  "))
		}
	}
}

func TestCheckKindsWiredInByCommandLayerOnly(t *testing.T) {
	all := module + "/internal/check/all"
	for path, p := range goList(t, module+"/...") {
		if !slices.Contains(p.Imports, all) {
			continue
		}
		if !slices.ContainsFunc(commandLayer, func(c string) bool { return path == c || strings.HasPrefix(path, c+"/") }) {
			t.Errorf("%s imports %s; only the command layer (%s) wires the check kinds in — import the registry (internal/check) instead, and let tests import check/all themselves",
				path, all, strings.Join(commandLayer, ", "))
		}
	}
}

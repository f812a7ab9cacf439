package runner

import (
	"fmt"
	"strings"

	"github.com/opsbook/opsbook/internal/diag"
	"github.com/opsbook/opsbook/internal/runbook"
	"github.com/opsbook/opsbook/internal/validate"
	"github.com/opsbook/opsbook/internal/workspace"
)

// The runner's lint is part of opsbook validate: registering it here keeps
// validate free of the runner, the check kinds and their drivers.
func init() { validate.RegisterRunbookLint(Lint) }

// LoadRunbook loads, validates and parses runbooks/<id>.yaml (or a path
// relative to the repository root). The violations say why a runbook cannot
// be used; they are exactly what opsbook validate reports for the file.
func LoadRunbook(ws *workspace.Workspace, idOrPath string) (*runbook.Runbook, []diag.Violation, error) {
	rel := idOrPath
	if !strings.Contains(idOrPath, "/") && !strings.HasSuffix(idOrPath, ".yaml") {
		p, ok := ws.Index.Runbook(idOrPath)
		if !ok {
			return nil, nil, fmt.Errorf("没有运行手册 %s（应有 runbooks/%s.yaml）", idOrPath, idOrPath)
		}
		rel = p
	}
	r, vs := validate.CheckRunbook(ws, rel)
	if r == nil || len(vs) > 0 {
		return nil, vs, nil
	}
	rb, _ := runbook.Parse(r)
	return rb, nil, nil
}

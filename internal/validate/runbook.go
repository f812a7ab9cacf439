package validate

import (
	"errors"
	"path"
	"strings"
	"sync"

	"github.com/opsbook/opsbook/internal/diag"
	"github.com/opsbook/opsbook/internal/layout"
	"github.com/opsbook/opsbook/internal/record"
	"github.com/opsbook/opsbook/internal/runbook"
	"github.com/opsbook/opsbook/internal/workspace"
)

// RunbookLint finds what is wrong in a parsed runbook beyond its schema:
// unknown check types or parameters, schedules, conditions.
type RunbookLint func(*runbook.Runbook) []runbook.Error

var (
	lintMu sync.RWMutex
	lints  []RunbookLint
)

// RegisterRunbookLint adds a lint CheckRunbook runs on every schema-valid
// runbook. The runner registers its lint when it is linked in (its init),
// so validate itself never imports the runner or any check kind.
func RegisterRunbookLint(l RunbookLint) {
	lintMu.Lock()
	defer lintMu.Unlock()
	lints = append(lints, l)
}

// CheckRunbook checks one runbook file: schema, id, references, the model's
// own rules and the registered lints. The record is nil when the file could
// not be read as a document.
func CheckRunbook(rp *workspace.Workspace, rel string) (*record.Record, []diag.Violation) {
	k := rp.Schemas.Runbook
	if k == nil {
		return nil, []diag.Violation{diag.At(rel, 1, 1, "runbook/schema", "schemas/ 中没有 runbook.yaml，无法校验运行手册")}
	}
	r, err := record.ReadFile(rp.Index.Abs(rel), rel, rp.Config.MaxFileSize)
	if err != nil {
		var le *record.Error
		if errors.As(err, &le) {
			return nil, []diag.Violation{diag.At(rel, le.Line, le.Col, le.Rule, "%s", le.Message)}
		}
		return nil, []diag.Violation{diag.At(rel, 1, 1, "file/read", "%v", err)}
	}
	vs := k.Validate(r)
	if stem := strings.TrimSuffix(path.Base(rel), path.Ext(rel)); r.ID() != "" && r.ID() != stem {
		p := r.At("/id")
		vs = append(vs, diag.At(rel, p.Line, p.Col, "record/id-filename", "运行手册编号 %s 与文件名 %s 不一致；文件名必须是编号", r.ID(), path.Base(rel)))
	}
	vs = append(vs, rp.Rules.CheckRefs(r, k)...)
	if len(vs) > 0 {
		return r, vs // the model assumes a schema-valid document
	}
	rb, errs := runbook.Parse(r)
	lintMu.RLock()
	for _, l := range lints {
		errs = append(errs, l(rb)...)
	}
	lintMu.RUnlock()
	for _, e := range errs {
		p := r.At(e.Pointer)
		vs = append(vs, diag.At(rel, p.Line, p.Col, "runbook/check", "%s", e.Message))
	}
	return r, vs
}

func isRunbookPath(rel string) bool {
	return strings.HasPrefix(rel, layout.RunbookDir+"/") && (strings.HasSuffix(rel, ".yaml") || strings.HasSuffix(rel, ".yml"))
}

package validate

import (
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/opsbook/opsbook/internal/diag"
	"github.com/opsbook/opsbook/internal/record"
	"github.com/opsbook/opsbook/internal/repo"
	"github.com/opsbook/opsbook/internal/runbook"
	"github.com/opsbook/opsbook/internal/runner"
)

// LoadRunbook loads, validates and parses runbooks/<id>.yaml (or a path).
// The violations say why a runbook cannot be used.
func (rp *Repository) LoadRunbook(idOrPath string) (*runbook.Runbook, []diag.Violation, error) {
	rel := idOrPath
	if !strings.Contains(idOrPath, "/") && !strings.HasSuffix(idOrPath, ".yaml") {
		p, ok := rp.Index.Runbook(idOrPath)
		if !ok {
			return nil, nil, fmt.Errorf("没有运行手册 %s（应有 runbooks/%s.yaml）", idOrPath, idOrPath)
		}
		rel = p
	}
	r, vs := rp.checkRunbook(rel)
	if r == nil || len(vs) > 0 {
		return nil, vs, nil
	}
	rb, _ := runbook.Parse(r)
	return rb, nil, nil
}

// checkRunbook validates one runbook file: schema, id, references, the
// model's own rules and the runner's lint (types, parameters, conditions).
func (rp *Repository) checkRunbook(rel string) (*record.Record, []diag.Violation) {
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
	errs = append(errs, runner.Lint(rb)...)
	for _, e := range errs {
		p := r.At(e.Pointer)
		vs = append(vs, diag.At(rel, p.Line, p.Col, "runbook/check", "%s", e.Message))
	}
	return r, vs
}

func isRunbookPath(rel string) bool {
	return strings.HasPrefix(rel, repo.RunbookDir+"/") && (strings.HasSuffix(rel, ".yaml") || strings.HasSuffix(rel, ".yml"))
}

package runner

import (
	"errors"
	"fmt"
	"maps"
	"strings"

	"github.com/opsbook/opsbook/internal/alert"
	"github.com/opsbook/opsbook/internal/check"
	"github.com/opsbook/opsbook/internal/condition"
	"github.com/opsbook/opsbook/internal/runbook"
	"github.com/opsbook/opsbook/internal/secret"
)

// Lint checks what can be checked of a runbook without running it: check
// types exist, parameters are valid (secret references are not expanded, so
// a parameter holding one is not judged), conditions parse and use only the
// placeholders their check type sets, and the cron expression parses.
func Lint(rb *runbook.Runbook) []runbook.Error {
	var errs []runbook.Error
	if rb.Cron != "" {
		if _, err := ParseSchedule(rb.Cron, rb.Days); err != nil {
			errs = append(errs, runbook.Error{Pointer: "/schedule/cron", Message: err.Error()})
		}
	}
	for i, cfg := range rb.Alerts {
		_, err := alert.New(cfg)
		var ce *alert.ConfigError
		if err != nil && !(errors.As(err, &ce) && ce.Ref) {
			errs = append(errs, runbook.Error{Pointer: fmt.Sprintf("/alerts/%d", i), Message: err.Error()})
		}
	}
	for _, c := range rb.Checks {
		t, ok := check.Lookup(c.Type)
		if !ok {
			errs = append(errs, runbook.Error{Pointer: c.Pointer + "/type", Message: fmt.Sprintf("未知的检查类型 %q；可选：%s", c.Type, strings.Join(check.Types(), ", "))})
			continue
		}
		for i, s := range c.Conditions {
			ptr := fmt.Sprintf("%s/conditions/%d", c.Pointer, i)
			cond, err := condition.Parse(s)
			if err != nil {
				errs = append(errs, runbook.Error{Pointer: ptr, Message: fmt.Sprintf("条件无法解析：%v", err)})
				continue
			}
			for _, p := range cond.Placeholders() {
				if !t.HasPlaceholder(p) {
					errs = append(errs, runbook.Error{Pointer: ptr, Message: fmt.Sprintf("%s 检查没有占位符 [%s]；可用：%s", c.Type, p, strings.Join(t.Placeholders, ", "))})
				}
			}
		}
		// Build the checker with references left as written.
		params := maps.Clone(c.Params)
		_, err := check.New(check.Spec{Name: c.Name, Title: c.Title, Type: c.Type, Asset: c.Asset, Timeout: c.Timeout, Params: params})
		var pe *check.ParamError
		if errors.As(err, &pe) && secret.HasRef(fmt.Sprint(c.Params[pe.Key])) {
			continue // judged only once the secret is known, at run time
		}
		if err != nil {
			ptr := c.Pointer
			if pe != nil {
				if _, ok := c.Params[pe.Key]; ok {
					ptr += "/" + pe.Key
				}
			}
			errs = append(errs, runbook.Error{Pointer: ptr, Message: err.Error()})
		}
	}
	return errs
}

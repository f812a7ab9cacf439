package cli

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"testing"

	"github.com/opsbook/opsbook/internal/changerun"
)

// exitCode is the one place an error becomes an exit code and what is
// left of it on stderr.
func TestExitCode(t *testing.T) {
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	fs.Usage = func() { fmt.Fprint(fs.Output(), "用法：opsbook x\n") }
	refusal := &changerun.Refusal{Change: "CHG-2026-001"}
	for _, c := range []struct {
		name   string
		err    error
		code   int
		stderr string
	}{
		{"ok", nil, ExitOK, ""},
		{"help", flag.ErrHelp, ExitOK, ""},
		{"findings printed", errFound, ExitFound, ""},
		{"findings with a line", found("3 个附件无法登记"), ExitFound, "3 个附件无法登记\n"},
		{"wrapped findings", fmt.Errorf("x: %w", errFound), ExitFound, ""},
		{"bad flag", &usageError{}, ExitError, ""},
		{"usage with a line", usage(fs, "opsbook x: 缺少参数"), ExitError, "opsbook x: 缺少参数\n用法：opsbook x\n"},
		{"told", told("已取消，未执行任何步骤。"), ExitError, "已取消，未执行任何步骤。\n"},
		{"told before", errTold, ExitError, ""},
		{"refusal", fmt.Errorf("opsbook change run: %w", refusal), ExitError, "opsbook change run: " + refusal.Error() + "\n"},
		{"named error", errors.New("opsbook due: 未知格式"), ExitError, "opsbook due: 未知格式\n"},
		{"bare error", context.Canceled, ExitError, "opsbook: context canceled\n"},
	} {
		var b bytes.Buffer
		fs.SetOutput(&b)
		if code := exitCode(&b, c.err); code != c.code || b.String() != c.stderr {
			t.Errorf("%s: exit %d, stderr %q; want %d, %q", c.name, code, b.String(), c.code, c.stderr)
		}
	}
}

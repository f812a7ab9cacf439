package sql

import (
	"context"
	"fmt"
	"math"
	"math/big"
	"regexp"
	"strings"

	"github.com/opsbook/opsbook/internal/check"
)

// compare runs the source and target queries concurrently, each on its
// own read-only connection, and compares their single rows.
func (c *checker) compare(ctx context.Context) check.Observation {
	type outcome struct {
		row       []any
		connected bool
		err       error
	}
	run := func(s side, role string) outcome {
		sess, err := s.connect(ctx, true)
		if err != nil {
			return outcome{err: fmt.Errorf("%s：%w", role, err)}
		}
		defer sess.close()
		t, err := s.run(ctx, sess, s.query, 2)
		switch {
		case err != nil:
		case len(t.rows) == 0:
			err = s.fail("比对查询", errNoRows)
		case len(t.rows) > 1:
			err = s.fail("比对查询", fmt.Errorf("应只返回一行（例如 SELECT COUNT(*) …），实际返回多行"))
		}
		if err != nil {
			return outcome{connected: true, err: fmt.Errorf("%s：%w", role, err)}
		}
		return outcome{row: t.rows[0], connected: true}
	}
	srcCh := make(chan outcome, 1)
	go func() { srcCh <- run(c.cfg.source, "源库（source）") }()
	dst := run(c.cfg.target, "目标库（target）")
	src := <-srcCh

	values := map[string]any{"CONNECTED": src.connected && dst.connected}
	if src.row != nil {
		values["SOURCE"] = src.row
	}
	if dst.row != nil {
		values["TARGET"] = dst.row
	}
	if src.err != nil {
		return check.Failed(src.err, values)
	}
	if dst.err != nil {
		return check.Failed(dst.err, values)
	}
	values["MATCH"] = rowsEqual(src.row, dst.row)
	return check.Observation{Values: values}
}

// rowsEqual compares two rows column by column after normalisation:
// numbers compare by value whatever their type (int64 7, float64 7.0 and
// the text "7.00" are equal; true is 1), text compares after trimming
// surrounding blanks (Oracle CHAR padding), NULL equals only NULL.
func rowsEqual(a, b []any) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !valuesEqual(a[i], b[i]) {
			return false
		}
	}
	return true
}

var decimalText = regexp.MustCompile(`^[+-]?(\d+\.?\d*|\.\d+)$`)

func valuesEqual(a, b any) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	ra, aNum := asRat(a)
	rb, bNum := asRat(b)
	if aNum && bNum {
		_, aFloat := a.(float64)
		_, bFloat := b.(float64)
		if aFloat || bFloat {
			// A float is already approximate: compare as float64, so
			// 7.1 equals the decimal text "7.10".
			fa, _ := ra.Float64()
			fb, _ := rb.Float64()
			return fa == fb
		}
		return ra.Cmp(rb) == 0
	}
	sa, aStr := a.(string)
	sb, bStr := b.(string)
	if aStr && bStr {
		return strings.TrimSpace(sa) == strings.TrimSpace(sb)
	}
	return false
}

// asRat reads a number exactly: int64, finite float64, bool, or decimal
// text such as a NUMERIC rendered by the driver.
func asRat(v any) (*big.Rat, bool) {
	switch x := v.(type) {
	case int64:
		return new(big.Rat).SetInt64(x), true
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, false
		}
		return new(big.Rat).SetFloat64(x), true
	case bool:
		if x {
			return big.NewRat(1, 1), true
		}
		return new(big.Rat), true
	case string:
		s := strings.TrimSpace(x)
		if decimalText.MatchString(s) {
			r, ok := new(big.Rat).SetString(s)
			return r, ok
		}
	}
	return nil, false
}

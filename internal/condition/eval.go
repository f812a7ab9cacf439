package condition

import (
	"fmt"
	"strconv"
)

// Result is the outcome of a condition against one observation.
type Result struct {
	Success bool
	// Actual is the resolved left-hand value (the right-hand one when the
	// left is a literal), rendered for people and at most 200 runes: 503,
	// 2.456s, 12.3GB. Empty when the value could not be resolved.
	Actual string
	// Reason is a Chinese explanation when the condition could not be
	// evaluated (missing placeholder, path not found, type mismatch), or
	// why has() found nothing. Empty otherwise.
	Reason string
}

// maxReason bounds Result.Reason, in runes.
const maxReason = 500

// Eval evaluates the condition against an observation's values. It never
// panics and never modifies values.
func (c *Condition) Eval(values map[string]any) Result {
	e := env{values: values}
	return c.safeEval(&e)
}

// EvalAll evaluates every condition against the same values, decoding a
// JSON body once for all of them. Results are in the order of conds.
func EvalAll(conds []*Condition, values map[string]any) []Result {
	e := env{values: values}
	out := make([]Result, len(conds))
	for i, c := range conds {
		out[i] = c.safeEval(&e)
	}
	return out
}

func (c *Condition) safeEval(e *env) (r Result) {
	defer func() {
		if x := recover(); x != nil {
			r = Result{Reason: fmt.Sprintf("条件求值出现内部错误（%v），请把条件与检查类型报告给维护者", x)}
		}
	}()
	r = c.eval(e)
	r.Reason = truncate(r.Reason, maxReason)
	return r
}

func (c *Condition) eval(e *env) Result {
	if c.op == opNone {
		ok, why := e.has(c.left.path)
		return Result{Success: ok, Actual: strconv.FormatBool(ok), Reason: why}
	}
	l, lwhy := e.operand(&c.left)
	shown, shownWhy := l, lwhy
	if c.left.kind == kLit {
		shown, shownWhy = e.operand(&c.right)
	}
	var r Result
	if shownWhy == "" {
		r.Actual = render(shown.v)
	}
	if lwhy != "" {
		r.Reason = lwhy
		return r
	}
	switch c.right.kind {
	case kPat:
		r.Success, r.Reason = patMatch(c.op, l, c.right.glob)
		return r
	case kAny:
		r.Success, r.Reason = anyOf(c.op, l, c.right.items)
		return r
	}
	rv, rwhy := e.operand(&c.right)
	if rwhy != "" {
		r.Reason = rwhy
		return r
	}
	r.Success, r.Reason = compare(c.op, l, rv)
	return r
}

// operand evaluates a path, literal, len() or has().
func (e *env) operand(o *operand) (side, string) {
	switch o.kind {
	case kLit:
		return side{v: o.lit.val, lit: &o.lit}, ""
	case kPath:
		v, why := e.resolve(o.path)
		return side{v: v}, why
	case kHas:
		ok, _ := e.has(o.path)
		return side{v: ok}, ""
	case kLen:
		v, why := e.resolve(o.path)
		if why != "" {
			return side{}, why
		}
		n := length(v)
		if n < 0 {
			return side{}, fmt.Sprintf("%s 是%s，没有长度；len() 用于文本、列表和对象", o.path.prefix(len(o.path.acc)), describe(v))
		}
		return side{v: int64(n)}, ""
	}
	return side{}, "pat() 和 any() 只能写在运算符右侧"
}

// has reports whether p resolves to a value other than null, and if not,
// why.
func (e *env) has(p *path) (bool, string) {
	v, why := e.resolve(p)
	switch {
	case why != "":
		return false, why
	case v == nil:
		return false, p.prefix(len(p.acc)) + " 为 null"
	}
	return true, ""
}

func patMatch(o op, l side, glob string) (bool, string) {
	switch kindOf(l.v) {
	case vNull:
		return false, "值为 null，pat() 无法匹配"
	case vList, vMap, vOther:
		return false, fmt.Sprintf("pat() 不能匹配%s；请先取出其中的文本", describe(l.v))
	}
	return match(glob, text(l.v)) == (o == opEq), ""
}

// anyOf: == holds when l equals one of items, != when it equals none.
// Items that cannot be compared with l count as unequal; if none can be,
// the first reason is returned.
func anyOf(o op, l side, items []literal) (bool, string) {
	first := ""
	compared := false
	for i := range items {
		c, why := relate(l, side{v: items[i].val, lit: &items[i]}, opEq)
		if why != "" {
			if first == "" {
				first = why
			}
			continue
		}
		compared = true
		if c == 0 {
			return o == opEq, ""
		}
	}
	if !compared {
		return false, first
	}
	return o == opNe, ""
}

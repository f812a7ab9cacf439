package condition

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"
	"unicode/utf8"
)

// watchdog crashes the fuzz worker, which records the input, when one
// call runs for seconds: Go's fuzzing has no per-input timeout, and a
// stuck worker only shows as "0 execs/sec" (which golang/go#51484 also
// shows for healthy workers). Use: defer watchdog(input)().
func watchdog(input string) (stop func()) {
	t := time.AfterFunc(5*time.Second, func() { panic(fmt.Sprintf("condition: one call took over 5s on %q", input)) })
	return func() { t.Stop() }
}

// seeds are conditions that exercise every construct.
var seeds = []string{
	"[STATUS] == 200", "[RESPONSE_TIME] < 2s", "[CERT_EXPIRY] > 720h", "[MAX_USED_PCT] < 85",
	"[CONNECTED] == true", "[BODY] == pat(*正常*)", "[BODY].data.status == ok", "[BODY].items[0].name == 目录",
	"len([BODY].items) > 0", "has([BODY].data)", "[NEWEST_AGE] < 26h", "[SIZE] > 1GB", "[COUNT] >= 1",
	"[ROWS][0].cnt == 0", "len([ROWS]) == 0", "[STDOUT] == pat(*active (running)*)", "[EXIT_CODE] == 0",
	"[IP] == any(10.0.0.1, 10.0.0.2)", "[STATUS] != 500", `[BODY]["a.b"][-1] == "x y"`, "0 < len([L])",
	`[B] == pat(" x ")`, "[X] <= 1e3", "[D] >= 1d12h", "[S] < 10KiB", "[ROWS][0].v == [BODY]", "[J].a == null",
	"has([A]) == false", "[STATUS]==200", "[A] = 1", "[A] < ok", "pat(x) == [A]", "[A] == pat(*x", `[A] == "unterminated`,
}

func FuzzParse(f *testing.F) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		defer watchdog(s)()
		c, err := Parse(s)
		if err != nil {
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("error %T is not *Error: %v", err, err)
			}
			if pe.Col < 1 || pe.Col > utf8.RuneCountInString(s)+1 || pe.Msg == "" {
				t.Fatalf("bad error %+v for %q", pe, s)
			}
			return
		}
		canon := c.String()
		again, err := Parse(canon)
		if err != nil {
			t.Fatalf("%q parsed, its canonical text %q does not: %v", s, canon, err)
		}
		if got := again.String(); got != canon {
			t.Fatalf("%q: canonical %q re-parses as %q", s, canon, got)
		}
		if !slices.Equal(again.Placeholders(), c.Placeholders()) || len(c.Placeholders()) == 0 {
			t.Fatalf("%q: placeholders %q then %q", s, c.Placeholders(), again.Placeholders())
		}
		// Without values no path resolves, so only has() can evaluate.
		if r := c.eval(&env{}); c.left.kind != kHas && c.right.kind != kHas && (r.Success || r.Reason == "") {
			t.Fatalf("%q without values: %+v", s, r)
		}
	})
}

// fuzzValues builds an observation of every value type from fuzz inputs.
func fuzzValues(text string, n int64, x float64, b bool) map[string]any {
	v := map[string]any{
		"BODY": text, "STDOUT": text, "STATUS": n, "X": x, "B": b, "D": time.Duration(n), "S": Size(n),
		"ROWS": []map[string]any{{"cnt": n, "v": text, "x": x}}, "L": []any{n, x, text, nil, b},
		"M": map[string]any{text: n}, "N": nil,
	}
	var j any
	if json.Unmarshal([]byte(text), &j) == nil {
		v["J"] = j
	}
	return v
}

func FuzzEval(f *testing.F) {
	bodies := []string{`{"data":{"status":"ok"},"items":[{"name":"目录"}]}`, "系统正常运行", "", "[1,2,3]", `{"a":null}`, "85.3", "2s", "1GB", "true", "\xff"}
	for i, s := range seeds {
		f.Add(s, bodies[i%len(bodies)], int64(i*97-500), float64(i)/3, i%2 == 0)
	}
	f.Fuzz(func(t *testing.T, cond, text string, n int64, x float64, b bool) {
		defer watchdog(cond)()
		c, err := Parse(cond)
		if err != nil {
			return
		}
		vals := fuzzValues(text, n, x, b)
		e := env{values: vals}
		r := c.eval(&e) // not safeEval: a panic must fail the fuzzer
		if utf8.RuneCountInString(r.Actual) > maxActual || !utf8.ValidString(r.Actual) {
			t.Fatalf("Actual %q", r.Actual)
		}
		if r.Success && r.Reason != "" {
			t.Fatalf("success with a reason: %+v", r)
		}
		if again := c.Eval(vals); again != r && !(again.Success == r.Success && again.Reason == truncate(r.Reason, maxReason)) {
			t.Fatalf("not deterministic: %+v then %+v", r, again)
		}
		// An operator and its negation disagree whenever both evaluate.
		neg := map[op]op{opEq: opNe, opNe: opEq, opLt: opGe, opGe: opLt, opGt: opLe, opLe: opGt}
		if c.op == opNone || r.Reason != "" {
			return
		}
		d := *c
		d.op = neg[c.op]
		nr := d.eval(&env{values: vals})
		if nr.Reason == "" && nr.Success == r.Success {
			t.Fatalf("%s and %s both %v (Actual %q)", c, &d, r.Success, r.Actual)
		}
	})
}

package condition

import (
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"
)

const body = `{"data":{"status":"ok","n":3,"f":2.5,"big":9007199254740993,"x":null,"on":true,"code":"200",
"pct":"85.3","age":"2s","size":"1GB"},"items":[{"name":"目录"},{"name":"资源"}],"msg":"系统正常运行","empty":[]}`

// values is an observation with every kind of value.
func values() map[string]any {
	return map[string]any{
		"STATUS":        int64(503),
		"OK_STATUS":     int64(204),
		"RESPONSE_TIME": 2456789 * time.Microsecond,
		"CERT_EXPIRY":   2000 * time.Hour,
		"EXPIRED":       -76 * time.Hour,
		"LAT":           1500 * time.Millisecond,
		"MAX_USED_PCT":  87.25,
		"CONNECTED":     true,
		"BODY":          body,
		"NEWEST_AGE":    30 * time.Hour,
		"SIZE":          Size(12_345_678_901),
		"FREE":          Size(2048),
		"COUNT":         int64(0),
		"ROWS": []map[string]any{
			{"cnt": int64(0), "src": int64(10), "dst": int64(10), "bytes": int64(2_000_000_000), "a": "10", "b": "9", "s": "x", "t": "y"},
			{"cnt": int64(7), "src": "12", "dst": "12"},
		},
		"STDOUT":    "● x.service\n   Active: active (running) since",
		"EXIT_CODE": int64(0),
		"IP":        "10.0.0.2",
		"NAN":       math.NaN(),
		"TEXT":      "abc",
		"EMPTY":     "",
		"CN":        "目录",
		"NUMTEXT":   "0",
		"LIST":      []any{int64(1), "two", nil},
		"MAP":       map[string]any{"k": "v"},
		"NULL":      nil,
		"INT":       7, // int, not int64
		"U64":       uint64(math.MaxUint64),
		"F32":       float32(0.5),
		"JNUM":      json.Number("42"),
		"BYTES":     []byte("hello"),
		"STRS":      []string{"a", "b"},
		"WHEN":      time.Date(2026, 1, 5, 8, 30, 0, 0, time.UTC),
		"ODD":       struct{ X int }{1},
		"ODDLIST":   []int{1, 2},
		"NOTJSON":   "not json",
		"TRAILING":  `{"a":1} x`,
		"BIGINT":    int64(9007199254740993),
		"LONG":      strings.Repeat("长", 1000),
	}
}

func TestEval(t *testing.T) {
	tests := []struct {
		cond    string
		success bool
		actual  string // "*": not checked
		reason  string // substring; "" means Reason must be empty
	}{
		// The brief's examples.
		{"[STATUS] == 200", false, "503", ""},
		{"[RESPONSE_TIME] < 2s", false, "2.456s", ""},
		{"[CERT_EXPIRY] > 720h", true, "83d8h", ""},
		{"[MAX_USED_PCT] < 85", false, "87.25", ""},
		{"[CONNECTED] == true", true, "true", ""},
		{"[BODY] == pat(*正常*)", true, body, ""},
		{"[BODY].data.status == ok", true, "ok", ""},
		{"[BODY].items[0].name == 目录", true, "目录", ""},
		{"len([BODY].items) > 0", true, "2", ""},
		{"has([BODY].data)", true, "true", ""},
		{"[NEWEST_AGE] < 26h", false, "30h", ""},
		{"[SIZE] > 1GB", true, "11.49GB", ""},
		{"[COUNT] >= 1", false, "0", ""},
		{"[ROWS][0].cnt == 0", true, "0", ""},
		{"len([ROWS]) == 0", false, "2", ""},
		{"[STDOUT] == pat(*active (running)*)", true, "● x.service\n   Active: active (running) since", ""},
		{"[EXIT_CODE] == 0", true, "0", ""},
		{"[IP] == any(10.0.0.1, 10.0.0.2)", true, "10.0.0.2", ""},
		{"[STATUS] != 500", true, "503", ""},

		// Numbers: every operator, int and float mixed, exact above 2^53.
		{"[STATUS] == 503", true, "503", ""},
		{"[STATUS] != 503", false, "503", ""},
		{"[STATUS] < 503", false, "503", ""},
		{"[STATUS] <= 503", true, "503", ""},
		{"[STATUS] > 502.5", true, "503", ""},
		{"[STATUS] >= 503.5", false, "503", ""},
		{"[STATUS] == 503.0", true, "503", ""},
		{"[STATUS] < 5.03e2", false, "503", ""},
		{"[MAX_USED_PCT] == 87.25", true, "87.25", ""},
		{"[MAX_USED_PCT] > 87", true, "87.25", ""},
		{"[MAX_USED_PCT] <= 88", true, "87.25", ""},
		{"[BIGINT] == 9007199254740992.0", false, "9007199254740993", ""},
		{"[BIGINT] > 9007199254740992.0", true, "9007199254740993", ""},
		{"[BIGINT] == 9007199254740993", true, "9007199254740993", ""},
		{"[BODY].data.big == 9007199254740993", true, "9007199254740993", ""},
		{"[BODY].data.n == 3", true, "3", ""},
		{"[BODY].data.f < 3", true, "2.5", ""},
		{"[COUNT] >= -1", true, "0", ""},
		{"[NAN] == 1", false, "NaN", ""},
		{"[NAN] != 1", true, "NaN", ""},
		{"[NAN] < 1", false, "NaN", "无法比较大小"},
		{"[STATUS] < [OK_STATUS]", false, "503", ""},
		{"[STATUS] > [MAX_USED_PCT]", true, "503", ""},

		// Durations.
		{"[RESPONSE_TIME] <= 2456ms", false, "2.456s", ""},
		{"[RESPONSE_TIME] > 2.4s", true, "2.456s", ""},
		{"[RESPONSE_TIME] == 2456789us", true, "2.456s", ""},
		{"[NEWEST_AGE] == 1d6h", true, "30h", ""},
		{"[NEWEST_AGE] != 30h", false, "30h", ""},
		{"[CERT_EXPIRY] >= 7d", true, "83d8h", ""},
		{"[EXPIRED] > 0", false, "-3d4h", ""},
		{"[EXPIRED] < -3d", true, "-3d4h", ""},
		{"[LAT] < 2", false, "1.5s", "数字 2 缺少单位：另一侧是时长 1.5s；请写成 2s、2m 或 2h"},
		{"[LAT] > 0", true, "1.5s", ""},
		{"[LAT] < [STATUS]", false, "1.5s", "时长不能与不带单位的数字比较"},
		{"[LAT] < 1GB", false, "1.5s", "类型不同，无法比较：时长 1.5s 与 大小 1GB"},
		{"[LAT] == true", false, "1.5s", "类型不同"},
		{"[LAT] < [NEWEST_AGE]", true, "1.5s", ""},

		// Sizes: size literals, zero, a number value counts bytes.
		{"[SIZE] < 12GiB", true, "11.49GB", ""},
		{"[SIZE] == 12345678901B", true, "11.49GB", ""},
		{"[FREE] == 2KiB", true, "2KB", ""},
		{"[FREE] > 0", true, "2KB", ""},
		{"[FREE] > 100", false, "2KB", "数字 100 缺少单位：另一侧是大小 2KB；请写成 100MB、100GB 或 100B"},
		{"[ROWS][0].bytes > 1GB", true, "2000000000", ""},
		{"[ROWS][0].bytes < 2GB", true, "2000000000", ""}, // 2GB = 2147483648 bytes
		{"[ROWS][0].bytes < 1.8GB", false, "2000000000", ""},
		{"[FREE] < [ROWS][0].bytes", true, "2KB", ""},
		{"[FREE] < [LAT]", false, "2KB", "类型不同"},

		// Booleans.
		{"[CONNECTED] == false", false, "true", ""},
		{"[CONNECTED] != false", true, "true", ""},
		{"[BODY].data.on == true", true, "true", ""},
		{"[CONNECTED] == 1", false, "true", "类型不同，无法比较：真假值 true 与 数字 1"},
		{"[CONNECTED] < [CONNECTED]", false, "true", "真假值只能用 == 或 != 比较"},
		{"[CONNECTED] == [CONNECTED]", true, "true", ""},

		// Strings: text equality; read as the other side's kind when they can be.
		{"[TEXT] == abc", true, "abc", ""},
		{`[TEXT] == "abc"`, true, "abc", ""},
		{"[TEXT] != abc", false, "abc", ""},
		{"[TEXT] == ABC", false, "abc", ""},
		{"[CN] == 目录", true, "目录", ""},
		{"[EMPTY] == \"\"", true, `""`, ""},
		{"[STDOUT] == \"active (running)\"", false, "● x.service\n   Active: active (running) since", ""},
		{"[NUMTEXT] == 0", true, "0", ""},
		{"[NUMTEXT] == 0.0", true, "0", ""},
		{"[BODY].data.code == 200", true, "200", ""},
		{"[BODY].data.pct < 90", true, "85.3", ""},
		{"[BODY].data.age < 3s", true, "2s", ""},
		{"[BODY].data.size > 1MB", true, "1GB", ""},
		{"[BODY].data.status == 200", false, "ok", ""},
		{"[BODY].data.status != 200", true, "ok", ""},
		{"[BODY].data.status < 200", false, "ok", `文本 "ok" 不是数字，不能用 < 比较`},
		{"[BODY].data.status > 1s", false, "ok", "不是时长"},
		{"[TEXT] == true", false, "abc", ""},
		{"[ROWS][0].a < [ROWS][0].b", false, "10", ""}, // numeric text orders as numbers
		{"[ROWS][1].src == [ROWS][1].dst", true, "12", ""},
		{"[ROWS][0].src == [ROWS][1].src", false, "10", ""}, // 10 against "12"
		{"[ROWS][0].s < [ROWS][0].t", false, "x", "文本只能用 == 或 != 比较，不能用 <"},
		{"[ROWS][0].s != [ROWS][0].t", true, "x", ""},
		{"[IP] == 10.0.0.2", true, "10.0.0.2", ""},

		// null.
		{"[BODY].data.x == null", true, "null", ""},
		{"[NULL] == null", true, "null", ""},
		{"[NULL] == [BODY].data.x", true, "null", ""},
		{"[BODY].data.x == ok", false, "null", ""},
		{"[BODY].data.x != ok", true, "null", ""},
		{"[BODY].data.x < 1", false, "null", "值为 null，不能用 < 比较"},
		{"has([BODY].data.x)", false, "false", "[BODY].data.x 为 null"},
		{"len([BODY].data.x) == 0", true, "0", ""},
		{"[BODY].data.x.y == 1", false, "", "[BODY].data.x 为 null，无法取 .y"},

		// Lists and objects.
		{"[ROWS] == 1", false, `[{"a": "10", "b": "9", "bytes": 2000000000, "cnt": 0, "dst": 10, "s": "x", "src": 10, "t": "y"}, {"cnt": 7, "dst": "12", "src": "12"}]`, "不能直接比较列表（2 个元素）；请用 len(…)"},
		{"[BODY].data == ok", false, "*", "不能直接比较对象（10 个元素）"},
		{"[LIST] == any(1)", false, `[1, "two", null]`, "不能直接比较列表"},
		{"len([BODY].data) == 10", true, "10", ""},
		{"len([CN]) == 2", true, "2", ""},
		{"len([BODY].empty) == 0", true, "0", ""},
		{"len([STATUS]) == 3", false, "", "[STATUS] 是数字 503，没有长度"},
		{"len([NOPE]) == 0", false, "", "没有占位符 [NOPE]"},
		{"[ROWS][-1].cnt == 7", true, "7", ""},
		{"[ROWS][-2].cnt == 0", true, "0", ""},
		{"[ROWS][2].cnt == 0", false, "", "[ROWS] 只有 2 个元素，没有下标 [2]"},
		{"[ROWS][-3].cnt == 0", false, "", "没有下标 [-3]"},
		{"[ROWS][0].nope == 0", false, "", `[ROWS][0] 中没有字段 "nope"；现有字段：a、b、bytes、cnt、dst、s、src、t`},
		{"[ROWS].cnt == 0", false, "", "[ROWS] 是列表（2 个元素），不能取字段 .cnt；请先写下标，例如 [ROWS][0].cnt"},
		{"[BODY].data[0] == 0", false, "", "[BODY].data 是对象，不能用下标 [0]"},
		{"[BODY].items[1].name == 资源", true, "资源", ""},
		{"[BODY][\"msg\"] == 系统正常运行", true, "系统正常运行", ""},
		{"[STATUS].x == 1", false, "", "[STATUS] 是数字 503，无法取 .x"},
		{"[NOTJSON].a == 1", false, "", "[NOTJSON] 不是合法的 JSON，无法取 .a"},
		{"[TRAILING].a == 1", false, "", "JSON 之后还有多余的内容"},
		{"[EMPTY].a == 1", false, "", "内容为空"},
		{"[BODY].items[0].name.x == 1", false, "", `[BODY].items[0].name 不是合法的 JSON`},
		{"[MAP].k == v", true, "v", ""},
		{"[STRS][1] == b", true, "b", ""},
		{"len([STRS]) == 2", true, "2", ""},

		// Missing placeholders.
		{"[NOPE] == 1", false, "", "没有占位符 [NOPE]；这次检查提供的有：BIGINT、BODY"},
		{"[STATUS] == [NOPE]", false, "503", "没有占位符 [NOPE]"},
		{"200 == [NOPE]", false, "", "没有占位符 [NOPE]"},

		// pat.
		{"[OK_STATUS] == pat(2*)", true, "204", ""},
		{"[STATUS] == pat(2*)", false, "503", ""},
		{"[STATUS] != pat(2*)", true, "503", ""},
		{"[CN] == pat(目?)", true, "目录", ""},
		{"[CN] == pat(?)", false, "目录", ""},
		{"[EMPTY] == pat()", true, `""`, ""},
		{"[EMPTY] == pat(*)", true, `""`, ""},
		{"[TEXT] == pat(a*c)", true, "abc", ""},
		{"[TEXT] == pat(A*)", false, "abc", ""},
		{"[CONNECTED] == pat(t*)", true, "true", ""},
		{"[LAT] == pat(1.5s)", true, "1.5s", ""},
		{"[LIST] == pat(*)", false, `[1, "two", null]`, "pat() 不能匹配列表（3 个元素）"},
		{"[NULL] == pat(*)", false, "null", "值为 null，pat() 无法匹配"},
		{"[NOPE] == pat(*)", false, "", "没有占位符"},

		// any.
		{"[STATUS] == any(200, 503)", true, "503", ""},
		{"[STATUS] == any(200, 204)", false, "503", ""},
		{"[STATUS] != any(200, 204)", true, "503", ""},
		{"[STATUS] != any(200, 503)", false, "503", ""},
		{"[STATUS] == any(ok, 503)", true, "503", ""},
		{`[TEXT] == any("a b", abc)`, true, "abc", ""},
		{"[LAT] == any(1.5s, 2s)", true, "1.5s", ""},
		{"[CONNECTED] == any(1, 2)", false, "true", "类型不同"},
		{"[CONNECTED] == any(1, true)", true, "true", ""},
		{"[LAT] == any(1, 2)", false, "1.5s", "缺少单位"},

		// has.
		{"has([BODY].nope)", false, "false", `[BODY] 中没有字段 "nope"`},
		{"has([NOPE])", false, "false", "没有占位符 [NOPE]"},
		{"has([BODY].items[5])", false, "false", "只有 2 个元素"},
		{"has([NOTJSON].a)", false, "false", "不是合法的 JSON"},
		{"has([BODY].nope) == false", true, "false", ""},
		{"has([BODY].data) != true", false, "true", ""},

		// A literal on the left: Actual is the other side.
		{"200 == [STATUS]", false, "503", ""},
		{"600 > [STATUS]", true, "503", ""},
		{"0 < len([ROWS])", true, "2", ""},
		{"2s > [LAT]", true, "1.5s", ""},

		// Value types drivers produce are normalised.
		{"[INT] == 7", true, "7", ""},
		{"[U64] > 1e19", true, "18446744073709552000", ""},
		{"[F32] == 0.5", true, "0.5", ""},
		{"[JNUM] == 42", true, "42", ""},
		{"[BYTES] == hello", true, "hello", ""},
		{"[WHEN] == 2026-01-05T08:30:00Z", true, "2026-01-05T08:30:00Z", ""},
		{"[ODD] == 1", false, "（struct { X int }）", "不能比较不支持的值（struct { X int }）"},
		{"[ODDLIST] == 1", false, "（[]int）", "不支持的值"},
		{"len([ODD]) == 1", false, "", "没有长度"},
		{"[ODD] == pat(*)", false, "（struct { X int }）", "不支持的值"},
		{"[ODD].x == 1", false, "", "无法取 .x"},
	}
	vals := values()
	for _, tt := range tests {
		t.Run(tt.cond, func(t *testing.T) {
			c := mustParse(t, tt.cond)
			r := c.Eval(vals)
			if r.Success != tt.success {
				t.Errorf("Success = %v, want %v (Actual %q, Reason %q)", r.Success, tt.success, r.Actual, r.Reason)
			}
			want := tt.actual
			if want == body {
				want = truncate(body, maxActual)
			}
			if want != "*" && r.Actual != want {
				t.Errorf("Actual = %q, want %q", r.Actual, want)
			}
			switch {
			case tt.reason == "" && r.Reason != "":
				t.Errorf("Reason = %q, want none", r.Reason)
			case !strings.Contains(r.Reason, tt.reason):
				t.Errorf("Reason = %q, want it to contain %q", r.Reason, tt.reason)
			}
		})
	}
}

func TestEvalActualIsBounded(t *testing.T) {
	vals := values()
	r := mustParse(t, "[LONG] == x").Eval(vals)
	if n := utf8.RuneCountInString(r.Actual); n != maxActual || !strings.HasSuffix(r.Actual, "…") {
		t.Fatalf("Actual has %d runes: %q", n, r.Actual)
	}
	big := make([]any, 10000)
	for i := range big {
		big[i] = map[string]any{"name": strings.Repeat("x", 500)}
	}
	r = mustParse(t, "[BIG] == 1").Eval(map[string]any{"BIG": big})
	if n := utf8.RuneCountInString(r.Actual); n > maxActual || r.Reason == "" {
		t.Fatalf("Actual has %d runes, Reason %q", n, r.Reason)
	}
	// A cyclic value must neither hang nor overflow the stack.
	cyc := map[string]any{}
	cyc["self"] = cyc
	r = mustParse(t, "[CYC] == 1").Eval(map[string]any{"CYC": cyc})
	if r.Success || !strings.Contains(r.Actual, `{"self": {"self": `) {
		t.Fatalf("cyclic: %+v", r)
	}
	r = mustParse(t, "[CYC].self.self.self.nope == 1").Eval(map[string]any{"CYC": cyc})
	if !strings.Contains(r.Reason, `[CYC].self.self.self 中没有字段 "nope"；现有字段：self`) {
		t.Fatalf("cyclic path: %+v", r)
	}
	// Invalid UTF-8 in a value is shown replaced, never as broken text.
	r = mustParse(t, "[B] == x").Eval(map[string]any{"B": "a\xffb"})
	if r.Actual != "a\uFFFDb" {
		t.Fatalf("Actual = %q", r.Actual)
	}
}

func TestEvalNoValues(t *testing.T) {
	for _, vals := range []map[string]any{nil, {}} {
		r := mustParse(t, "[STATUS] == 200").Eval(vals)
		if r.Success || r.Actual != "" || !strings.Contains(r.Reason, "没有占位符 [STATUS]：这次检查没有得到任何值") {
			t.Fatalf("%+v", r)
		}
	}
}

func TestEvalDoesNotModifyValues(t *testing.T) {
	vals := values()
	delete(vals, "NAN") // NaN != NaN would defeat DeepEqual
	before := values()
	delete(before, "NAN")
	for _, s := range []string{"[BODY].data.status == ok", "has([BODY].items[0])", "[STRS][0] == a", "[INT] == 7", "[JNUM] == 42"} {
		mustParse(t, s).Eval(vals)
	}
	if !reflect.DeepEqual(vals, before) {
		t.Fatal("Eval modified the values")
	}
}

func TestEvalAllDecodesOnceAndMatchesEval(t *testing.T) {
	var conds []*Condition
	for _, s := range []string{"[BODY].data.status == ok", "len([BODY].items) == 2", "[STATUS] == 200", "has([BODY].nope)", "[NOPE] == 1"} {
		conds = append(conds, mustParse(t, s))
	}
	vals := values()
	got := EvalAll(conds, vals)
	if len(got) != len(conds) {
		t.Fatalf("%d results", len(got))
	}
	for i, c := range conds {
		if want := c.Eval(vals); got[i] != want {
			t.Errorf("%s: EvalAll %+v, Eval %+v", c, got[i], want)
		}
	}
	e := env{values: vals}
	for _, c := range conds {
		c.eval(&e)
	}
	if len(e.json) != 1 {
		t.Fatalf("decoded %d documents, want 1 (BODY)", len(e.json))
	}
}

func TestEvalConcurrent(t *testing.T) {
	c := mustParse(t, "[BODY].items[1].name == 资源")
	vals := values()
	var wg sync.WaitGroup
	errs := make(chan Result, 8)
	for range 8 {
		wg.Go(func() {
			for range 200 {
				if r := c.Eval(vals); !r.Success {
					errs <- r
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for r := range errs {
		t.Fatalf("concurrent Eval failed: %+v", r)
	}
}

func TestSafeEvalRecovers(t *testing.T) {
	// A condition whose operands were never filled in cannot come from
	// Parse; it stands for a bug, which must become a Reason, not a panic.
	c := &Condition{op: opEq, left: operand{kind: kPath}, right: operand{kind: kLit}}
	r := c.Eval(map[string]any{})
	if r.Success || !strings.Contains(r.Reason, "内部错误") {
		t.Fatalf("%+v", r)
	}
}

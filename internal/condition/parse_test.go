package condition

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestParseValid(t *testing.T) {
	tests := []struct {
		in, canon string
		names     []string
	}{
		// The examples of the brief, already canonical.
		{"[STATUS] == 200", "", []string{"STATUS"}},
		{"[RESPONSE_TIME] < 2s", "", []string{"RESPONSE_TIME"}},
		{"[CERT_EXPIRY] > 720h", "", []string{"CERT_EXPIRY"}},
		{"[MAX_USED_PCT] < 85", "", []string{"MAX_USED_PCT"}},
		{"[CONNECTED] == true", "", []string{"CONNECTED"}},
		{"[BODY] == pat(*正常*)", "", []string{"BODY"}},
		{"[BODY].data.status == ok", "", []string{"BODY"}},
		{"[BODY].items[0].name == 目录", "", []string{"BODY"}},
		{"len([BODY].items) > 0", "", []string{"BODY"}},
		{"has([BODY].data)", "", []string{"BODY"}},
		{"[NEWEST_AGE] < 26h", "", []string{"NEWEST_AGE"}},
		{"[SIZE] > 1GB", "", []string{"SIZE"}},
		{"[COUNT] >= 1", "", []string{"COUNT"}},
		{"[ROWS][0].cnt == 0", "", []string{"ROWS"}},
		{"len([ROWS]) == 0", "", []string{"ROWS"}},
		{"[STDOUT] == pat(*active (running)*)", "", []string{"STDOUT"}},
		{"[EXIT_CODE] == 0", "", []string{"EXIT_CODE"}},
		{"[IP] == any(10.0.0.1, 10.0.0.2)", "", []string{"IP"}},
		{"[STATUS] != 500", "", []string{"STATUS"}},
		// Every operator.
		{"[A] <= 1.5", "", []string{"A"}},
		{"[A] >= -3", "", []string{"A"}},
		{"[A] > 1e3", "", []string{"A"}},
		// Whitespace tolerance, including the ideographic space.
		{"[STATUS]==200", "[STATUS] == 200", []string{"STATUS"}},
		{"  [ STATUS ]\t!=\t500  ", "[STATUS] != 500", []string{"STATUS"}},
		{"[STATUS]\u3000==\u3000200", "[STATUS] == 200", []string{"STATUS"}},
		{"len( [ROWS] )>0", "len([ROWS]) > 0", []string{"ROWS"}},
		{"has( [BODY].data )", "has([BODY].data)", []string{"BODY"}},
		{"[IP] == any( a ,b,  \"c d\" )", `[IP] == any(a, b, "c d")`, []string{"IP"}},
		// Paths.
		{`[BODY]["a.b"][ -1 ].c == x`, `[BODY]["a.b"][-1].c == x`, []string{"BODY"}},
		{`[BODY]["plain"] == x`, `[BODY].plain == x`, []string{"BODY"}},
		{`[BODY][""] == x`, `[BODY][""] == x`, []string{"BODY"}},
		{"[BODY].数据.状态 == 正常", "", []string{"BODY"}},
		{"[BODY].a-b_c == 1", "", []string{"BODY"}},
		{"[ROWS][+1].x == 1", "[ROWS][1].x == 1", []string{"ROWS"}},
		// Literals of every kind.
		{`[STDOUT] == "active (running)"`, "", []string{"STDOUT"}},
		{`[A] == "say \"hi\"\n"`, "", []string{"A"}},
		{`[A] == ""`, "", []string{"A"}},
		{"[A] == 1h30m", "", []string{"A"}},
		{"[A] == 7d", "", []string{"A"}},
		{"[A] == 512MB", "", []string{"A"}},
		{"[A] == 10KiB", "", []string{"A"}},
		{"[A] == false", "", []string{"A"}},
		{"[A] == null", "", []string{"A"}},
		{"[A] == v1.2.3", "", []string{"A"}},
		{"[A] == True", "", []string{"A"}}, // a word: only lower-case true is a boolean
		// Functions in other places.
		{"has([BODY].x) == false", "", []string{"BODY"}},
		{"0 < len([ROWS])", "", []string{"ROWS"}},
		{"200 == [STATUS]", "", []string{"STATUS"}},
		{"[ROWS][0].src == [ROWS][0].dst", "", []string{"ROWS"}},
		{"[A] < [B]", "", []string{"A", "B"}},
		{"len([A]) == len([B])", "", []string{"A", "B"}},
		// pat: the glob runs to the last ")"; spaces trimmed; quoting keeps them.
		{"[A] == pat( *x* )", "[A] == pat(*x*)", []string{"A"}},
		{"[A] == pat(*:)*)", "", []string{"A"}},
		{"[A] == pat(a b == c)", "", []string{"A"}},
		{"[A] == pat()", "", []string{"A"}},
		{`[A] == pat(" x ")`, `[A] == pat(" x ")`, []string{"A"}},
		{`[A] == pat("x")`, `[A] == pat(x)`, []string{"A"}},
		{`[A] == pat("\"x")`, `[A] == pat("\"x")`, []string{"A"}},
		{`[A] != pat(2*)`, "", []string{"A"}},
		// Conventional names accept zero and their own units.
		{"[RESPONSE_TIME] > 0", "", []string{"RESPONSE_TIME"}},
		{"[SIZE] > 0", "", []string{"SIZE"}},
		{"[BACKUP_SIZE] >= 10GiB", "", []string{"BACKUP_SIZE"}},
		{"[RESPONSE_TIME] < [LIMIT]", "", []string{"RESPONSE_TIME", "LIMIT"}},
		{"[RESPONSE_TIME] == pat(1*)", "", []string{"RESPONSE_TIME"}},
		{"len([RESPONSE_TIME]) > 3", "", []string{"RESPONSE_TIME"}},
		{"[BODY].age > 3", "", []string{"BODY"}}, // accessors: no convention
		{"[A] == [A]", "", []string{"A"}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			c, err := Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			want := tt.canon
			if want == "" {
				want = tt.in
			}
			if got := c.String(); got != want {
				t.Errorf("String() = %q, want %q", got, want)
			}
			if got := c.Placeholders(); !slices.Equal(got, tt.names) {
				t.Errorf("Placeholders() = %q, want %q", got, tt.names)
			}
			again, err := Parse(c.String())
			if err != nil {
				t.Fatalf("canonical text does not parse: %v", err)
			}
			if again.String() != c.String() {
				t.Errorf("round trip: %q → %q", c.String(), again.String())
			}
		})
	}
}

func TestPlaceholdersIsACopy(t *testing.T) {
	c := mustParse(t, "[A] == [B]")
	c.Placeholders()[0] = "X"
	if got := c.Placeholders()[0]; got != "A" {
		t.Fatalf("Placeholders shares its slice: %q", got)
	}
}

func TestParseInvalid(t *testing.T) {
	tests := []struct {
		in   string
		col  int
		want string // substring of the message
	}{
		{"", 1, "条件为空"},
		{"   ", 4, "条件为空"},
		{"[STATUS]", 9, "缺少比较运算符和右侧的值；例如 [STATUS] == 200"},
		{"[BODY].a", 9, "[BODY].a == true"},
		{"len([A])", 9, "len([BODY].items) > 0"},
		{"STATUS", 7, "占位符要加方括号，例如 [STATUS]"},
		{"STATUS == 200", 1, "占位符要加方括号：[STATUS]"},
		{"200 == 200", 1, "条件中没有占位符"},
		{"[STATUS] = 200", 10, "等于请写 =="},
		{"[STATUS] => 200", 10, "大于等于写 >="},
		{"[STATUS] <> 200", 10, "不等于请写 !="},
		{"[STATUS] ! 200", 10, "不等于请写 !="},
		{"[STATUS] ＝＝ 200", 10, "半角"},
		{"[STATUS] ≥ 200", 10, "半角"},
		{"[STATUS] 200", 10, `遇到 "200"`},
		{"[STATUS] ==", 12, "右侧缺少要比较的值"},
		{"[STATUS] == ", 13, "右侧缺少要比较的值"},
		{"[STATUS] == 200 201", 17, `多余的内容 "201"`},
		{"[STDOUT] == active (running)", 20, `"active (running)"`},
		{"[STATUS] == )", 13, "此处需要占位符"},
		{"[status] == 200", 2, "须大写：[STATUS]"},
		{"[1A] == 200", 2, "不合法"},
		{"[] == 200", 1, "名称为空"},
		{"[ ] == 200", 1, "名称为空"},
		{"[STATUS == 200", 9, "缺少 ]"},
		{"[", 2, "需要占位符名称"},
		{"[BODY]. == 1", 8, "“.” 后缺少字段名"},
		{"[BODY].a. == 1", 10, "“.” 后缺少字段名"},
		{"[ROWS][x] == 1", 8, "下标须是整数"},
		{"[ROWS][] == 1", 8, "下标须是整数"},
		{"[ROWS][1.5] == 1", 8, "下标须是整数"},
		{"[ROWS][99999999999] == 1", 8, "过大"},
		{"[ROWS][0 == 1", 10, "缺少 ]"},
		{`[A] == "abc`, 8, "引号没有闭合"},
		{`[A] == "a\qb"`, 8, "写法有误"},
		{`[BODY]["a] == 1`, 8, "引号没有闭合"},
		{"[A] < ok", 7, `"ok" 不是数字、时长`},
		{"[A] >= 2sec", 8, `"2sec" 不是数字`},
		{"[A] < 10.0.0.1", 7, "不是数字"},
		{`[A] < "5"`, 7, "带引号的文本只能用 == 或 !="},
		{"[A] > true", 7, "true/false 只能用 == 或 !="},
		{"has([A]) > 1", 1, "has() 的结果是真假值"},
		{"[A] < pat(1*)", 5, "只能与 == 或 != 一起使用"},
		{"[A] >= any(1, 2)", 5, "只能与 == 或 != 一起使用"},
		{"pat(*x*) == [A]", 1, "pat() 只能写在运算符右侧"},
		{"any(1) == [A]", 1, "any() 只能写在运算符右侧"},
		{"len([A]) > 2s", 12, "len() 得到的是个数"},
		{"len([A]) == 1GB", 13, "len() 得到的是个数"},
		{"len(x) > 1", 5, "len() 的参数须是占位符路径"},
		{"has(200)", 5, "has() 的参数须是占位符路径"},
		{"len([A] > 1", 9, "len( 缺少右括号"},
		{"[A] == pat(*x*", 15, "pat( 缺少右括号"},
		{`[A] == pat("x" y)`, 16, `引号后应是右括号`},
		{"[A] == any()", 12, "至少需要一个值"},
		{"[A] == any(1, 2", 16, "any( 缺少右括号"},
		{"[A] == any(1,)", 14, "此处需要一个值"},
		{"[A] == any(1 2)", 14, "用英文逗号分隔"},
		{"[A] == any(len([A]))", 12, "只能写值"},
		{"[A] == foo(1)", 8, "未知函数 foo()"},
		{"[A] == LEN([B])", 8, "未知函数 LEN()"},
		{"[A] == pat（*x*）", 8, "半角括号"},
		{"【STATUS】 == 200", 1, "半角方括号"},
		{"[A] == “ok”", 8, "英文双引号"},
		{"[A] == any(“ok”)", 12, "英文双引号"},
		{"[RESPONSE_TIME] < 2", 19, "数字 2 须带单位；请写成 2s、2m 或 2h"},
		{"2 > [RESPONSE_TIME]", 1, "是时长，数字 2 须带单位"},
		{"[CERT_EXPIRY] > 720", 17, "须带单位"},
		{"[NEWEST_AGE] < 1GB", 16, "1GB 不是时长"},
		{"[RESPONSE_TIME] == fast", 20, "fast 不是时长"},
		{"[SIZE] > 1024", 10, "数字 1024 须带单位；请写成 1024MB、1024GB 或 1024B"},
		{"[DB_SIZE] > 2h", 13, "2h 不是大小"},
		{`[SIZE] == "1GB"`, 11, `"1GB" 不是大小`},
		{"[A] == 1\x00\xff", 10, "UTF-8"},
		{strings.Repeat("x", maxInput+1), 1, "条件过长"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			c, err := Parse(tt.in)
			if err == nil {
				t.Fatalf("Parse accepted it as %q", c.String())
			}
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("error %T is not *Error", err)
			}
			if pe.Col != tt.col {
				t.Errorf("Col = %d, want %d (%s)", pe.Col, tt.col, pe.Msg)
			}
			if !strings.Contains(pe.Msg, tt.want) {
				t.Errorf("Msg = %q, want it to contain %q", pe.Msg, tt.want)
			}
			if pe.Input != tt.in {
				t.Errorf("Input = %q", pe.Input)
			}
			if !strings.Contains(err.Error(), "第 ") || !strings.Contains(err.Error(), pe.Msg) {
				t.Errorf("Error() = %q", err.Error())
			}
		})
	}
}

func TestErrorTextTruncatesInput(t *testing.T) {
	in := "[A] == " + strings.Repeat("长", 300) + " x"
	_, err := Parse(in)
	if err == nil {
		t.Fatal("accepted")
	}
	if n := len([]rune(err.Error())); n > 250 {
		t.Fatalf("Error() is %d runes long", n)
	}
	if got := err.(*Error).Col; got != 309 {
		t.Fatalf("Col = %d, want 309 (columns count runes, not bytes)", got)
	}
}

func mustParse(tb testing.TB, s string) *Condition {
	tb.Helper()
	c, err := Parse(s)
	if err != nil {
		tb.Fatalf("Parse(%q): %v", s, err)
	}
	return c
}

package search

import (
	"slices"
	"strings"
	"testing"
)

func TestTokenize(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     []string
	}{
		{"cjk bigrams and singles", "数据库", []string{"数", "数据", "据", "据库", "库"}},
		{"one cjk char", "库", []string{"库"}},
		{"mixed", "交换节点node-01超时", []string{"交", "交换", "换", "换节", "节", "节点", "点", "node", "01", "超", "超时", "时"}},
		{"full-width letters and digits", "ＡＢＣ１２３", []string{"abc123"}},
		{"full-width punctuation separates", "表空间，９０％！", []string{"表", "表空", "空", "空间", "间", "90"}},
		{"record id", "CHG-2026-007", []string{"chg", "2026", "007"}},
		{"ip address", "10.32.20.13:8080", []string{"10", "32", "20", "13", "8080"}},
		{"punctuation only", "，。！？、；：“”（）《》【】—…·", nil},
		{"ascii punctuation only", " \t\n!@#$%^&*()_+-=[]{}|;':\",./<>?`~\\", nil},
		{"empty", "", nil},
		{"upper case", "Oracle ORA-01555", []string{"oracle", "ora", "01555"}},
		{"dotted capital I", "İSTANBUL", []string{"istanbul"}},
		{"greek sigma per code point", "ΟΔΟΣ", []string{"οδοσ"}},
		{"cyrillic", "Привет мир", []string{"привет", "мир"}},
		{"combining accent composes", "cafe\u0301", []string{"café"}},
		{"ligature", "ﬁle", []string{"file"}},
		{"circled digits", "①②", []string{"12"}},
		{"roman numeral", "Ⅻ", []string{"xii"}},
		{"squared era name", "㍻", []string{"平", "平成", "成"}},
		{"kangxi radical", "⼈", []string{"人"}},
		{"katakana with prolonged sound mark", "サーバー", []string{"サ", "サー", "ー", "ーバ", "バ", "バー", "ー"}},
		{"katakana middle dot separates", "データ・ベース", []string{"デ", "デー", "ー", "ータ", "タ", "ベ", "ベー", "ー", "ース", "ス"}},
		{"halfwidth katakana", "ｻｰﾊﾞ", []string{"サ", "サー", "ー", "ーバ", "バ"}},
		{"hangul", "데이터", []string{"데", "데이", "이", "이터", "터"}},
		{"extension b", "𠀀𠀁", []string{"𠀀", "𠀀𠀁", "𠀁"}},
		{"emoji separates", "告警🔥处理", []string{"告", "告警", "警", "处", "处理", "理"}},
		{"digits next to cjk", "3号机2026年", []string{"3", "号", "号机", "机", "2026", "年"}},
		{"underscore separates", "pg_stat_activity", []string{"pg", "stat", "activity"}},
		{"long word cut", strings.Repeat("a", 40), []string{strings.Repeat("a", MaxWordRunes)}},
		{"ideographic space", "数据\u3000库", []string{"数", "数据", "据", "库"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Tokenize(tc.in); !slices.Equal(got, tc.want) {
				t.Errorf("Tokenize(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestBaseKey(t *testing.T) {
	for in, want := range map[string]string{
		"数据":       "数据",
		"库":        "库",
		"asset":    "as",
		"a":        "a",
		"2026":     "20",
		"café":     "ca",
		"éa":       "éa",
		"привет":   "пр",
		"𠀀𠀁":       "𠀀𠀁",
		"database": "da",
	} {
		if got := baseKey(in); got != want {
			t.Errorf("baseKey(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFNV1a(t *testing.T) {
	// Reference values of 32-bit FNV-1a.
	for in, want := range map[string]uint32{"": 0x811c9dc5, "a": 0xe40c292c, "foobar": 0xbf9cf968} {
		if got := fnv1a(in); got != want {
			t.Errorf("fnv1a(%q) = %#x, want %#x", in, got, want)
		}
	}
}

func TestIsCJKRangesSorted(t *testing.T) {
	for i, r := range cjkRanges {
		if r[0] > r[1] || i > 0 && r[0] <= cjkRanges[i-1][1] {
			t.Fatalf("cjkRanges[%d] = %#x..%#x is out of order", i, r[0], r[1])
		}
	}
	for _, c := range []struct {
		r    rune
		want bool
	}{{'中', true}, {'ー', true}, {'・', false}, {'a', false}, {0x4DC0, false}, {0x3FFFF, true}, {0x40000, false}, {'，', false}} {
		if got := isCJK(c.r); got != c.want {
			t.Errorf("isCJK(%q) = %v, want %v", c.r, got, c.want)
		}
	}
}

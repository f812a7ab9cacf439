package condition

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		in   string
		kind litKind
		val  any
	}{
		{"200", litNumber, int64(200)},
		{"-3", litNumber, int64(-3)},
		{"+3", litNumber, int64(3)},
		{"85.5", litNumber, 85.5},
		{"1e3", litNumber, 1000.0},
		{"2.5E-1", litNumber, 0.25},
		{"9223372036854775808", litNumber, 9223372036854775808.0}, // beyond int64: float
		{"1e400", litWord, "1e400"},                               // infinite: not a number
		{"0", litNumber, int64(0)},
		{"2s", litDuration, 2 * time.Second},
		{"26h", litDuration, 26 * time.Hour},
		{"7d", litDuration, 7 * 24 * time.Hour},
		{"1h30m", litDuration, 90 * time.Minute},
		{"1d12h", litDuration, 36 * time.Hour},
		{"1.5h", litDuration, 90 * time.Minute},
		{"0.5d", litDuration, 12 * time.Hour},
		{"500ms", litDuration, 500 * time.Millisecond},
		{"10us", litDuration, 10 * time.Microsecond},
		{"10µs", litDuration, 10 * time.Microsecond},
		{"10μs", litDuration, 10 * time.Microsecond},
		{"3ns", litDuration, 3 * time.Nanosecond},
		{"-5m", litDuration, -5 * time.Minute},
		{"1s1h", litDuration, time.Hour + time.Second},
		{"106751d", litDuration, 106751 * 24 * time.Hour},
		{"106752d", litWord, "106752d"}, // overflows int64 nanoseconds
		{"9999999999999999999h", litWord, "9999999999999999999h"},
		{"2sec", litWord, "2sec"},
		{"5M", litWord, "5M"},
		{"s", litWord, "s"},
		{"1.s", litWord, "1.s"},
		{"1+1s", litWord, "1+1s"},
		{"1GB", litSize, Size(1 << 30)},
		{"1gb", litSize, Size(1 << 30)},
		{"512MB", litSize, Size(512 << 20)},
		{"1.5GB", litSize, Size(3 << 29)},
		{"10KiB", litSize, Size(10 << 10)},
		{"2GiB", litSize, Size(2 << 30)},
		{"100B", litSize, Size(100)},
		{"1kb", litSize, Size(1024)},
		{"8EiB", litWord, "8EiB"}, // overflows int64
		{"7EiB", litSize, Size(7 << 60)},
		{"1\u212aB", litWord, "1\u212aB"}, // Kelvin sign is not k
		{"1GBs", litWord, "1GBs"},
		{"true", litBool, true},
		{"false", litBool, false},
		{"TRUE", litWord, "TRUE"},
		{"ok", litWord, "ok"},
		{"目录", litWord, "目录"},
		{"10.0.0.1", litWord, "10.0.0.1"},
		{"-", litWord, "-"},
	}
	for _, tt := range tests {
		l := classify(tt.in)
		if l.kind != tt.kind || l.val != tt.val || l.text != tt.in {
			t.Errorf("classify(%q) = %v %#v, want %v %#v", tt.in, l.kind, l.val, tt.kind, tt.val)
		}
	}
}

func TestFormat(t *testing.T) {
	durations := []struct {
		d    time.Duration
		want string
	}{
		{0, "0s"},
		{1500 * time.Nanosecond, "1.5µs"},
		{850123456 * time.Nanosecond, "850.123ms"},
		{2456789 * time.Microsecond, "2.456s"},
		{59999 * time.Millisecond, "59.999s"},
		{90 * time.Minute, "1h30m"},
		{61*time.Second + 900*time.Millisecond, "1m1s"},
		{30 * time.Hour, "30h"},
		{47*time.Hour + 59*time.Minute, "47h59m"},
		{48 * time.Hour, "2d"},
		{2000 * time.Hour, "83d8h"},
		{-76 * time.Hour, "-3d4h"},
		{math.MinInt64, "-106751d23h47m16s"},
		{math.MaxInt64, "106751d23h47m16s"},
	}
	for _, tt := range durations {
		if got := formatDuration(tt.d); got != tt.want {
			t.Errorf("formatDuration(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
	sizes := []struct {
		n    Size
		want string
	}{
		{0, "0B"},
		{999, "999B"},
		{1000, "1000B"},
		{1024, "1KB"},
		{2048, "2KB"},
		{1<<30 - 1, "1023.99MB"}, // truncated, never rounded up to 1GB
		{12_300_000_000, "11.45GB"},
		{12_345_678_901, "11.49GB"},
		{-1500, "-1.47KB"},
		{math.MaxInt64, "7.99EB"},
		{math.MinInt64, "-8EB"},
	}
	for _, tt := range sizes {
		if got := formatSize(tt.n); got != tt.want {
			t.Errorf("formatSize(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
	floats := []struct {
		f    float64
		want string
	}{
		{85.5, "85.5"}, {0, "0"}, {1e20, "100000000000000000000"}, {1e21, "1e+21"}, {1e-7, "1e-07"},
		{math.NaN(), "NaN"}, {math.Inf(-1), "-Inf"},
	}
	for _, tt := range floats {
		if got := formatFloat(tt.f); got != tt.want {
			t.Errorf("formatFloat(%v) = %q, want %q", tt.f, got, tt.want)
		}
	}
}

func TestTruncate(t *testing.T) {
	if got := truncate("abc", 3); got != "abc" {
		t.Errorf("got %q", got)
	}
	if got := truncate("abcd", 3); got != "ab…" {
		t.Errorf("got %q", got)
	}
	if got := truncate(strings.Repeat("目", 5), 3); got != "目目…" {
		t.Errorf("got %q", got)
	}
	if got := truncate(strings.Repeat("目", 3), 3); got != "目目目" {
		t.Errorf("got %q", got)
	}
	if got := truncate("目目目x", 3); got != "目目…" {
		t.Errorf("got %q", got)
	}
	if got := truncate("abc", 1); got != "…" {
		t.Errorf("got %q", got)
	}
	if got := truncate("a\xff\xfeb", 3); got != "a\xff…" {
		t.Errorf("got %q", got)
	}
}

func TestMatch(t *testing.T) {
	tests := []struct {
		glob, s string
		want    bool
	}{
		{"", "", true},
		{"", "a", false},
		{"*", "", true},
		{"*", "anything", true},
		{"?", "", false},
		{"?", "目", true},
		{"??", "目录", true},
		{"a*c", "abc", true},
		{"a*c", "abcd", false},
		{"*正常*", "系统正常运行", true},
		{"*正常*", "系统异常", false},
		{"*active (running)*", "Active: active (running) since", true},
		{"a*b*c", "aXbYc", true},
		{"a*b*c", "aXcYb", false},
		{"*a*a*a*b", strings.Repeat("a", 2000), false},
		{"**", "x", true},
		{"a?c", "abc", true},
		{"A*", "abc", false},
		{"2*", "204", true},
	}
	for _, tt := range tests {
		if got := match(tt.glob, tt.s); got != tt.want {
			t.Errorf("match(%q, %q) = %v, want %v", tt.glob, tt.s, got, tt.want)
		}
		if !strings.Contains(tt.glob, "?") {
			if got := matchGlob(tt.glob, tt.s); got != tt.want {
				t.Errorf("matchGlob(%q, %q) = %v, want %v", tt.glob, tt.s, got, tt.want)
			}
		}
	}
}

// TestMatchStarsAgreesWithMatchGlob compares the fast path for globs
// without ? with the general matcher on many small random cases.
func TestMatchStarsAgreesWithMatchGlob(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	pick := func(alphabet []string, n int) string {
		var b strings.Builder
		for range rng.IntN(n + 1) {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		return b.String()
	}
	text := []string{"a", "b", "目", "录"}
	glob := append(text, "*", "*")
	for range 200000 {
		g, s := pick(glob, 6), pick(text, 8)
		if matchStars(g, s) != matchGlob(g, s) {
			t.Fatalf("matchStars(%q, %q) = %v, matchGlob says %v", g, s, matchStars(g, s), matchGlob(g, s))
		}
	}
}

func TestCmpNum(t *testing.T) {
	tests := []struct {
		x, y any
		want int
	}{
		{int64(1), int64(2), -1},
		{int64(2), 1.5, 1},
		{1.5, int64(2), -1},
		{int64(2), 2.0, 0},
		{int64(math.MaxInt64), 0x1p63, -1},
		{int64(math.MinInt64), -0x1p63, 0},
		{int64(math.MinInt64), -0x1.0000000000001p63, 1},
		{int64(9007199254740993), 9007199254740992.0, 1},
		{int64(-3), -2.5, -1},
		{int64(-2), -2.5, 1},
		{math.NaN(), int64(1), incomparable},
		{1.0, math.NaN(), incomparable},
		{"x", int64(1), incomparable},
	}
	for _, tt := range tests {
		if got := cmpNum(tt.x, tt.y); got != tt.want {
			t.Errorf("cmpNum(%v, %v) = %d, want %d", tt.x, tt.y, got, tt.want)
		}
	}
}

package http

import "testing"

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"65536": 65536, "64KB": 64 << 10, "64kib": 64 << 10, "1MiB": 1 << 20,
		"1mb": 1 << 20, "2G": 2 << 30, " 10 MB ": 10 << 20, "512B": 512, "7b": 7} {
		if got, err := ParseSize(in); err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "lots", "1.5MB", "-1", "1TB", "MB", "99999999999G"} {
		if got, err := ParseSize(in); err == nil {
			t.Errorf("ParseSize(%q) = %d, want an error", in, got)
		}
	}
}

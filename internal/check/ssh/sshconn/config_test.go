package sshconn

import "testing"

func TestNormalizeAddress(t *testing.T) {
	for in, want := range map[string]string{
		"10.32.1.11:22":   "10.32.1.11:22",
		"10.32.1.11":      "10.32.1.11:22",
		"db1.example.gov": "db1.example.gov:22",
		" host:2222 ":     "host:2222",
		"[fe80::1]:2200":  "[fe80::1]:2200",
		"[fe80::1]":       "[fe80::1]:22",
	} {
		got, msg := normalizeAddress(in)
		if msg != "" || got != want {
			t.Errorf("%q → %q %q, want %q", in, got, msg, want)
		}
	}
	for _, bad := range []string{":22", "host:0", "host:ssh", "a b:22", "host:70000", "ops@host:22", "ssh://host"} {
		if _, msg := normalizeAddress(bad); msg == "" {
			t.Errorf("%q accepted", bad)
		}
	}
}

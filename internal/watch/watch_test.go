package watch

import (
	"context"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"
)

func TestStampChangesWithFiles(t *testing.T) {
	root := t.TempDir()
	write := func(rel, text string, mod time.Time) {
		t.Helper()
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, mod, mod); err != nil {
			t.Fatal(err)
		}
	}
	at := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	write("runbooks/a.yaml", "a", at)
	write("other/x.txt", "x", at)
	s0 := Stamp(root, "runbooks", "missing.yaml")
	if s0 != Stamp(root, "runbooks", "missing.yaml") {
		t.Fatal("the same files give different stamps")
	}
	write("other/x.txt", "changed", at.Add(time.Hour))
	if Stamp(root, "runbooks", "missing.yaml") != s0 {
		t.Error("a file outside the names changed the stamp")
	}
	steps := []struct {
		what string
		do   func()
	}{
		{"touched", func() { write("runbooks/a.yaml", "a", at.Add(time.Second)) }},
		{"resized", func() { write("runbooks/a.yaml", "ab", at.Add(time.Second)) }},
		{"added", func() { write("runbooks/b.yaml", "b", at) }},
		{"renamed", func() {
			if err := os.Rename(filepath.Join(root, "runbooks/b.yaml"), filepath.Join(root, "runbooks/c.yaml")); err != nil {
				t.Fatal(err)
			}
		}},
		{"removed", func() { os.Remove(filepath.Join(root, "runbooks/c.yaml")) }},
		{"a named file appeared", func() { write("missing.yaml", "m", at) }},
	}
	last := s0
	for _, s := range steps {
		s.do()
		now := Stamp(root, "runbooks", "missing.yaml")
		if now == last {
			t.Errorf("%s: stamp unchanged", s.what)
		}
		last = now
	}
}

func TestOnChangeCallsOncePerChange(t *testing.T) {
	var v atomic.Uint64
	var calls atomic.Int32
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { OnChange(ctx, time.Millisecond, v.Load, func() { calls.Add(1) }); close(done) }()
	time.Sleep(20 * time.Millisecond)
	if n := calls.Load(); n != 0 {
		t.Fatalf("called %d times without a change", n)
	}
	v.Store(1)
	deadline := time.Now().Add(10 * time.Second)
	for calls.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond)
	if n := calls.Load(); n != 1 {
		t.Errorf("called %d times for one change", n)
	}
	cancel()
	<-done
}

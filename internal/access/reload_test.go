package access

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Edits to the access file take effect on the next request without a
// restart; a broken edit is reported and changes nothing.
func TestAccessFileReloads(t *testing.T) {
	pub := makeSite(t)
	file := filepath.Join(t.TempDir(), "access.yaml")
	write := func(text string) {
		t.Helper()
		// Write beside and rename, as editors and config management do.
		tmp := file + ".tmp"
		if err := os.WriteFile(tmp, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, file); err != nil {
			t.Fatal(err)
		}
	}
	original := testPolicyYAML(t, "")
	write(original)
	p, err := Load(file)
	if err != nil {
		t.Fatal(err)
	}
	clock := &fakeClock{t: time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)}
	notes := &syncBuffer{}
	r, err := NewReloading(pub, Options{Policy: p, Log: &syncBuffer{}, Now: clock.Now}, notes)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	hs := httptest.NewServer(r)
	defer hs.Close()
	ts := &testServer{Server: hs, now: clock}

	const report = "/report/RPT-2026-W48/"
	eng := ts.signIn(t, "eng", "eng-pass-12")
	if got := ts.get(t, report, eng).status; got != A {
		t.Fatalf("eng (ops) reads the report: %d", got)
	}
	if changed, err := r.Reload(); changed || err != nil {
		t.Fatalf("reload of an unchanged file: changed %v, %v", changed, err)
	}

	// eng leaves ops; a new leader is added.
	edited := strings.Replace(original, "{name: eng,    password: "+quoted(hashOf(t, "eng-pass-12"))+", groups: [ops]}",
		"{name: eng,    password: "+quoted(hashOf(t, "eng-pass-12"))+"}\n  - {name: newbie, password: "+quoted(hashOf(t, "newbie-pass-1"))+", groups: [leaders]}", 1)
	if edited == original {
		t.Fatal("test policy did not change")
	}
	write(edited)
	if changed, err := r.Reload(); !changed || err != nil {
		t.Fatalf("reload after an edit: changed %v, %v", changed, err)
	}
	if got := ts.get(t, report, eng).status; got != F {
		t.Errorf("eng's session after leaving ops: %d, want %d", got, F)
	}
	newbie := ts.signIn(t, "newbie", "newbie-pass-1")
	if got := ts.get(t, report, newbie).status; got != A {
		t.Errorf("the new leader reads the report: %d", got)
	}

	// A broken edit changes nothing.
	write(edited + "\nusers: [\n")
	if changed, err := r.Reload(); changed || err == nil || !strings.Contains(err.Error(), "access.yaml") {
		t.Fatalf("reload of a broken file: changed %v, %v", changed, err)
	}
	if got := ts.get(t, report, newbie).status; got != A {
		t.Errorf("after a broken edit the previous settings should stay: %d", got)
	}

	// The watcher reports each version once.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go r.Watch(ctx, 20*time.Millisecond)
	waitFor(t, notes, "访问控制文件有错误，继续使用上一版本的设置")
	write(original)
	waitFor(t, notes, "已重新加载访问控制文件")
	if got := ts.get(t, report, eng).status; got != A {
		t.Errorf("eng back in ops: %d", got)
	}
	if n := strings.Count(notes.String(), "访问控制文件有错误"); n != 1 {
		t.Errorf("the broken version was reported %d times:\n%s", n, notes)
	}
}

func quoted(s string) string { return `"` + s + `"` }

// waitFor waits until notes holds want (the watcher polls; a generous
// deadline, since only the event matters, not how fast it comes).
func waitFor(t *testing.T, notes *syncBuffer, want string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(notes.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("no %q in:\n%s", want, notes)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

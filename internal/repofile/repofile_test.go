package repofile

import (
	"errors"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

const secret = "TOP-SECRET-outside-the-repository"

// plant makes a repository with one regular file and every kind of file
// that must be refused, plus a secret file outside it.
func plant(t *testing.T) string {
	t.Helper()
	outside := t.TempDir()
	root := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.WriteFile(filepath.Join(outside, "secret.yaml"), []byte("id: "+secret+"\n"), 0o644))
	must(os.MkdirAll(filepath.Join(outside, "dir"), 0o755))
	must(os.WriteFile(filepath.Join(outside, "dir", "x.yaml"), []byte(secret), 0o644))
	must(os.MkdirAll(filepath.Join(root, "content/ticket/2026"), 0o755))
	must(os.WriteFile(filepath.Join(root, "content/ticket/2026/ok.yaml"), []byte("id: ok\n"), 0o644))
	must(os.Symlink(filepath.Join(outside, "secret.yaml"), filepath.Join(root, "content/ticket/2026/out.yaml")))
	must(os.Symlink("ok.yaml", filepath.Join(root, "content/ticket/2026/in.yaml")))
	must(os.Symlink(filepath.Join(outside, "dir"), filepath.Join(root, "content/linked")))
	must(os.Symlink("ticket", filepath.Join(root, "content/alias")))
	must(syscall.Mkfifo(filepath.Join(root, "content/ticket/2026/fifo.yaml"), 0o644))
	l, err := net.Listen("unix", filepath.Join(root, "content/ticket/2026/sock.yaml"))
	must(err)
	t.Cleanup(func() { l.Close() })
	return root
}

// modes runs f with openat2 (when the kernel has it) and with the os.Root
// fallback.
func modes(t *testing.T, f func(t *testing.T)) {
	t.Run("openat2", func(t *testing.T) {
		if !openat2Usable() {
			if os.Getenv("CI") == "true" {
				t.Fatal("openat2 is not available on this CI host")
			}
			t.Skip("SKIPPED LOUDLY: openat2 is not available here; only the os.Root fallback is tested")
		}
		d, err := Open(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		if d.dir == nil {
			t.Fatal("openat2 usable but not used")
		}
		d.Close()
		f(t)
	})
	t.Run("fallback", func(t *testing.T) {
		forceFallback = true
		defer func() { forceFallback = false }()
		f(t)
	})
}

func TestOpen(t *testing.T) {
	modes(t, func(t *testing.T) {
		root := plant(t)
		d, err := Open(root)
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		if forceFallback != (d.dir == nil) {
			t.Fatalf("fallback %v, openat2 dir %v", forceFallback, d.dir)
		}
		data, err := d.ReadFile("content/ticket/2026/ok.yaml")
		if err != nil || string(data) != "id: ok\n" {
			t.Fatalf("regular file: %q, %v", data, err)
		}
		refused := []struct{ rel, elem, what string }{
			{"content/ticket/2026/out.yaml", "content/ticket/2026/out.yaml", "符号链接"},
			{"content/ticket/2026/in.yaml", "content/ticket/2026/in.yaml", "符号链接"},
			{"content/linked/x.yaml", "content/linked", "符号链接"},
			{"content/alias/2026/ok.yaml", "content/alias", "符号链接"},
			{"content/ticket/2026/fifo.yaml", "content/ticket/2026/fifo.yaml", "命名管道（FIFO）"},
			{"content/ticket/2026/sock.yaml", "content/ticket/2026/sock.yaml", "套接字"},
			{"content/ticket/2026", "content/ticket/2026", "目录"},
		}
		for _, c := range refused {
			done := make(chan struct{})
			var data []byte
			var err error
			go func() { data, err = d.ReadFile(c.rel); close(done) }()
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				t.Fatalf("%s: ReadFile blocked", c.rel)
			}
			var nr *NotRegularError
			if !errors.As(err, &nr) || nr.Elem != c.elem || nr.What != c.what || nr.Path != c.rel {
				t.Errorf("%s: got %q, %#v; want %s is %s", c.rel, data, err, c.elem, c.what)
				continue
			}
			if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), os.TempDir()) {
				t.Errorf("%s: the error quotes the target: %v", c.rel, err)
			}
		}
		if _, err := d.Open("content/ticket/2026/none.yaml"); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("missing file: %v", err)
		}
		for _, bad := range []string{"../x", "content/../../x", "/etc/passwd", "", "a\\b"} {
			if f, err := d.Open(bad); err == nil || !errors.Is(err, fs.ErrInvalid) {
				t.Errorf("%q: opened %v, %v", bad, f, err)
			}
		}
		// A file on the way to a file: not a directory.
		if _, err := d.Open("content/ticket/2026/ok.yaml/x"); err == nil {
			t.Error("a path through a file opened")
		}
		entries, err := d.ReadDir("content/ticket/2026")
		if err != nil || len(entries) != 5 {
			t.Errorf("ReadDir: %v, %v", entries, err)
		}
		if _, err := d.ReadDir("content/linked"); !errors.As(err, new(*NotRegularError)) {
			t.Errorf("ReadDir through a symlink: %v", err)
		}
		if entries, err := d.ReadDir("."); err != nil || len(entries) != 1 {
			t.Errorf("ReadDir of the root: %v, %v", entries, err)
		}
	})
}

func TestReadFile(t *testing.T) {
	root := plant(t)
	if data, err := ReadFile(root, "content/ticket/2026/ok.yaml"); err != nil || string(data) != "id: ok\n" {
		t.Errorf("%q, %v", data, err)
	}
	if data, err := ReadFile(root, "content/ticket/2026/out.yaml"); err == nil || len(data) > 0 {
		t.Errorf("symlink read: %q, %v", data, err)
	}
}

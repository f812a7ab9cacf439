package cli

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/opsbook/opsbook/internal/testrepo"
)

// notRegularSecret is what the files outside the test repositories hold;
// no output may ever show it.
const notRegularSecret = "OUTSIDE-SECRET-7f3a9c"

// plantNotRegular adds to the repository at dir what a pull request could
// commit (symlinks, to files outside the repository and inside it) and what
// a careless host could hold (a FIFO), none of which git or the fixture
// copy can carry: a ticket record and a runbook that are symlinks to valid
// files outside, a year directory that is a symlink to a directory outside,
// a record that is a symlink to another record, and a FIFO named like a
// record. It returns the repository-relative paths planted.
func plantNotRegular(t *testing.T, dir string) []string {
	t.Helper()
	outside := t.TempDir()
	files := map[string]string{
		"ticket.yaml":       "id: TKT-2026-900\nkind: ticket\ntitle: " + notRegularSecret + "\nchannel: hotline\ncategory: catalog\nhandler: 张伟\npriority: normal\nstatus: open\nreported_at: \"2026-10-09 09:00\"\n",
		"kb/KB-2027-001.md": "---\nid: KB-2027-001\nkind: kb\ntitle: " + notRegularSecret + "\ncategory: howto\nupdated: 2027-01-05\naudience: department-user\n---\n\n## 正文\n\n" + notRegularSecret + "\n",
		"runbook.yaml":      "id: leak\ntitle: " + notRegularSecret + "\nchecks:\n  - {name: port, type: tcp, asset: portal-web, address: \"127.0.0.1:9\", conditions: [\"[CONNECTED] == true\"]}\n",
	}
	for name, data := range files {
		p := filepath.Join(outside, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	os.MkdirAll(filepath.Join(dir, "content/ticket/2026"), 0o755)
	os.MkdirAll(filepath.Join(dir, "content/kb"), 0o755)
	os.MkdirAll(filepath.Join(dir, "runbooks"), 0o755)
	for _, err := range []error{
		os.Symlink(filepath.Join(outside, "ticket.yaml"), filepath.Join(dir, "content/ticket/2026/TKT-2026-900.yaml")),
		syscall.Mkfifo(filepath.Join(dir, "content/ticket/2026/TKT-2026-901.yaml"), 0o644),
		os.Symlink("TKT-2026-900.yaml", filepath.Join(dir, "content/ticket/2026/TKT-2026-902.yaml")),
		os.Symlink(filepath.Join(outside, "kb"), filepath.Join(dir, "content/kb/2027")),
		os.Symlink(filepath.Join(outside, "runbook.yaml"), filepath.Join(dir, "runbooks/leak.yaml")),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	return []string{"content/ticket/2026/TKT-2026-900.yaml", "content/ticket/2026/TKT-2026-901.yaml",
		"content/ticket/2026/TKT-2026-902.yaml", "content/kb/2027", "runbooks/leak.yaml"}
}

// runWithin is run that fails the test instead of hanging past limit (a
// FIFO opened for reading blocks until a writer comes).
func runWithin(t *testing.T, limit time.Duration, dir string, args ...string) (string, string, int) {
	t.Helper()
	type result struct {
		out, errOut string
		code        int
	}
	done := make(chan result, 1)
	go func() {
		var out, errb bytes.Buffer
		code := Run(context.Background(), &Env{Stdout: &out, Stderr: &errb, Dir: dir}, args)
		done <- result{out.String(), errb.String(), code}
	}()
	select {
	case r := <-done:
		return r.out, r.errOut, r.code
	case <-time.After(limit):
		t.Fatalf("opsbook %s did not finish within %v", strings.Join(args, " "), limit)
		return "", "", 0
	}
}

var (
	cliBinOnce sync.Once
	cliBinPath string
	cliBinErr  error
)

// builtBinary builds cmd/opsbook once for the tests that run the real binary.
func builtBinary(t *testing.T) string {
	t.Helper()
	cliBinOnce.Do(func() {
		dir, err := os.MkdirTemp("", "opsbook-cli-bin-")
		if err != nil {
			cliBinErr = err
			return
		}
		cliBinPath = filepath.Join(dir, "opsbook")
		if out, err := exec.Command("go", "build", "-o", cliBinPath, "../../cmd/opsbook").CombinedOutput(); err != nil {
			cliBinErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if cliBinErr != nil {
		t.Fatal(cliBinErr)
	}
	return cliBinPath
}

// binary runs the built opsbook in dir, killed after limit.
func binary(t *testing.T, limit time.Duration, dir string, args ...string) (string, string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, builtBinary(t), args...)
	cmd.Dir = dir
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("opsbook %s did not finish within %v (killed)\n%s%s", strings.Join(args, " "), limit, out.String(), errb.String())
	}
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

// TestNotRegularFilesNeverRead: symlinked records, runbooks and directories
// (pointing outside the repository or inside it) and a FIFO are reported as
// record/not-regular-file by the real binary's validate (exit 1, no hang);
// site build publishes none of their text; run refuses the symlinked
// runbook; no output ever shows what the files outside hold.
func TestNotRegularFilesNeverRead(t *testing.T) {
	dir := testrepo.Fixed(t)
	planted := plantNotRegular(t, dir)
	out, errOut, code := binary(t, 2*time.Minute, dir, "validate", "--repo", dir)
	if code != ExitFound {
		t.Errorf("validate: exit %d, want %d\n%s%s", code, ExitFound, out, errOut)
	}
	for _, p := range planted {
		if !strings.Contains(out, p+":1:1: ") || !strings.Contains(out[strings.Index(out, p+":1:1: "):], "[record/not-regular-file]\n") {
			t.Errorf("validate does not report %s as record/not-regular-file:\n%s", p, out)
		}
	}
	if strings.Contains(out+errOut, notRegularSecret) {
		t.Errorf("validate shows the outside file's text:\n%s%s", out, errOut)
	}

	public := filepath.Join(t.TempDir(), "public")
	out, errOut, code = binary(t, 5*time.Minute, dir, "site", "build", "--repo", dir, "--out", public)
	if code != ExitOK {
		t.Errorf("site build: exit %d\n%s%s", code, out, errOut)
	}
	if strings.Contains(out+errOut, notRegularSecret) {
		t.Errorf("site build shows the outside file's text:\n%s%s", out, errOut)
	}
	n := 0
	filepath.WalkDir(public, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		n++
		if data, err := os.ReadFile(p); err == nil && bytes.Contains(data, []byte(notRegularSecret)) {
			t.Errorf("the built site publishes the outside file's text in %s", p)
		}
		return nil
	})
	if n < 10 {
		t.Errorf("site build wrote only %d files", n)
	}

	out, errOut, code = binary(t, 2*time.Minute, dir, "run", "leak", "--no-commit", "--repo", dir)
	if code != ExitError || !strings.Contains(errOut, "runbooks/leak.yaml:1:1: ") || !strings.Contains(errOut, "[record/not-regular-file]") {
		t.Errorf("run of a symlinked runbook: exit %d\n%s%s", code, out, errOut)
	}
	if strings.Contains(out+errOut, notRegularSecret) {
		t.Errorf("run shows the outside file's text:\n%s%s", out, errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, "content/inspection")); err == nil {
		entries, _ := filepath.Glob(filepath.Join(dir, "content/inspection/*/*leak*"))
		if len(entries) > 0 {
			t.Errorf("run wrote an inspection of the symlinked runbook: %v", entries)
		}
	}
}

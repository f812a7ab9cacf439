package cli

import (
	"bytes"
	"context"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/opsbook/opsbook/internal/testrepo"
)

var update = flag.Bool("update", false, "rewrite golden files")

// run runs opsbook with args and returns stdout, stderr and the exit code.
func run(t *testing.T, dir string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Run(context.Background(), &Env{Stdout: &out, Stderr: &errb, Dir: dir}, args)
	return out.String(), errb.String(), code
}

// fixture makes a repository from testdata/<name> plus the real schemas.
func fixture(t *testing.T, name string) string {
	t.Helper()
	return testrepo.FromDir(t, filepath.Join("testdata", name))
}

// snapshot lists every file under dir with its size, to prove nothing was written.
func snapshot(t *testing.T, dir string) string {
	var b strings.Builder
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			info, _ := d.Info()
			rel, _ := filepath.Rel(dir, p)
			b.WriteString(rel + " " + string(rune('0'+info.Size()%10)) + "\n")
		}
		return nil
	})
	return b.String()
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update once to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (go test -update rewrites it after review)\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

func TestValidateBrokenRecords(t *testing.T) {
	dir := fixture(t, "broken")
	// A 100 MB file is made here rather than committed; sparse, so cheap.
	big := filepath.Join(dir, "content/ticket/2026/TKT-2026-111.yaml")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(100 << 20); err != nil {
		t.Fatal(err)
	}
	f.Close()
	brokenAttachments(t, dir)
	plantNotRegular(t, dir)
	before := snapshot(t, dir)
	out, stderr, code := runWithin(t, time.Minute, dir, "validate", "--repo", dir)
	if code != ExitFound {
		t.Errorf("exit %d, want %d; stderr: %s", code, ExitFound, stderr)
	}
	golden(t, "broken.golden", out)
	if strings.Contains(out+stderr, notRegularSecret) {
		t.Errorf("validate shows the text of a file outside the repository")
	}
	if after := snapshot(t, dir); after != before {
		t.Errorf("validate changed files:\n%s\nvs\n%s", after, before)
	}
	// Every rule the suite exists for shows up at least once.
	for _, rule := range []string{
		"yaml/syntax", "yaml/duplicate-key", "yaml/anchor-alias", "yaml/merge-key", "yaml/non-string-key",
		"yaml/multi-document", "yaml/too-deep", "yaml/tag", "file/too-large", "file/encoding", "frontmatter/delimiter",
		"record/empty", "record/not-mapping", "record/kind-unknown", "record/path-kind", "record/id-filename",
		"record/duplicate-id", "record/path-layout", "record/path-year", "record/extension",
		"schema/required", "schema/type", "schema/additionalProperties", "schema/enum", "schema/minLength",
		"schema/format", "schema/uniqueItems", "ref/unresolved", "change/business-hours", "change/freeze",
		"change/emergency-justification", "calendar/no-data", "body/section-missing", "body/section-empty",
		"time/order", "document/attributes", "inspection/summary", "runbook/check", "obligation/rule", "obligation/proof",
		"project/document-schema", "attachment/path", "attachment/missing", "attachment/not-file", "attachment/too-large",
		"attachment/sha256", "attachment/size", "attachment/duplicate", "attachment/unreferenced", "attachment/orphan-dir",
		"record/not-regular-file",
	} {
		if !strings.Contains(out, "["+rule+"]") {
			t.Errorf("no violation of %s", rule)
		}
	}
	// The control records in the fixture must not be reported.
	for _, ok := range []string{"CHG-2026-001.md", "CHG-2026-002.md", "CHG-2026-003.md", "TKT-2026-001.yaml", "dept-a.yaml", "host-a.yaml", "prj-a.yaml", "prj-b.yaml", "EVT-2026-001.yaml", "ob-ok.yaml"} {
		if strings.Contains(out, ok+":") {
			t.Errorf("valid record %s was reported", ok)
		}
	}
}

func TestValidateFormats(t *testing.T) {
	dir := fixture(t, "broken")
	one := "content/change/2026/CHG-2026-161.md"
	out, _, code := run(t, dir, "validate", "--repo", dir, one, "--format", "github")
	if code != ExitFound || !strings.HasPrefix(out, "::error file="+one+",line=11,col=10,title=change/business-hours::") {
		t.Errorf("github format (exit %d):\n%s", code, out)
	}
	out, _, code = run(t, dir, "validate", "--repo", dir, "--format", "json", one)
	if code != ExitFound || !strings.Contains(out, `"version": "opsbook.validate/v1"`) || !strings.Contains(out, `"rule": "change/business-hours"`) || !strings.Contains(out, `"files": 1`) {
		t.Errorf("json format (exit %d):\n%s", code, out)
	}
	// Given paths are checked against the whole repository: the duplicate
	// id is found though only one of the two files is named.
	out, _, _ = run(t, dir, "validate", "--repo", dir, "content/asset/2025")
	if !strings.Contains(out, "dup-host.yaml:1:5:") || !strings.Contains(out, "content/asset/2026/dup-host.yaml") || strings.Contains(out, "TKT-") {
		t.Errorf("partial validation:\n%s", out)
	}
	if _, stderr, code := run(t, dir, "validate", "--repo", dir, "--format", "xml"); code != ExitError || !strings.Contains(stderr, "xml") {
		t.Errorf("bad format: exit %d, %s", code, stderr)
	}
	if _, stderr, code := run(t, dir, "validate", "--repo", dir, "content/nope"); code != ExitError || !strings.Contains(stderr, "不存在") {
		t.Errorf("missing path: exit %d, %s", code, stderr)
	}
	if err := os.WriteFile(filepath.Join(dir, "opsbook.yaml"), []byte("timezone: Asia/Shanghai\nbusiness_hours:\n  - {start: \"8:30\", end: \"12:00\"}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, stderr, code := run(t, dir, "validate", "--repo", dir); code != ExitError || !strings.Contains(stderr, "opsbook.yaml:3:") {
		t.Errorf("bad config: exit %d, %s", code, stderr)
	}
	if _, _, code := run(t, t.TempDir(), "validate"); code != ExitError {
		t.Errorf("outside a repository: exit %d, want 2", code)
	}
}

// Its subject is the bundled sample, so it reads the checkout.
func TestSampleRepositoryIsValid(t *testing.T) {
	out, stderr, code := run(t, testrepo.Sample(t), "validate")
	if code != ExitOK {
		t.Fatalf("the bundled sample must validate (exit %d):\n%s%s", code, out, stderr)
	}
	if !strings.Contains(out, "发现 0 个问题") {
		t.Errorf("summary: %s", out)
	}
}

package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/opsbook/opsbook/internal/testrepo"
)

// opsbook validate checks a change's steps as change run would without
// secrets, so a bad step fails the pull request, not the maintenance
// window.
//
// testdata/change-steps holds the sample's change CHG-2026-014, its assets
// and department, and the sample's config.
func TestValidateChecksChangeSteps(t *testing.T) {
	dir := testrepo.FromDir(t, filepath.Join("testdata", "change-steps"))
	if out, err := exec.Command("git", "init", "-q", "-b", "main", dir).CombinedOutput(); err != nil {
		t.Fatalf("git init: %v\n%s", err, out)
	}
	const rel = "content/change/2026/CHG-2026-014.md"
	if _, stderr, code := run(t, dir, "validate", rel); code != ExitOK {
		t.Fatalf("the sample change does not validate: %d\n%s", code, stderr)
	}
	path := filepath.Join(dir, filepath.FromSlash(rel))
	text, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// A misspelt parameter and a condition on a placeholder ssh does not set.
	bad := strings.Replace(string(text), "    command: sudo -n systemctl reload nginx\n",
		"    command: sudo -n systemctl reload nginx\n    comand: typo\n    conditions: [\"[STATUS] == 200\"]\n", 1)
	if bad == string(text) {
		t.Fatal("the sample change has no reload-app01 command line")
	}
	if err := os.WriteFile(path, []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	line := strings.Count(bad[:strings.Index(bad, "    comand: typo")], "\n") + 1
	out, stderr, code := run(t, dir, "validate", rel)
	all := out + stderr
	if code != ExitFound {
		t.Fatalf("validate exit %d, want %d:\n%s", code, ExitFound, all)
	}
	if !strings.Contains(all, "change/steps") || !strings.Contains(all, "comand") || !strings.Contains(all, "STATUS") {
		t.Errorf("validate does not name the bad parameter and placeholder:\n%s", all)
	}
	if !strings.Contains(all, rel+":"+strconv.Itoa(line)+":") {
		t.Errorf("the misspelt parameter is not reported at line %d:\n%s", line, all)
	}
}

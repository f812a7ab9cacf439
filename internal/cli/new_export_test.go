package cli

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opsbook/opsbook/internal/export"
	"github.com/opsbook/opsbook/internal/testrepo"
)

// opsRepo is a generated repository (internal/gen) of a few hundred valid
// records of every kind.
func opsRepo(t *testing.T) string {
	t.Helper()
	return testrepo.Generated(t, 400, 13)
}

func TestNewEveryKindValidates(t *testing.T) {
	dir := opsRepo(t)
	kinds := []string{"anomaly", "asset", "backup", "change", "department", "document", "duty", "event",
		"inspection", "kb", "obligation", "project", "report", "security", "stats", "ticket", "training"}
	for _, k := range kinds {
		out, stderr, code := run(t, dir, "new", k, "--repo", dir, "--title", "测试"+k)
		if code != ExitOK {
			t.Errorf("new %s: exit %d\n%s%s", k, code, out, stderr)
			continue
		}
		path := strings.TrimSpace(out)
		if !strings.HasPrefix(path, "content/"+k+"/") {
			t.Errorf("new %s wrote %s", k, path)
		}
		data, err := os.ReadFile(filepath.Join(dir, path))
		if err != nil || !strings.Contains(string(data), "title: 测试"+k) {
			t.Errorf("new %s: %v\n%s", k, err, data)
		}
	}
	if out, _, code := run(t, dir, "validate", "--repo", dir); code != ExitOK {
		t.Errorf("repository with new records does not validate:\n%s", out)
	}
	// The next change gets the next id.
	first, _, _ := run(t, dir, "new", "change", "--repo", dir)
	second, _, _ := run(t, dir, "new", "change", "--repo", dir)
	if first == second || first == "" {
		t.Errorf("ids not advancing: %q then %q", first, second)
	}
	if _, stderr, code := run(t, dir, "new", "widget", "--repo", dir); code != ExitError || !strings.Contains(stderr, "widget") {
		t.Errorf("unknown kind: exit %d %s", code, stderr)
	}
	if _, stderr, code := run(t, dir, "new", "asset", "--id", "asset-0000", "--repo", dir); code != ExitError || !strings.Contains(stderr, "已被") {
		t.Errorf("taken id: exit %d %s", code, stderr)
	}
}

func git(t *testing.T, dir string, env []string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

func as(name, date string) []string {
	return []string{"GIT_AUTHOR_NAME=" + name, "GIT_AUTHOR_EMAIL=" + name + "@example.invalid", "GIT_AUTHOR_DATE=" + date,
		"GIT_COMMITTER_NAME=" + name, "GIT_COMMITTER_EMAIL=" + name + "@example.invalid", "GIT_COMMITTER_DATE=" + date}
}

func TestExportWithGitHistory(t *testing.T) {
	dir := opsRepo(t)
	git(t, dir, nil, "init", "-q", "-b", "main")
	git(t, dir, nil, "add", ".")
	git(t, dir, as("张伟", "2026-10-01T09:00:00+08:00"), "commit", "-qm", "初始台账")
	git(t, dir, nil, "checkout", "-qb", "change/expand")
	out, _, code := run(t, dir, "new", "change", "--title", "交换库扩容")
	if code != ExitOK {
		t.Fatalf("new change: %d", code)
	}
	changePath := strings.TrimSpace(out)
	git(t, dir, nil, "add", ".")
	git(t, dir, as("李娜", "2026-10-02T10:00:00+08:00"), "commit", "-qm", "变更方案：交换库扩容")
	git(t, dir, nil, "checkout", "-q", "main")
	git(t, dir, as("王强", "2026-10-03T11:00:00+08:00"), "merge", "--no-ff", "-qm", "批准：交换库扩容", "change/expand")

	out, stderr, code := run(t, dir, "export", "--kind", "change", "--format", "json")
	if code != ExitOK {
		t.Fatalf("export: exit %d %s", code, stderr)
	}
	var doc export.Document
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("export is not JSON: %v\n%s", err, out)
	}
	if doc.Format != export.Version || doc.Count != len(doc.Records) || doc.Count < 2 {
		t.Fatalf("document header: %+v", doc)
	}
	var found bool
	for _, r := range doc.Records {
		if r.Kind != "change" {
			t.Errorf("--kind change exported a %s", r.Kind)
		}
		if r.Git == nil {
			t.Errorf("%s has no git metadata", r.Path)
			continue
		}
		if r.Path == changePath {
			found = true
			if r.Title != "交换库扩容" || r.Git.CreatedBy != "李娜" || r.Git.UpdatedBy != "李娜" || r.Body == "" {
				t.Errorf("new change exported as %+v / %+v", r, r.Git)
			}
		} else if r.Git.CreatedBy != "张伟" {
			t.Errorf("%s created by %s, want 张伟", r.Path, r.Git.CreatedBy)
		}
	}
	if !found {
		t.Errorf("%s not exported", changePath)
	}

	out, _, code = run(t, dir, "export", "--format", "csv", "--since", "2026-11-01")
	if code != ExitOK {
		t.Fatalf("csv export: exit %d", code)
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(out, "\ufeff"))).ReadAll()
	if err != nil || len(rows) < 2 || strings.Join(rows[0], ",") != strings.Join(export.CSVHeader, ",") {
		t.Fatalf("csv: %v %v", err, rows[:min(len(rows), 2)])
	}
	for _, row := range rows[1:] {
		if row[5] != "" && row[5][:10] < "2026-11-01" {
			t.Errorf("--since 2026-11-01 exported %s dated %s", row[0], row[5])
		}
	}
	outFile := filepath.Join(t.TempDir(), "out.json")
	if _, _, code := run(t, dir, "export", "--output", outFile); code != ExitOK {
		t.Fatal("export --output failed")
	}
	if data, err := os.ReadFile(outFile); err != nil || !json.Valid(data) {
		t.Errorf("--output wrote invalid JSON: %v", err)
	}
	if _, _, code := run(t, dir, "export", "--format", "xml"); code != ExitError {
		t.Errorf("bad format: exit %d", code)
	}
	if _, _, code := run(t, dir, "export", "--since", "11/01"); code != ExitError {
		t.Errorf("bad date: exit %d", code)
	}
}

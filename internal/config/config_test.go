package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opsbook/opsbook/internal/schema"
	"github.com/opsbook/opsbook/internal/testrepo"
)

func TestParseSize(t *testing.T) {
	for in, want := range map[any]int64{"50MB": 50 << 20, "512KB": 512 << 10, "1.5GB": 3 << 29, "2GiB": 2 << 30, "100 MB": 100 << 20, "900B": 900, "1048576": 1 << 20} {
		got, err := ParseSize(in)
		if err != nil || got != want {
			t.Errorf("%v: %d %v, want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"50mb", "MB", "-1MB", "1 PB", "五十兆"} {
		if _, err := ParseSize(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestDocumentsBlock(t *testing.T) {
	set, err := schema.Load(testrepo.SchemaDir(t))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	c, err := Load(dir, set)
	if err != nil || c.Documents.MaxAttachmentSize != 50<<20 || c.Documents.ReviewDays != 365 {
		t.Fatalf("defaults %+v %v", c.Documents, err)
	}
	write := func(s string) {
		if err := os.WriteFile(filepath.Join(dir, "opsbook.yaml"), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("documents:\n  max_attachment_size: 20MB\n  review_days: 180\n")
	if c, err := Load(dir, set); err != nil || c.Documents.MaxAttachmentSize != 20<<20 || c.Documents.ReviewDays != 180 {
		t.Errorf("set %+v %v", c, err)
	}
	write("documents:\n  max_attachment_size: 10485760\n")
	if c, err := Load(dir, set); err != nil || c.Documents.MaxAttachmentSize != 10<<20 {
		t.Errorf("bytes %+v %v", c, err)
	}
	write("documents:\n  max_attachment_size: 50 兆\n")
	if _, err := Load(dir, set); err == nil || !strings.Contains(err.Error(), "opsbook.yaml:2:") {
		t.Errorf("bad size: %v", err)
	}
}

func TestMainBranch(t *testing.T) {
	set, err := schema.Load(testrepo.SchemaDir(t))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if c, err := Load(dir, set); err != nil || c.MainBranch != "main" {
		t.Fatalf("default %q %v", c.MainBranch, err)
	}
	write := func(s string) {
		if err := os.WriteFile(filepath.Join(dir, "opsbook.yaml"), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, ok := range []string{"master", "trunk", "release/2026", "主线"} {
		write("platform: 测试\nmain_branch: " + ok + "\n")
		if c, err := Load(dir, set); err != nil || c.MainBranch != ok {
			t.Errorf("%q: %q %v", ok, c.MainBranch, err)
		}
	}
	for _, bad := range []string{`"main branch"`, `"-main"`, "main..x", "HEAD", "refs/heads/main", "main.lock", "main/", `"ma~in"`, "'@'", `""`} {
		write("platform: 测试\nmain_branch: " + bad + "\n")
		_, err := Load(dir, set)
		if err == nil || !strings.Contains(err.Error(), "opsbook.yaml:2:") || !strings.Contains(err.Error(), "main_branch") {
			t.Errorf("%s accepted or badly reported: %v", bad, err)
		}
	}
	write("platform: 测试\nmain_branch: main..x\n")
	if _, err := Load(dir, set); err == nil || !strings.Contains(err.Error(), "[config/main-branch]") {
		t.Errorf("rule not named: %v", err)
	}
}

// LoadLocation reads only the time zone: the default without a file, the
// file's zone, and an unknown zone as an error at its line.
func TestLoadLocation(t *testing.T) {
	dir := t.TempDir()
	if loc, err := LoadLocation(dir); err != nil || loc.String() != "Asia/Shanghai" {
		t.Errorf("no opsbook.yaml: %v, %v; want Asia/Shanghai", loc, err)
	}
	os.WriteFile(filepath.Join(dir, "opsbook.yaml"), []byte("timezone: Asia/Urumqi\nunknown_key: is not checked here\n"), 0o644)
	if loc, err := LoadLocation(dir); err != nil || loc.String() != "Asia/Urumqi" {
		t.Errorf("timezone: Asia/Urumqi: %v, %v", loc, err)
	}
	os.WriteFile(filepath.Join(dir, "opsbook.yaml"), []byte("platform: x\ntimezone: Mars/Base\n"), 0o644)
	if _, err := LoadLocation(dir); err == nil || !strings.Contains(err.Error(), `opsbook.yaml:2:11: 未知时区 "Mars/Base"`) {
		t.Errorf("unknown zone: %v", err)
	}
}

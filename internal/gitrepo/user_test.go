package gitrepo

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// User agrees with the git CLI on who commits: the repository's config
// first, then the global one, also outside a repository.
func TestUserMatchesGitConfig(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("git CLI not installed")
		}
		t.Skip("SKIPPED LOUDLY: git CLI not installed")
	}
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", "")
	t.Setenv("GIT_CONFIG_GLOBAL", "")
	os.Unsetenv("GIT_CONFIG_GLOBAL") // git, unlike User, would read that file instead
	git := func(dir string, args ...string) string {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		out, _ := cmd.Output() // `git config KEY` exits 1 when KEY is unset
		return strings.TrimSpace(string(out))
	}
	if err := os.WriteFile(filepath.Join(home, ".gitconfig"), []byte("[user]\n\tname = 全局 用户\n\temail = global@example.invalid\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	repo := t.TempDir()
	git(repo, "init", "-q")
	outside := t.TempDir()
	check := func(dir, what string) {
		t.Helper()
		name, email := User(dir)
		if want := git(dir, "config", "user.name"); name != want {
			t.Errorf("%s: name %q, git says %q", what, name, want)
		}
		if want := git(dir, "config", "user.email"); email != want {
			t.Errorf("%s: email %q, git says %q", what, email, want)
		}
	}
	check(repo, "repository without its own user")
	check(outside, "outside a repository")
	git(repo, "config", "user.name", "本地 用户")
	check(repo, "repository with its own name")
	sub := filepath.Join(repo, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	check(sub, "below the top of a work tree")
	if name, email := User(repo); name != "本地 用户" || email != "global@example.invalid" {
		t.Errorf("User = %q, %q", name, email)
	}
}

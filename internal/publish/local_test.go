package publish

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func localTargetIn(t *testing.T) (Options, string) {
	t.Helper()
	link := filepath.Join(t.TempDir(), "www", "opsbook")
	if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
		t.Fatal(err)
	}
	tg, err := ParseTarget(link)
	if err != nil {
		t.Fatal(err)
	}
	return Options{Target: tg, Keep: 3}, link
}

func readDirLocal(p string) ([]fs.FileInfo, error) { return localTree{}.ReadDir(p) }

func TestLocalAtomicSwitch(t *testing.T) {
	o, link := localTargetIn(t)
	atomicSwitch(t, o, dirReader(link), readDirLocal)
	assertClean(t, link, 2)
}

func TestLocalPrune(t *testing.T) {
	o, link := localTargetIn(t)
	o.Keep = 2
	var releases []string
	for i := range 4 {
		o.Source = testSite(t, "v"+string(rune('1'+i)), manyFiles("x", 5))
		res, err := Publish(context.Background(), o)
		if err != nil {
			t.Fatalf("publish %d: %v", i+1, err)
		}
		releases = append(releases, res.Release)
		if i == 3 && (len(res.Pruned) != 1 || res.Pruned[0] != releases[1] || len(res.Kept) != 2) {
			t.Errorf("publish 4: kept %v pruned %v", res.Kept, res.Pruned)
		}
	}
	got := assertClean(t, link, 2)
	if got[0] != releases[2] || got[1] != releases[3] {
		t.Errorf("releases left %v, want the last two of %v", got, releases)
	}
	if s := dirReader(link).snapshot(); s.version != "v4" || len(s.problems) > 0 {
		t.Errorf("served version %s, problems %v", s.version, s.problems)
	}
}

// assertClean checks the link points at the newest of n complete
// releases and no partial upload, lock or temporary link is left.
func assertClean(t *testing.T, link string, n int) []string {
	t.Helper()
	entries, err := os.ReadDir(link + releasesSuffix)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if !releaseName.MatchString(e.Name()) || !e.IsDir() {
			t.Errorf("left in %s: %s", link+releasesSuffix, e.Name())
			continue
		}
		names = append(names, e.Name())
	}
	if len(names) != n {
		t.Errorf("%d releases %v, want %d", len(names), names, n)
	}
	target, err := os.Readlink(link)
	if err != nil || len(names) == 0 || target != filepath.Base(link)+releasesSuffix+"/"+names[len(names)-1] {
		t.Errorf("link → %q (%v), want the newest of %v", target, err, names)
	}
	siblings, _ := os.ReadDir(filepath.Dir(link))
	for _, e := range siblings {
		if strings.Contains(e.Name(), ".switch-") {
			t.Errorf("temporary link left: %s", e.Name())
		}
	}
	return names
}

func TestLocalRealDirectoryRefused(t *testing.T) {
	o, link := localTargetIn(t)
	if err := os.Mkdir(link, 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(link, "index.html"), []byte("old site"), 0o644)
	o.Source = testSite(t, "v1", nil)
	_, err := Publish(context.Background(), o)
	if err == nil || !strings.Contains(err.Error(), "真实的目录") || !strings.Contains(err.Error(), "mv "+link+" "+link+".bak") {
		t.Fatalf("err = %v", err)
	}
	if data, _ := os.ReadFile(filepath.Join(link, "index.html")); string(data) != "old site" {
		t.Errorf("old site touched")
	}
	if _, err := os.Lstat(link + releasesSuffix); err == nil {
		t.Errorf("releases directory created although nothing was published")
	}
	// After moving it aside as the message says, publishing works.
	if err := os.Rename(link, link+".bak"); err != nil {
		t.Fatal(err)
	}
	if _, err := Publish(context.Background(), o); err != nil {
		t.Fatal(err)
	}
}

func TestLocalCancelLeavesTargetUnchanged(t *testing.T) {
	o, link := localTargetIn(t)
	o.Source = testSite(t, "v1", manyFiles("a", 10))
	res1, err := Publish(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	o.Source = testSite(t, "v2", manyFiles("b", 100))
	o.Workers = 1
	o.Progress = func(p Progress) {
		if p.Files == 10 {
			cancel()
		}
	}
	if _, err := Publish(ctx, o); err == nil || !strings.Contains(err.Error(), "取消") {
		t.Fatalf("err = %v", err)
	}
	if got := assertClean(t, link, 1); got[0] != res1.Release {
		t.Errorf("releases %v", got)
	}
	if s := dirReader(link).snapshot(); s.version != "v1" || len(s.problems) > 0 {
		t.Errorf("after a cancelled publish: version %s problems %v", s.version, s.problems)
	}
}

func TestLock(t *testing.T) {
	o, link := localTargetIn(t)
	o.Source = testSite(t, "v1", nil)
	lock := filepath.Join(link+releasesSuffix, lockName)
	if err := os.MkdirAll(lock, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := Publish(context.Background(), o); err == nil || !strings.Contains(err.Error(), "另一个发布正在进行") {
		t.Fatalf("fresh lock: err = %v", err)
	}
	old := time.Now().Add(-2 * LockStale)
	os.Chtimes(lock, old, old)
	var log strings.Builder
	o.Log = &log
	if _, err := Publish(context.Background(), o); err != nil {
		t.Fatalf("stale lock: %v", err)
	}
	if !strings.Contains(log.String(), "已清除") {
		t.Errorf("no warning about the stale lock: %q", log.String())
	}
	if _, err := os.Stat(lock); err == nil {
		t.Errorf("lock left behind")
	}
}

func TestLeftoverPartialRemoved(t *testing.T) {
	o, link := localTargetIn(t)
	o.Source = testSite(t, "v1", nil)
	partial := filepath.Join(link+releasesSuffix, "20200101-000000"+partialSuffix)
	os.MkdirAll(filepath.Join(partial, "sub"), 0o755)
	os.WriteFile(filepath.Join(partial, "sub", "x.html"), []byte("x"), 0o644)
	if _, err := Publish(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	assertClean(t, link, 1)
}

func TestSourceChecked(t *testing.T) {
	o, _ := localTargetIn(t)
	o.Source = t.TempDir()
	if _, err := Publish(context.Background(), o); err == nil || !strings.Contains(err.Error(), "index.html") || !strings.Contains(err.Error(), "opsbook site build") {
		t.Errorf("empty source: %v", err)
	}
	o.Source = filepath.Join(o.Source, "missing")
	if _, err := Publish(context.Background(), o); err == nil || !strings.Contains(err.Error(), "不存在") {
		t.Errorf("missing source: %v", err)
	}
	o.Source = testSite(t, "v1", nil)
	o.Keep = -1
	if _, err := Publish(context.Background(), o); err == nil || !strings.Contains(err.Error(), "--keep") {
		t.Errorf("keep -1: %v", err)
	}
	o.Keep = 1
	o.Target.Path = "/nonexistent-opsbook-dir/www/site"
	if _, err := Publish(context.Background(), o); err == nil || !strings.Contains(err.Error(), "上级目录") {
		t.Errorf("missing parent: %v", err)
	}
}

func TestReleaseOrder(t *testing.T) {
	names := []string{"20261123-103000-10", "20261123-103001", "20261123-103000", "20261123-103000-2"}
	want := []string{"20261123-103000", "20261123-103000-2", "20261123-103000-10", "20261123-103001"}
	slices.SortFunc(names, compareReleases)
	if strings.Join(names, " ") != strings.Join(want, " ") {
		t.Errorf("got %v", names)
	}
}

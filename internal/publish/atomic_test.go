package publish

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// atomicSwitch publishes site v1, then site v2 while a reader keeps taking
// snapshots of the site through the link. It proves the switch atomic:
//
//   - the reader is made to take snapshots while v2 is half uploaded (the
//     Progress hook waits for them), and the releases directory then holds
//     the partial v2 upload — so the reader really polled during the upload;
//   - every snapshot whose link did not change while it was taken (a web
//     server resolving each request through the link at one moment) must
//     be a complete, consistent site: the manifest's version in every file,
//     every file present and whole (TestReaderDetectsInPlaceUpdate shows
//     the same reader catches a site updated in place);
//   - snapshots before the switch are all v1, after it all v2, and every
//     file read in any snapshot is complete (never truncated).
func atomicSwitch(t *testing.T, o Options, r siteReader, list func(string) ([]fs.FileInfo, error)) {
	t.Helper()
	v1 := testSite(t, "v1", manyFiles("a", 120))
	v2files := manyFiles("b", 180)
	for k, n := range manyFiles("a", 60) { // half of v1's names again, changed
		v2files[k] = n + 17
	}
	v2 := testSite(t, "v2", v2files)

	o.Source = v1
	res1, err := Publish(context.Background(), o)
	if err != nil {
		t.Fatalf("first publish: %v", err)
	}
	if s := r.snapshot(); len(s.problems) > 0 || s.version != "v1" {
		t.Fatalf("after the first publish: version %q, problems %v", s.version, s.problems)
	}

	var (
		mu        sync.Mutex
		snaps     []snapshot
		switched  bool // set once Publish returned
		beforeEnd []snapshot
	)
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			default:
			}
			s := r.snapshot()
			mu.Lock()
			snaps = append(snaps, s)
			if !switched {
				beforeEnd = append(beforeEnd, s)
			}
			mu.Unlock()
		}
	}()
	count := func() int { mu.Lock(); defer mu.Unlock(); return len(snaps) }
	// waitFor may run on an upload goroutine: it reports with Errorf.
	waitFor := func(what string, n int) bool {
		deadline := time.Now().Add(30 * time.Second)
		for count() < n {
			if time.Now().After(deadline) {
				t.Errorf("reader took no snapshot %s within 30 s", what)
				return false
			}
			time.Sleep(time.Millisecond)
		}
		return true
	}

	o.Source = v2
	var midUpload []snapshot
	var partialSeen bool
	o.Progress = func(p Progress) {
		if p.Files != p.TotalFiles/2 {
			return
		}
		// Half uploaded: let the reader take three more full snapshots.
		from := count()
		if !waitFor("during the upload", from+3) {
			return
		}
		mu.Lock()
		midUpload = append(midUpload, snaps[from:]...)
		mu.Unlock()
		infos, err := list(o.Target.Path + releasesSuffix)
		if err != nil {
			t.Errorf("listing releases during the upload: %v", err)
		}
		for _, fi := range infos {
			partialSeen = partialSeen || strings.HasSuffix(fi.Name(), partialSuffix)
		}
	}
	res2, err := Publish(context.Background(), o)
	mu.Lock()
	switched = true
	from := len(snaps)
	mu.Unlock()
	if err != nil {
		close(stop)
		<-done
		t.Fatalf("second publish: %v", err)
	}
	ok := waitFor("after the switch", from+3)
	close(stop)
	<-done
	if !ok {
		t.FailNow()
	}

	if len(midUpload) < 3 || !partialSeen {
		t.Fatalf("reader did not overlap the upload: %d snapshots mid-upload, partial release seen %v", len(midUpload), partialSeen)
	}
	for _, s := range midUpload {
		if s.version != "v1" || !s.stable() || len(s.problems) > 0 {
			t.Errorf("mid-upload snapshot: version %q link %q→%q problems %v", s.version, s.linkBefore, s.linkAfter, s.problems)
		}
	}
	stable, versions := 0, map[string]int{}
	for i, s := range snaps {
		for _, p := range s.problems {
			if strings.Contains(p, "incomplete") || strings.Contains(p, "bad header") {
				t.Errorf("snapshot %d read a partial file: %s", i, p)
			}
		}
		if !s.stable() {
			continue // the switch happened while this snapshot was taken
		}
		stable++
		versions[s.version]++
		if len(s.problems) > 0 {
			t.Errorf("snapshot %d (link %s, version %s) saw an inconsistent site: %v", i, s.linkBefore, s.version, s.problems[:min(3, len(s.problems))])
		}
		want := "v1"
		if strings.HasSuffix(s.linkBefore, res2.Release) {
			want = "v2"
		}
		if s.version != want {
			t.Errorf("snapshot %d: link %s but version %s", i, s.linkBefore, s.version)
		}
	}
	for _, s := range snaps[from:] {
		if s.stable() && s.version != "v2" {
			t.Errorf("snapshot after Publish returned shows %s", s.version)
		}
	}
	t.Logf("%d snapshots (%d stable: %v; %d mid-upload, %d before the switch returned)", len(snaps), stable, versions, len(midUpload), len(beforeEnd))

	// The old site's own files are gone from the link, not merged.
	if _, err := r.read("a/d6/page-118.html"); err == nil {
		t.Errorf("a file only v1 had is still served after the switch")
	}
	if res2.Previous != path.Base(o.Target.Path)+releasesSuffix+"/"+res1.Release {
		t.Errorf("Previous = %q, want the first release %q", res2.Previous, res1.Release)
	}
	if res2.Files != 1+180+60+1 { // index.html, b/*, a/* changed, manifest
		t.Errorf("Files = %d", res2.Files)
	}
}

// TestReaderDetectsInPlaceUpdate shows the snapshot check is sharp: a site
// updated in place (the new manifest and half the new files written over
// the old site) is reported even though the link never changed.
func TestReaderDetectsInPlaceUpdate(t *testing.T) {
	v1 := testSite(t, "v1", manyFiles("a", 40))
	v2 := testSite(t, "v2", manyFiles("a", 40)) // same names, new content
	r := dirReader(v1)
	if s := r.snapshot(); len(s.problems) > 0 {
		t.Fatalf("complete site reported: %v", s.problems)
	}
	copyFile := func(rel string) {
		data, err := os.ReadFile(filepath.Join(v2, rel))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(v1, rel), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	copyFile("a/d3/page-003.html") // one new file, old manifest
	if s := r.snapshot(); len(s.problems) != 1 || !s.stable() {
		t.Errorf("one replaced file: problems %v", s.problems)
	}
	copyFile(manifestName) // new manifest, most files old
	if s := r.snapshot(); len(s.problems) < 30 || s.version != "v2" {
		t.Errorf("new manifest over old files: %d problems", len(s.problems))
	}
	// A truncated file is reported as such.
	if err := os.Truncate(filepath.Join(v1, "a/d0/page-000.html"), 100); err != nil {
		t.Fatal(err)
	}
	s := r.snapshot()
	if !slices.ContainsFunc(s.problems, func(p string) bool { return strings.Contains(p, "incomplete") }) {
		t.Errorf("truncated file not reported: %v", s.problems)
	}
	// A missing file too.
	os.Remove(filepath.Join(v1, "a/d1/page-001.html"))
	s = r.snapshot()
	if !slices.ContainsFunc(s.problems, func(p string) bool { return strings.Contains(p, "page-001") }) {
		t.Errorf("missing file not reported: %v", s.problems)
	}
}

// dirReader reads a site on the local file system through path p (a link
// or a directory).
func dirReader(p string) siteReader {
	return siteReader{
		read: func(rel string) ([]byte, error) { return os.ReadFile(filepath.Join(p, filepath.FromSlash(rel))) },
		readlink: func() (string, error) {
			s, err := os.Readlink(p)
			if errors.Is(err, os.ErrInvalid) || err != nil && !errors.Is(err, os.ErrNotExist) {
				return "(directory)", nil // not a link: the in-place case
			}
			return s, err
		},
	}
}

package publish

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// A test site is self-describing: manifest.txt names its version and every
// file with its SHA-256, and every file starts with a header naming its
// version, path and size. A reader can thus tell a complete site of one
// version from a mix, a missing file or a truncated one.

const manifestName = "manifest.txt"

// testSite writes a site of version v to a new directory: index.html,
// manifest.txt and the given files (path → size) under nested directories.
func testSite(t *testing.T, v string, files map[string]int) string {
	t.Helper()
	dir := t.TempDir()
	all := map[string]int{"index.html": 300}
	for k, n := range files {
		all[k] = n
	}
	var names []string
	for k := range all {
		names = append(names, k)
	}
	sort.Strings(names)
	var m strings.Builder
	fmt.Fprintf(&m, "version %s\n", v)
	for _, name := range names {
		data := fileContent(v, name, all[name])
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(data)
		fmt.Fprintf(&m, "%s %s\n", name, hex.EncodeToString(sum[:]))
	}
	if err := os.WriteFile(filepath.Join(dir, manifestName), []byte(m.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func fileContent(v, name string, size int) []byte {
	head := fmt.Sprintf("opsbook-publish-test version=%s name=%s size=%d\n", v, name, size)
	b := []byte(head)
	r := rand.New(rand.NewPCG(uint64(len(name)), uint64(size)))
	for len(b) < size {
		b = append(b, byte('a'+r.IntN(26)))
	}
	return b
}

// siteFiles makes n files of varied sizes (up to 48 KB) in nested directories.
func manyFiles(prefix string, n int) map[string]int {
	m := map[string]int{}
	for i := range n {
		name := fmt.Sprintf("%s/d%d/page-%03d.html", prefix, i%7, i)
		m[name] = 200 + (i*7919)%(48<<10)
	}
	return m
}

// snapshot is one pass of a reader over the site behind the link.
type snapshot struct {
	linkBefore, linkAfter string
	version               string
	problems              []string // anything but a complete, consistent site
}

func (s snapshot) stable() bool { return s.linkBefore == s.linkAfter }

// siteReader reads the published site through its link, as a web server
// would: each name is resolved through the link when it is opened.
type siteReader struct {
	read     func(rel string) ([]byte, error)
	readlink func() (string, error)
}

// snapshot reads the link, the manifest, every file it lists, and the
// link again.
func (r siteReader) snapshot() snapshot {
	var s snapshot
	var err error
	if s.linkBefore, err = r.readlink(); err != nil {
		s.problems = append(s.problems, "readlink: "+err.Error())
	}
	m, err := r.read(manifestName)
	if err != nil {
		s.problems = append(s.problems, "manifest: "+err.Error())
	} else {
		s.version, s.problems = checkManifest(m, r.read)
	}
	if s.linkAfter, err = r.readlink(); err != nil {
		s.problems = append(s.problems, "readlink: "+err.Error())
	}
	return s
}

// checkManifest reads every file the manifest lists and reports each one
// that is missing, truncated, of another version or otherwise different.
func checkManifest(m []byte, read func(string) ([]byte, error)) (version string, problems []string) {
	lines := strings.Split(strings.TrimSuffix(string(m), "\n"), "\n")
	version, ok := strings.CutPrefix(lines[0], "version ")
	if !ok {
		return "", []string{"manifest without version: " + strconv.Quote(lines[0])}
	}
	for _, line := range lines[1:] {
		name, sum, _ := strings.Cut(line, " ")
		data, err := read(name)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s (manifest %s): %v", name, version, err))
			continue
		}
		if p := checkFile(name, data); p != "" {
			problems = append(problems, p)
			continue
		}
		got := sha256.Sum256(data)
		if hex.EncodeToString(got[:]) != sum {
			head, _, _ := bytes.Cut(data, []byte("\n"))
			problems = append(problems, fmt.Sprintf("%s: not the file of manifest %s (%s)", name, version, head))
		}
	}
	return version, problems
}

// checkFile reports a file that is not complete by its own header.
func checkFile(name string, data []byte) string {
	head, _, _ := bytes.Cut(data, []byte("\n"))
	var v, n string
	var size int
	if _, err := fmt.Sscanf(string(head), "opsbook-publish-test version=%s name=%s size=%d", &v, &n, &size); err != nil {
		return fmt.Sprintf("%s: bad header %q", name, head)
	}
	if n != name || size != len(data) {
		return fmt.Sprintf("%s: incomplete or misplaced (header %q, %d bytes)", name, head, len(data))
	}
	return ""
}

package archive

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"
)

var modTime = time.Date(2026, 11, 3, 9, 30, 0, 0, time.UTC)

type zipMember struct {
	name string
	mode fs.FileMode
	data string
	// declared, when set, is the uncompressed size written in the headers
	// regardless of data (a crafted bomb).
	declared uint64
}

func makeZip(t *testing.T, members ...zipMember) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, m := range members {
		h := &zip.FileHeader{Name: m.name, Method: zip.Deflate, Modified: modTime}
		if m.mode != 0 {
			h.SetMode(m.mode)
		}
		if m.declared > 0 {
			var comp bytes.Buffer
			fw, _ := flate.NewWriter(&comp, flate.BestCompression)
			fw.Write([]byte(m.data))
			fw.Close()
			h.CompressedSize64 = uint64(comp.Len())
			h.UncompressedSize64 = m.declared
			rw, err := w.CreateRaw(h)
			if err != nil {
				t.Fatal(err)
			}
			rw.Write(comp.Bytes())
			continue
		}
		fw, err := w.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write([]byte(m.data))
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

type tarMember struct {
	h    tar.Header
	data string
}

func makeTar(t *testing.T, gz bool, members ...tarMember) []byte {
	t.Helper()
	var buf bytes.Buffer
	var tw *tar.Writer
	var zw *gzip.Writer
	if gz {
		zw = gzip.NewWriter(&buf)
		tw = tar.NewWriter(zw)
	} else {
		tw = tar.NewWriter(&buf)
	}
	for _, m := range members {
		h := m.h
		if h.Mode == 0 {
			h.Mode = 0o644
		}
		if h.ModTime.IsZero() {
			h.ModTime = modTime
		}
		if h.Typeflag == tar.TypeReg || h.Typeflag == 0 {
			h.Size = int64(len(m.data))
		}
		if err := tw.WriteHeader(&h); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(m.data))
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if zw != nil {
		zw.Close()
	}
	return buf.Bytes()
}

// list writes data to a file and lists it, checking that nothing is written
// beside it.
func list(t *testing.T, data []byte, lim Limits) *Listing {
	t.Helper()
	dir := t.TempDir()
	p := filepath.Join(dir, "a.bin")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	l, err := List(p, lim)
	if err != nil {
		t.Fatal(err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("List wrote files: %v", ents)
	}
	return l
}

func entry(t *testing.T, l *Listing, name string) Entry {
	t.Helper()
	i := slices.IndexFunc(l.Entries, func(e Entry) bool { return e.Name == name })
	if i < 0 {
		var names []string
		for _, e := range l.Entries {
			names = append(names, e.Name)
		}
		t.Fatalf("no entry %q in %q", name, names)
	}
	return l.Entries[i]
}

func hasProblem(l *Listing, substr ...string) bool {
	return slices.ContainsFunc(l.Problems, func(p string) bool {
		for _, s := range substr {
			if !strings.Contains(p, s) {
				return false
			}
		}
		return true
	})
}

func TestZipSlipAndUnsafeEntries(t *testing.T) {
	data := makeZip(t,
		zipMember{name: "docs/readme.txt", data: "ok"},
		zipMember{name: "docs/", mode: fs.ModeDir | 0o755},
		zipMember{name: "../../etc/cron.d/evil", data: "x"},
		zipMember{name: "/etc/passwd", data: "x"},
		zipMember{name: `..\..\windows\system32\evil.dll`, data: "x"},
		zipMember{name: "C:/boot.ini", data: "x"},
		zipMember{name: "nul\x00.txt", data: "x"},
		zipMember{name: "link", mode: fs.ModeSymlink | 0o777, data: "/etc/shadow"},
		zipMember{name: "tty", mode: fs.ModeDevice | fs.ModeCharDevice | 0o600},
		zipMember{name: "pipe", mode: fs.ModeNamedPipe | 0o600},
	)
	l := list(t, data, Limits{})
	if l.Format != "zip" || len(l.Entries) != 10 || l.Truncated {
		t.Fatalf("format %s, %d entries, truncated %v", l.Format, len(l.Entries), l.Truncated)
	}
	ok := entry(t, l, "docs/readme.txt")
	if len(ok.Unsafe) != 0 || ok.Size != 2 || ok.Type != TypeFile || !ok.Modified.Equal(modTime) {
		t.Errorf("plain entry %+v", ok)
	}
	if d := entry(t, l, "docs/"); d.Type != TypeDir || len(d.Unsafe) != 0 {
		t.Errorf("dir %+v", d)
	}
	for name, want := range map[string]string{
		"../../etc/cron.d/evil":           "zip slip",
		"/etc/passwd":                     "绝对路径",
		`..\..\windows\system32\evil.dll`: "反斜杠",
		"C:/boot.ini":                     "绝对路径",
		`nul\x00.txt`:                     "NUL",
		"link":                            "符号链接（指向 /etc/shadow）",
		"tty":                             "设备文件",
		"pipe":                            "命名管道",
	} {
		e := entry(t, l, name)
		if !slices.ContainsFunc(e.Unsafe, func(u string) bool { return strings.Contains(u, want) }) {
			t.Errorf("%s: unsafe %q, want %q", name, e.Unsafe, want)
		}
		if !hasProblem(l, "条目 "+name+"：", want) {
			t.Errorf("%s: no problem mentioning %q in %q", name, want, l.Problems)
		}
	}
	if e := entry(t, l, `..\..\windows\system32\evil.dll`); !slices.ContainsFunc(e.Unsafe, func(u string) bool { return strings.Contains(u, "zip slip") }) {
		t.Errorf("backslash traversal not seen as ..: %q", e.Unsafe)
	}
}

func TestTarSymlinksAndSpecialEntries(t *testing.T) {
	for _, gz := range []bool{false, true} {
		data := makeTar(t, gz,
			tarMember{h: tar.Header{Name: "conf/app.yaml", Typeflag: tar.TypeReg}, data: "a: 1\n"},
			tarMember{h: tar.Header{Name: "conf/", Typeflag: tar.TypeDir, Mode: 0o755}},
			tarMember{h: tar.Header{Name: "conf/passwd", Typeflag: tar.TypeSymlink, Linkname: "../../../../etc/passwd"}},
			tarMember{h: tar.Header{Name: "conf/hard", Typeflag: tar.TypeLink, Linkname: "/etc/shadow"}},
			tarMember{h: tar.Header{Name: "dev/sda", Typeflag: tar.TypeBlock, Devmajor: 8}},
			tarMember{h: tar.Header{Name: "fifo", Typeflag: tar.TypeFifo}},
			tarMember{h: tar.Header{Name: "../escape.sh", Typeflag: tar.TypeReg}, data: "rm -rf /"},
			tarMember{h: tar.Header{Name: "/root/.ssh/authorized_keys", Typeflag: tar.TypeReg}, data: "ssh-ed25519"},
		)
		l := list(t, data, Limits{})
		want := map[bool]string{false: "tar", true: "tar.gz"}[gz]
		if l.Format != want || len(l.Entries) != 8 {
			t.Fatalf("format %s (want %s), %d entries: %+v", l.Format, want, len(l.Entries), l.Entries)
		}
		if e := entry(t, l, "conf/app.yaml"); len(e.Unsafe) != 0 || e.Size != 5 {
			t.Errorf("%s: plain entry %+v", want, e)
		}
		if e := entry(t, l, "conf/passwd"); e.Type != TypeSymlink || e.Link != "../../../../etc/passwd" || !hasProblem(l, "conf/passwd", "符号链接") {
			t.Errorf("%s: symlink %+v", want, e)
		}
		if e := entry(t, l, "conf/hard"); e.Type != TypeHardlink || !hasProblem(l, "conf/hard", "硬链接") {
			t.Errorf("%s: hardlink %+v", want, e)
		}
		if !hasProblem(l, "dev/sda", "设备文件") || !hasProblem(l, "fifo", "命名管道") || !hasProblem(l, "../escape.sh", "zip slip") || !hasProblem(l, "/root/.ssh", "绝对路径") {
			t.Errorf("%s: problems %q", want, l.Problems)
		}
	}
}

// A zip whose headers declare 1 GiB per entry for a few bytes of deflate
// data: only the directory is read, in microseconds, and the ratio and the
// total size are flagged.
func TestSparseDeclaredZipBomb(t *testing.T) {
	data := makeZip(t,
		zipMember{name: "zeros-1.bin", data: strings.Repeat("\x00", 1000), declared: 1 << 30},
		zipMember{name: "zeros-2.bin", data: strings.Repeat("\x00", 1000), declared: 1 << 30},
		zipMember{name: "big-zip64.bin", data: "x", declared: 5 << 30}, // past 4 GiB: zip64 extra fields
	)
	if len(data) > 4096 {
		t.Fatalf("bomb is %d bytes", len(data))
	}
	start := time.Now()
	l := list(t, data, Limits{})
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("listing took %v", d)
	}
	if e := entry(t, l, "zeros-1.bin"); e.Size != 1<<30 || !slices.ContainsFunc(e.Unsafe, func(u string) bool { return strings.Contains(u, "压缩比") }) {
		t.Errorf("entry %+v", e)
	}
	if e := entry(t, l, "big-zip64.bin"); e.Size != 5<<30 {
		t.Errorf("zip64 size %d", e.Size)
	}
	if l.TotalSize != 7<<30 || !hasProblem(l, "声明的解压后总大小超过上限 1 GB") || !hasProblem(l, "整体压缩比") {
		t.Errorf("total %d, problems %q", l.TotalSize, l.Problems)
	}
}

func TestHundredThousandEntries(t *testing.T) {
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for i := range 100_000 {
		if _, err := w.CreateHeader(&zip.FileHeader{Name: fmt.Sprintf("f/%06d", i), Method: zip.Store}); err != nil {
			t.Fatal(err)
		}
	}
	w.Close()
	l := list(t, buf.Bytes(), Limits{})
	if !l.Truncated || len(l.Entries) != DefaultLimits.MaxEntries || l.Declared != 100_000 {
		t.Fatalf("truncated %v, %d entries, declared %d", l.Truncated, len(l.Entries), l.Declared)
	}
	if !hasProblem(l, "条目过多", "100000", "10000") {
		t.Errorf("problems %q", l.Problems)
	}
	// The same for a tar, with a smaller limit.
	var members []tarMember
	for i := range 3000 {
		members = append(members, tarMember{h: tar.Header{Name: fmt.Sprintf("f/%05d", i), Typeflag: tar.TypeReg}})
	}
	l = list(t, makeTar(t, true, members...), Limits{MaxEntries: 500})
	if !l.Truncated || len(l.Entries) != 500 || !hasProblem(l, "条目过多") {
		t.Errorf("tar: truncated %v, %d entries, %q", l.Truncated, len(l.Entries), l.Problems)
	}
}

// A tar.gz is decompressed to be listed: a stream of zeros is stopped at the
// ratio limit instead of being inflated to the end.
func TestTarGzBombStopsDecompressing(t *testing.T) {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	tw := tar.NewWriter(zw)
	const size = 64 << 20
	tw.WriteHeader(&tar.Header{Name: "zeros", Typeflag: tar.TypeReg, Size: size, Mode: 0o644})
	zero := make([]byte, 1<<20)
	for range size >> 20 {
		tw.Write(zero)
	}
	tw.WriteHeader(&tar.Header{Name: "after", Typeflag: tar.TypeReg, Mode: 0o644})
	tw.Close()
	zw.Close()
	l := list(t, buf.Bytes(), Limits{})
	if !l.Truncated || !hasProblem(l, "停止读取", "压缩炸弹") {
		t.Errorf("truncated %v, problems %q", l.Truncated, l.Problems)
	}
	if slices.ContainsFunc(l.Entries, func(e Entry) bool { return e.Name == "after" }) {
		t.Error("listing went on past the budget")
	}
	// With a generous ratio the same archive lists completely.
	l = list(t, buf.Bytes(), Limits{MaxRatio: 1e6})
	if l.Truncated || len(l.Entries) != 2 {
		t.Errorf("generous limits: truncated %v, %d entries, %q", l.Truncated, len(l.Entries), l.Problems)
	}
}

func TestNestedArchivesToDepthOne(t *testing.T) {
	innermost := makeZip(t, zipMember{name: "deep.txt", data: "deep"})
	inner := makeZip(t, zipMember{name: "inner.txt", data: "inner"}, zipMember{name: "../slip", data: "x"}, zipMember{name: "level2.zip", data: string(innermost)})
	innerTar := makeTar(t, true, tarMember{h: tar.Header{Name: "t.txt", Typeflag: tar.TypeReg}, data: "t"})
	outer := makeZip(t, zipMember{name: "outer.txt", data: "outer"}, zipMember{name: "level1.zip", data: string(inner)}, zipMember{name: "logs.tar.gz", data: string(innerTar)})
	l := list(t, outer, Limits{})
	n := entry(t, l, "level1.zip").Nested
	if n == nil || len(n.Entries) != 3 {
		t.Fatalf("nested listing %+v", n)
	}
	if deep := entry(t, n, "level2.zip"); deep.Nested != nil {
		t.Error("an archive two levels down was opened")
	}
	if !hasProblem(l, "level1.zip 内 条目 ../slip") || !hasProblem(l, "level2.zip：嵌套的压缩包超过嵌套深度 1") {
		t.Errorf("problems %q", l.Problems)
	}
	if tg := entry(t, l, "logs.tar.gz").Nested; tg == nil || tg.Format != "tar.gz" || len(tg.Entries) != 1 {
		t.Errorf("nested tar.gz %+v", tg)
	}
	// MaxDepth -1: nothing nested is opened.
	l = list(t, outer, Limits{MaxDepth: -1})
	if entry(t, l, "level1.zip").Nested != nil {
		t.Error("MaxDepth -1 opened a nested archive")
	}
}

func TestNamesInGB18030(t *testing.T) {
	gbk, _ := simplifiedchinese.GB18030.NewEncoder().String("运维手册/巡检记录.xlsx")
	data := makeZip(t, zipMember{name: gbk, data: "x"}, zipMember{name: "已是UTF-8.txt", data: "y"})
	l := list(t, data, Limits{})
	entry(t, l, "运维手册/巡检记录.xlsx")
	entry(t, l, "已是UTF-8.txt")
	if len(l.Problems) != 0 {
		t.Errorf("problems %q", l.Problems)
	}
}

func TestNotAnArchive(t *testing.T) {
	dir := t.TempDir()
	for name, data := range map[string][]byte{
		"text.txt":  []byte("hello"),
		"empty":     nil,
		"pdf.pdf":   []byte("%PDF-1.4\n"),
		"trunc.zip": []byte("PK\x03\x04 not really"),
		"gz.gz":     gzipOf(t, "just text, not a tar"),
	} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, data, 0o644)
		if l, err := List(p, Limits{}); err == nil {
			t.Errorf("%s: listed %+v", name, l)
		} else if name != "trunc.zip" && !errors.Is(err, ErrFormat) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := List(dir, Limits{}); err == nil {
		t.Error("a directory was listed")
	}
}

func gzipOf(t *testing.T, s string) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte(s))
	zw.Close()
	return buf.Bytes()
}

// Fuzz-ish robustness: every prefix of a valid zip is refused or listed,
// never a panic.
func TestTruncatedZips(t *testing.T) {
	data := makeZip(t, zipMember{name: "a.txt", data: "aaaa"}, zipMember{name: "b/c.txt", data: strings.Repeat("c", 300)})
	for n := range len(data) {
		Read(bytes.NewReader(data[:n]), int64(n), Limits{})
	}
	corrupt := bytes.Clone(data)
	for i := range corrupt {
		c := bytes.Clone(corrupt)
		c[i] ^= 0xff
		Read(bytes.NewReader(c), int64(len(c)), Limits{})
	}
}

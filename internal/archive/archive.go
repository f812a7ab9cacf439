// Package archive lists the entries of a zip, tar or tar.gz attachment —
// name, size, modification time — without extracting anything: nothing is
// written to disk, and file contents are only read to follow a symlink's
// target or to list an archive nested inside (in memory, bounded).
//
// Entries that would be dangerous to extract are flagged: names with ".."
// (zip slip), absolute paths, backslashes, NUL or control characters,
// symlinks and hardlinks, device files and pipes. Archive bombs are bounded
// by Limits: the number of entries listed, the total declared uncompressed
// size, the compression ratio (per entry and overall), the bytes a tar.gz
// may decompress to, and the depth of nested archives. Every finding is a
// Chinese sentence in Listing.Problems; the listing stops early (Truncated)
// instead of doing unbounded work.
//
// The zip central directory is read by this package's own parser (zip64
// included), so a directory declaring millions of entries costs no more than
// the entries listed, and names not flagged as UTF-8 are decoded as GB18030
// (the usual encoding of zips made on Chinese Windows).
package archive

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Limits bound the work List does on one archive. Zero fields take the
// defaults (DefaultLimits).
type Limits struct {
	// MaxEntries is how many entries are listed, nested ones included;
	// the rest are counted, not listed (Truncated).
	MaxEntries int
	// MaxTotalSize caps the sum of the entries' declared uncompressed
	// sizes, and the bytes a tar.gz is decompressed to while listing it.
	MaxTotalSize int64
	// MaxRatio is the largest acceptable ratio of uncompressed to
	// compressed size, for an entry and for the whole archive; entries
	// smaller than 1 MiB are not judged by ratio.
	MaxRatio float64
	// MaxDepth is how many levels of archives inside the archive are
	// opened and listed: 1 lists an archive inside it but not the archives
	// inside that one. A negative value opens none.
	MaxDepth int
	// MaxNestedSize caps the uncompressed size of a nested archive read
	// into memory to be listed.
	MaxNestedSize int64
}

// DefaultLimits are the limits the site uses.
var DefaultLimits = Limits{MaxEntries: 10000, MaxTotalSize: 1 << 30, MaxRatio: 100, MaxDepth: 1, MaxNestedSize: 32 << 20}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits
	if l.MaxEntries > 0 {
		d.MaxEntries = l.MaxEntries
	}
	if l.MaxTotalSize > 0 {
		d.MaxTotalSize = l.MaxTotalSize
	}
	if l.MaxRatio > 0 {
		d.MaxRatio = l.MaxRatio
	}
	if l.MaxDepth != 0 {
		d.MaxDepth = max(l.MaxDepth, 0)
	}
	if l.MaxNestedSize > 0 {
		d.MaxNestedSize = l.MaxNestedSize
	}
	return d
}

// ratioFloor is the size below which an entry's compression ratio is not
// judged: small runs of zeros compress a thousandfold and harm nobody.
const ratioFloor = 1 << 20

// Entry types.
const (
	TypeFile     = "file"
	TypeDir      = "dir"
	TypeSymlink  = "symlink"
	TypeHardlink = "hardlink"
	TypeDevice   = "device"
	TypeFIFO     = "fifo"
	TypeOther    = "other"
)

// Entry is one member of an archive.
type Entry struct {
	// Name is the entry's path as stored, decoded to UTF-8, with control
	// characters (NUL included) escaped as \xNN so it can be shown.
	Name string
	// Size is the declared uncompressed size; Compressed the stored size
	// (zip; -1 for tar, which stores entries uncompressed).
	Size, Compressed int64
	Modified         time.Time
	Type             string
	Link             string // a symlink's or hardlink's target, when known
	Encrypted        bool
	// Unsafe lists why extracting the entry would be dangerous (Chinese).
	Unsafe []string
	// Nested is the listing of an archive inside this one, when it was
	// opened (see Limits.MaxDepth).
	Nested *Listing
}

// Listing is what List found.
type Listing struct {
	Format  string // "zip", "tar" or "tar.gz"
	Entries []Entry
	// Problems are the unsafe entries and exceeded limits, in Chinese,
	// nested archives' problems included.
	Problems []string
	// Truncated is true when not every entry was listed.
	Truncated bool
	// Declared is the number of entries the archive declares (zip), or
	// the number seen (tar); TotalSize the sum of their declared sizes.
	Declared  int64
	TotalSize int64
}

// ErrFormat means the file is not an archive this package reads.
var ErrFormat = errors.New("不是 zip、tar 或 tar.gz 压缩包")

// List lists the archive at path. The error is for a file that cannot be
// read or is not a readable archive; what is wrong inside an archive is in
// the listing's Problems.
func List(path string, lim Limits) (*Listing, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s 不是普通文件", path)
	}
	return Read(f, st.Size(), lim)
}

// Read lists the archive in r, size bytes long.
func Read(r io.ReaderAt, size int64, lim Limits) (*Listing, error) {
	lim = lim.withDefaults()
	b := &budget{lim: lim}
	l, err := b.read(r, size, 0)
	if err != nil {
		return nil, err
	}
	return l, nil
}

// budget is shared by an archive and the archives nested in it.
type budget struct {
	lim     Limits
	entries int
	total   int64
	overall bool // the total size problem was reported
}

func (b *budget) read(r io.ReaderAt, size int64, depth int) (*Listing, error) {
	var head [512]byte
	n, _ := r.ReadAt(head[:], 0)
	switch {
	case n >= 4 && (bytes.Equal(head[:4], []byte("PK\x03\x04")) || bytes.Equal(head[:4], []byte("PK\x05\x06"))):
		return b.zip(r, size, depth)
	case n >= 2 && head[0] == 0x1f && head[1] == 0x8b:
		return b.tarGz(r, size, depth)
	case n == 512 && isTarHeader(head[:]):
		return b.tar(io.NewSectionReader(r, 0, size), size, depth, "tar", nil)
	}
	return nil, ErrFormat
}

// isTarHeader reports whether block is a tar header: a ustar magic, or a
// valid header checksum (old v7 archives have no magic).
func isTarHeader(block []byte) bool {
	if string(block[257:262]) == "ustar" {
		return true
	}
	field := strings.Trim(string(block[148:156]), " \x00")
	var want int64
	if _, err := fmt.Sscanf(field, "%o", &want); err != nil || field == "" {
		return false
	}
	var sum int64
	for i, c := range block {
		if i >= 148 && i < 156 {
			c = ' '
		}
		sum += int64(c)
	}
	return sum == want
}

// add appends an entry with the raw stored name, judging it, unless the
// entry budget is spent.
func (b *budget) add(l *Listing, e Entry, raw string) bool {
	if b.entries >= b.lim.MaxEntries {
		if !l.Truncated {
			l.Truncated = true
			l.Problems = append(l.Problems, fmt.Sprintf("条目过多：超过上限 %d 个，其余条目未列出（可能是压缩炸弹）", b.lim.MaxEntries))
		}
		return false
	}
	b.entries++
	e.Name = escape(raw)
	e.Unsafe = append(e.Unsafe, unsafeName(raw)...)
	switch e.Type {
	case TypeSymlink:
		e.Unsafe = append(e.Unsafe, "符号链接"+target(e.Link)+"：解压后可能指向目标目录之外")
	case TypeHardlink:
		e.Unsafe = append(e.Unsafe, "硬链接"+target(e.Link)+"：解压时可能覆盖或暴露其他文件")
	case TypeDevice:
		e.Unsafe = append(e.Unsafe, "设备文件")
	case TypeFIFO:
		e.Unsafe = append(e.Unsafe, "命名管道")
	}
	if e.Compressed >= 0 && e.Size >= ratioFloor {
		if e.Compressed == 0 || float64(e.Size)/float64(e.Compressed) > b.lim.MaxRatio {
			e.Unsafe = append(e.Unsafe, fmt.Sprintf("压缩比 %s 超过上限 %g（声明解压后 %s，压缩后 %s），可能是压缩炸弹",
				ratio(e.Size, e.Compressed), b.lim.MaxRatio, formatSize(e.Size), formatSize(e.Compressed)))
		}
	}
	if e.Type == TypeFile || e.Type == TypeOther {
		l.TotalSize += e.Size
		b.total += e.Size
		if b.total > b.lim.MaxTotalSize && !b.overall {
			b.overall = true
			l.Problems = append(l.Problems, fmt.Sprintf("声明的解压后总大小超过上限 %s（到 %s 时已达 %s），可能是压缩炸弹", formatSize(b.lim.MaxTotalSize), e.Name, formatSize(b.total)))
		}
	}
	for _, u := range e.Unsafe {
		l.Problems = append(l.Problems, fmt.Sprintf("条目 %s：%s", e.Name, u))
	}
	l.Entries = append(l.Entries, e)
	return true
}

func target(link string) string {
	if link == "" {
		return ""
	}
	return "（指向 " + escape(link) + "）"
}

func ratio(size, compressed int64) string {
	if compressed <= 0 {
		return "无穷大"
	}
	return fmt.Sprintf("%.0f", float64(size)/float64(compressed))
}

// unsafeName says why extracting a file of this raw name is unsafe.
func unsafeName(name string) []string {
	if name == "" {
		return []string{"文件名为空"}
	}
	var out []string
	if strings.ContainsRune(name, 0) {
		out = append(out, "文件名含 NUL 字符：解压工具可能截断文件名")
	}
	if strings.ContainsRune(name, '\\') {
		out = append(out, "文件名含反斜杠：在 Windows 上是路径分隔符，可能越出目标目录")
	}
	plain := strings.ReplaceAll(name, "\\", "/")
	if strings.HasPrefix(plain, "/") || (len(plain) >= 2 && plain[1] == ':' && unicode.IsLetter(rune(plain[0]))) {
		out = append(out, "绝对路径：解压时会写到目标目录之外")
	}
	for _, seg := range strings.Split(plain, "/") {
		if seg == ".." {
			out = append(out, "路径含 ..：解压时会越出目标目录（zip slip）")
			break
		}
	}
	if strings.ContainsFunc(name, func(r rune) bool { return r != 0 && unicode.IsControl(r) }) {
		out = append(out, "文件名含控制字符")
	}
	return out
}

// escape makes a stored name showable: invalid UTF-8 bytes and control
// characters become \xNN; a literal backslash stays as it is.
func escape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, w := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && w <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case unicode.IsControl(r):
			if r < 0x100 {
				fmt.Fprintf(&b, `\x%02x`, r)
			} else {
				fmt.Fprintf(&b, `\u%04x`, r)
			}
		default:
			b.WriteString(s[i : i+w])
		}
		i += w
	}
	return b.String()
}

// isArchiveName reports whether a member looks like an archive to open.
func isArchiveName(name string) bool {
	n := strings.ToLower(name)
	for _, ext := range []string{".zip", ".jar", ".war", ".tar", ".tar.gz", ".tgz"} {
		if strings.HasSuffix(n, ext) {
			return true
		}
	}
	return false
}

// nested lists an archive found inside another, read by open into memory,
// when the depth and size limits allow.
func (b *budget) nested(l *Listing, e *Entry, depth int, open func(limit int64) ([]byte, error)) {
	if !isArchiveName(e.Name) || e.Type != TypeFile || e.Encrypted {
		return
	}
	if depth >= b.lim.MaxDepth {
		l.Problems = append(l.Problems, fmt.Sprintf("条目 %s：嵌套的压缩包超过嵌套深度 %d，未展开", e.Name, b.lim.MaxDepth))
		return
	}
	if e.Size > b.lim.MaxNestedSize || b.total > b.lim.MaxTotalSize {
		l.Problems = append(l.Problems, fmt.Sprintf("条目 %s：嵌套的压缩包过大（%s，上限 %s），未展开", e.Name, formatSize(e.Size), formatSize(b.lim.MaxNestedSize)))
		return
	}
	data, err := open(b.lim.MaxNestedSize)
	if err != nil {
		l.Problems = append(l.Problems, fmt.Sprintf("条目 %s：无法读取嵌套的压缩包：%v", e.Name, err))
		return
	}
	inner, err := b.read(bytes.NewReader(data), int64(len(data)), depth+1)
	if err != nil {
		l.Problems = append(l.Problems, fmt.Sprintf("条目 %s：无法列出嵌套的压缩包：%v", e.Name, err))
		return
	}
	e.Nested = inner
	for _, p := range inner.Problems {
		l.Problems = append(l.Problems, e.Name+" 内 "+p)
	}
	if inner.Truncated {
		l.Truncated = true
	}
}

// readAtMost reads r to the end, failing when it has more than limit bytes.
func readAtMost(r io.Reader, limit int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("解压后超过 %s", formatSize(limit))
	}
	return data, nil
}

func formatSize(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	f := float64(n)
	for _, u := range []string{"KB", "MB", "GB", "TB", "PB", "EB"} {
		f /= unit
		if f < unit || u == "EB" {
			return strings.TrimSuffix(fmt.Sprintf("%.1f", f), ".0") + " " + u
		}
	}
	return ""
}

// gzipBudget stops decompressing a tar.gz at the size or ratio limit.
type gzipBudget struct {
	r          io.Reader
	n          int64
	limit      int64
	ratioLimit int64
	hit        string
}

func (g *gzipBudget) Read(p []byte) (int, error) {
	if g.n >= g.limit || g.n >= g.ratioLimit {
		if g.n >= g.ratioLimit {
			g.hit = "ratio"
		} else {
			g.hit = "size"
		}
		return 0, errBudget
	}
	if rest := min(g.limit, g.ratioLimit) - g.n; int64(len(p)) > rest {
		p = p[:rest]
	}
	n, err := g.r.Read(p)
	g.n += int64(n)
	return n, err
}

var errBudget = errors.New("decompression budget spent")

func (b *budget) tarGz(r io.ReaderAt, size int64, depth int) (*Listing, error) {
	zr, err := gzip.NewReader(bufio.NewReader(io.NewSectionReader(r, 0, size)))
	if err != nil {
		return nil, fmt.Errorf("gzip 数据损坏：%w", err)
	}
	// A tar adds a 512-byte header per entry and pads to 512: allow for it.
	g := &gzipBudget{r: zr, limit: b.lim.MaxTotalSize + int64(b.lim.MaxEntries+2)*1024,
		ratioLimit: max(int64(b.lim.MaxRatio*float64(size)), ratioFloor)}
	var head [512]byte
	n, _ := io.ReadFull(g, head[:])
	if n < 512 || !isTarHeader(head[:]) {
		return nil, fmt.Errorf("gzip 压缩的内容不是 tar 归档：%w", ErrFormat)
	}
	return b.tar(io.MultiReader(bytes.NewReader(head[:]), g), size, depth, "tar.gz", g)
}

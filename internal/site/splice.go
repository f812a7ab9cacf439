package site

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/gohugoio/hugo/helpers"
	"github.com/gohugoio/hugo/transform"
	"github.com/gohugoio/hugo/transform/urlreplacers"
	"github.com/spf13/afero"
)

// Parts rendered in Go (a record page's article, a list page's table) do
// not pass through Hugo: the layout prints a marker naming the part, and
// the file system Hugo publishes to puts the part in its place as the page
// is written. Hugo then neither decodes them from front matter nor copies
// and rewrites them; at 100,000 records that was a third of its work.
//
// A part's links are made relative to its page in Go, with the same
// rewriting Hugo applies to the page around it (relativeURLs), so the output
// is what Hugo would have written.

// partMarker opens the marker a layout prints where a part goes:
// <!--opsbook:part KEY-->.
const (
	partMarker    = "<!--opsbook:part "
	partMarkerEnd = "-->"
)

// partComment is the marker of the part named key.
func partComment(key string) string { return partMarker + key + partMarkerEnd }

// safePartKey reports whether key can name a part inside an HTML comment:
// without angle brackets nothing in it can end the comment ("-->", "--!>").
func safePartKey(key string) bool { return !strings.ContainsAny(key, "<>") }

// splicer is the destination file system of a Hugo build: HTML files pass
// through it whole, and each marker in them is replaced by its part. Every
// part is used once and then dropped.
type splicer struct {
	afero.Fs
	parts   sync.Map // key → []byte
	pending atomic.Int64
	mu      sync.Mutex
	errs    []string
}

func newSplicer(dest afero.Fs) *splicer { return &splicer{Fs: dest} }

// add registers the part named key; page is the file it goes into, from
// the site root ("inspection/INS-1/index.html"), which its links are made
// relative to.
func (s *splicer) add(key, page string, html []byte) error {
	if !safePartKey(key) {
		return fmt.Errorf("内容片段名 %q 含有 < 或 >", key)
	}
	rel, err := relativeLinks(html, page)
	if err != nil {
		return fmt.Errorf("%s：改写链接：%w", key, err)
	}
	if _, loaded := s.parts.LoadOrStore(key, rel); loaded {
		return fmt.Errorf("内容片段 %s 重复", key)
	}
	s.pending.Add(1)
	return nil
}

// check reports parts that were never written into a page and markers that
// named no part (a layout without its marker, a changed theme).
func (s *splicer) check() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.errs) > 0 {
		return fmt.Errorf("写页面：%s", strings.Join(s.errs[:min(len(s.errs), 5)], "；"))
	}
	if n := s.pending.Load(); n > 0 {
		var keys []string
		s.parts.Range(func(k, _ any) bool {
			keys = append(keys, k.(string))
			return len(keys) < 3
		})
		return fmt.Errorf("%d 个页面内容没有写出（例如 %s）：主题布局缺少 %s…%s 标记？", n, strings.Join(keys, "、"), partMarker, partMarkerEnd)
	}
	return nil
}

func (s *splicer) fail(msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.errs = append(s.errs, msg)
}

func (s *splicer) Create(name string) (afero.File, error) {
	f, err := s.Fs.Create(name)
	if err != nil || !strings.HasSuffix(name, ".html") {
		return f, err
	}
	return &splicedFile{File: f, s: s, buf: bufPool.Get().(*bytes.Buffer)}, nil
}

// bufPool holds the buffers splicedFile collects pages in.
var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func (s *splicer) OpenFile(name string, flag int, perm os.FileMode) (afero.File, error) {
	f, err := s.Fs.OpenFile(name, flag, perm)
	if err != nil || flag&(os.O_WRONLY|os.O_RDWR) == 0 || !strings.HasSuffix(name, ".html") {
		return f, err
	}
	return &splicedFile{File: f, s: s, buf: bufPool.Get().(*bytes.Buffer)}, nil
}

// splicedFile holds what Hugo writes and, on Close, writes it with its
// markers replaced. Hugo ignores errors from Close: they are kept in the
// splicer, which the build checks.
type splicedFile struct {
	afero.File
	s   *splicer
	buf *bytes.Buffer // from bufPool until Close
}

func (f *splicedFile) Write(p []byte) (int, error) {
	if f.buf == nil {
		return 0, os.ErrClosed
	}
	return f.buf.Write(p)
}

func (f *splicedFile) WriteString(s string) (int, error) { return f.Write([]byte(s)) }

func (f *splicedFile) Close() error {
	if f.buf == nil {
		return os.ErrClosed
	}
	err := f.flush()
	f.buf.Reset()
	bufPool.Put(f.buf)
	f.buf = nil
	if cerr := f.File.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		f.s.fail(fmt.Sprintf("%s：%v", f.Name(), err))
	}
	return err
}

func (f *splicedFile) flush() error {
	data := f.buf.Bytes()
	for {
		i := bytes.Index(data, []byte(partMarker))
		if i < 0 {
			break
		}
		end := bytes.Index(data[i+len(partMarker):], []byte(partMarkerEnd))
		if end < 0 {
			return fmt.Errorf("页面内容标记没有结尾")
		}
		key := string(data[i+len(partMarker) : i+len(partMarker)+end])
		part, ok := f.s.parts.LoadAndDelete(key)
		if !ok {
			return fmt.Errorf("页面内容 %s 不存在或已写过", key)
		}
		f.s.pending.Add(-1)
		if _, err := f.File.Write(data[:i]); err != nil {
			return err
		}
		if _, err := f.File.Write(part.([]byte)); err != nil {
			return err
		}
		data = data[i+len(partMarker)+end+len(partMarkerEnd):]
	}
	_, err := f.File.Write(data)
	return err
}

// relativeLinks rewrites root-relative links (href="/x", src="/x", …) in
// html as links relative to the file page, with the rewriting Hugo's
// relativeURLs applies to the page around it.
func relativeLinks(html []byte, page string) ([]byte, error) {
	chain := transform.New(urlreplacers.NewAbsURLTransformer(helpers.GetDottedRelativePath("/" + page)))
	var out bytes.Buffer
	out.Grow(len(html) + len(html)/16)
	if err := chain.Apply(&out, bytes.NewReader(html)); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

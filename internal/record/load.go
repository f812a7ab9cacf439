package record

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/opsbook/opsbook/internal/repofile"
)

// DefaultMaxSize is the default cap on a record file's size.
const DefaultMaxSize = 1 << 20

// Error is a load failure with a position and a rule id.
type Error struct {
	Line, Col int
	Rule      string
	Message   string
}

func (e *Error) Error() string {
	return fmt.Sprintf("%d:%d: %s [%s]", e.Line, e.Col, e.Message, e.Rule)
}

func errorf(line, col int, rule, format string, args ...any) *Error {
	return &Error{Line: line, Col: col, Rule: rule, Message: fmt.Sprintf(format, args...)}
}

// ReadFile reads file (at most maxSize bytes; 0 means DefaultMaxSize) and
// parses it as the record at the repository-relative path rel. It never
// reads past the cap.
//
// file is the repository root joined with rel, and the file is opened
// beneath that root with internal/repofile: a symbolic link anywhere below
// the root (even one pointing inside it) or a file that is not a regular
// file (FIFO, socket, device) is refused at 1:1 as record/not-regular-file,
// its target never opened. When file does not end in rel, only its last
// element is held to that.
func ReadFile(file, rel string, maxSize int64) (*Record, error) {
	return readFile(file, rel, maxSize, true)
}

// ReadFields is ReadFile without the position index (Record.Index is nil):
// the same strict checks, less memory and time, for readers that compute
// from records rather than report problems in them (reports, the site).
func ReadFields(file, rel string, maxSize int64) (*Record, error) {
	return readFile(file, rel, maxSize, false)
}

func readFile(file, rel string, maxSize int64, positions bool) (*Record, error) {
	if maxSize <= 0 {
		maxSize = DefaultMaxSize
	}
	root, name := splitRoot(file, rel)
	d, err := repofile.Open(root)
	if err != nil {
		return nil, errorf(0, 0, "file/read", "无法读取文件：%v", err)
	}
	defer d.Close()
	f, err := d.Open(name)
	if err != nil {
		var nr *repofile.NotRegularError
		if errors.As(err, &nr) {
			if nr.Elem == nr.Path {
				return nil, errorf(1, 1, "record/not-regular-file", "这是%s，不是普通文件；opsbook 不跟随符号链接（即使指向仓库内），也不读取管道、套接字或设备：请换成真实的文件或目录", nr.What)
			}
			return nil, errorf(1, 1, "record/not-regular-file", "路径中的 %s 是%s；opsbook 不跟随符号链接（即使指向仓库内）：请换成真实的目录和文件", nr.Elem, nr.What)
		}
		return nil, errorf(0, 0, "file/read", "无法读取文件：%v", err)
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Size() > maxSize {
		return nil, tooLarge(st.Size(), maxSize)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxSize+1))
	if err != nil {
		return nil, errorf(0, 0, "file/read", "无法读取文件：%v", err)
	}
	if int64(len(data)) > maxSize {
		return nil, tooLarge(-1, maxSize)
	}
	return parse(rel, data, positions)
}

// splitRoot splits file into the repository root and rel, when file is the
// two joined; else into its directory and its name.
func splitRoot(file, rel string) (root, name string) {
	if r, ok := strings.CutSuffix(file, filepath.FromSlash(rel)); ok && rel != "" && !filepath.IsAbs(filepath.FromSlash(rel)) {
		switch {
		case r == "":
			return ".", rel
		case os.IsPathSeparator(r[len(r)-1]):
			return r, rel
		}
	}
	return filepath.Dir(file), filepath.Base(file)
}

func tooLarge(size, maxSize int64) *Error {
	if size < 0 {
		return errorf(1, 1, "file/too-large", "文件超过大小上限 %d 字节；请拆分记录，或在 opsbook.yaml 中调大 max_file_size", maxSize)
	}
	return errorf(1, 1, "file/too-large", "文件大小 %d 字节，超过上限 %d 字节；请拆分记录，或在 opsbook.yaml 中调大 max_file_size", size, maxSize)
}

var bom = []byte("\xef\xbb\xbf")

// Parse parses data as the record at the repository-relative path rel: YAML,
// or Markdown with front matter when rel ends in .md.
func Parse(rel string, data []byte) (*Record, error) { return parse(rel, data, true) }

func parse(rel string, data []byte, positions bool) (*Record, error) {
	data = bytes.TrimPrefix(data, bom)
	if err := checkText(data); err != nil {
		return nil, err
	}
	r := &Record{Path: rel}
	yamlText, lineOffset := data, 0
	if IsMarkdown(rel) {
		fm, body, bodyLine, err := splitFrontMatter(data)
		if err != nil {
			return nil, err
		}
		yamlText, lineOffset = fm, 1
		r.Body, r.BodyLine = string(body), bodyLine
	}
	fields, index, err := parseYAML(yamlText, lineOffset, positions)
	if err != nil {
		return nil, err
	}
	r.Fields, r.Index = fields, index
	return r, nil
}

// checkText rejects invalid UTF-8 and NUL bytes, pointing at the first one.
func checkText(data []byte) error {
	if i := bytes.IndexByte(data, 0); i >= 0 {
		line, col := lineCol(data, i)
		return errorf(line, col, "file/encoding", "文件含有 NUL 字节，不是文本文件；记录必须是 UTF-8 文本")
	}
	if utf8.Valid(data) {
		return nil
	}
	for i := 0; i < len(data); {
		r, n := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && n <= 1 {
			line, col := lineCol(data, i)
			return errorf(line, col, "file/encoding", "不是合法的 UTF-8 编码（字节 0x%02x）；请将文件另存为 UTF-8", data[i])
		}
		i += n
	}
	return errors.New("unreachable")
}

// lineCol converts a byte offset into a 1-based line and a 1-based column
// counted in characters.
func lineCol(data []byte, off int) (int, int) {
	line := 1 + bytes.Count(data[:off], []byte{'\n'})
	start := bytes.LastIndexByte(data[:off], '\n') + 1
	return line, 1 + utf8.RuneCount(data[start:off])
}

// splitFrontMatter splits "---\n<yaml>---\n<body>" and returns the body's
// first line number.
func splitFrontMatter(data []byte) (fm, body []byte, bodyLine int, err error) {
	first, rest, _ := bytes.Cut(data, []byte{'\n'})
	first = bytes.TrimRight(first, "\r \t")
	switch {
	case string(first) == "---":
	case string(first) == "+++":
		return nil, nil, 0, errorf(1, 1, "frontmatter/delimiter", "不支持 TOML 前置元数据（+++）；请改用 YAML，以单独一行 --- 开始和结束")
	default:
		return nil, nil, 0, errorf(1, 1, "frontmatter/delimiter", "Markdown 记录必须以单独一行 --- 开始 YAML 前置元数据")
	}
	line := 2
	for off := 0; off < len(rest); {
		end := bytes.IndexByte(rest[off:], '\n')
		next := len(rest)
		if end >= 0 {
			next = off + end + 1
		}
		l := bytes.TrimRight(rest[off:next], "\r\n \t")
		if string(l) == "---" {
			return rest[:off], rest[next:], line + 1, nil
		}
		if string(l) == "..." || string(l) == "+++" {
			return nil, nil, 0, errorf(line, 1, "frontmatter/delimiter", "前置元数据必须以单独一行 --- 结束，而不是 %q", l)
		}
		off, line = next, line+1
	}
	return nil, nil, 0, errorf(1, 1, "frontmatter/delimiter", "前置元数据没有结束行：请在 YAML 之后加一行 ---")
}

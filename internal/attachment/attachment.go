// Package attachment reads the files a record lists under `files:` from its
// attachment directory (content/<kind>/<year>/<id>/, next to the record)
// without ever reading anything else: a reference must be a plain relative
// path (no "..", no absolute path, no backslash, no NUL or control
// characters, no %xx escapes, no hidden names), every directory on the way
// must be a real directory and the file a regular file — symbolic links are
// refused even when they point inside the repository — and the file is
// opened through an os.Root confined to the attachment directory, with
// O_NOFOLLOW, and checked to be the file that was inspected.
//
// validate (internal/rules), `opsbook docs hash`, the inventory and the site
// all go through Open, so they agree on what an attachment is.
package attachment

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/opsbook/opsbook/internal/layout"
)

// Ref is one entry of a record's `files:` list.
type Ref struct {
	Index  int    // position in the list
	Path   string // as written, relative to the attachment directory
	SHA256 string // "" when not recorded
	Size   int64  // -1 when not recorded
}

// Refs reads the `files:` list of a record's fields. Entries without a
// string path are skipped (the schema reports them).
func Refs(fields map[string]any) []Ref {
	list, _ := fields["files"].([]any)
	var out []Ref
	for i, item := range list {
		m, _ := item.(map[string]any)
		p, ok := m["path"].(string)
		if !ok {
			continue
		}
		r := Ref{Index: i, Path: p, Size: -1}
		r.SHA256, _ = m["sha256"].(string)
		if n, ok := m["size"]; ok {
			var size int64
			if _, err := fmt.Sscan(fmt.Sprint(n), &size); err == nil {
				r.Size = size
			}
		}
		out = append(out, r)
	}
	return out
}

// Problem kinds, each a validate rule id.
const (
	RulePath       = "attachment/path"         // the reference is not a safe relative path
	RuleMissing    = "attachment/missing"      // no such file
	RuleNotFile    = "attachment/not-file"     // a symlink, directory, device, pipe or socket
	RuleTooLarge   = "attachment/too-large"    // over documents.max_attachment_size
	RuleSHA256     = "attachment/sha256"       // sha256 missing or different
	RuleSize       = "attachment/size"         // recorded size different
	RuleUnrefd     = "attachment/unreferenced" // a file no record lists
	RuleOrphanDir  = "attachment/orphan-dir"   // an attachment directory without its record
	RuleDuplicated = "attachment/duplicate"    // the same file listed twice
)

// Error is why an attachment cannot be used, with the rule it breaks.
type Error struct {
	Rule    string
	Message string // Chinese, says what to do
}

func (e *Error) Error() string { return e.Message }

func errorf(rule, format string, args ...any) *Error {
	return &Error{Rule: rule, Message: fmt.Sprintf(format, args...)}
}

var percentEscape = regexp.MustCompile(`%[0-9A-Fa-f]{2}`)

// CheckPath checks the syntax of a reference: a relative, slash-separated
// path of plain names. It does not touch the file system.
func CheckPath(p string) *Error {
	bad := func(format string, args ...any) *Error {
		return errorf(RulePath, "附件路径 %s "+format, append([]any{quote(p)}, args...)...)
	}
	switch {
	case p == "":
		return bad("为空")
	case !utf8.ValidString(p):
		return bad("不是合法的 UTF-8 文本")
	case strings.ContainsRune(p, 0):
		return bad("含有 NUL 字符；请只写文件名")
	case strings.ContainsRune(p, '\\'):
		return bad("含有反斜杠 \\；路径只能用 / 分隔，且不能含 ..")
	case strings.HasPrefix(p, "/") || (len(p) >= 2 && p[1] == ':'):
		return bad("是绝对路径；请写附件目录下的相对路径，例如 设计说明书.docx")
	case strings.Contains(p, "://") || strings.HasPrefix(strings.ToLower(p), "file:"):
		return bad("是网址；附件必须是附件目录中的文件")
	case percentEscape.MatchString(p):
		return bad("含有 URL 编码（%%xx）；请写文件的实际名称，不要编码")
	case strings.IndexFunc(p, unicode.IsControl) >= 0:
		return bad("含有控制字符；请重命名文件")
	}
	for _, seg := range strings.Split(p, "/") {
		switch {
		case seg == "":
			return bad("含有空的路径段（// 或以 / 结尾）")
		case seg == "." || seg == "..":
			return bad("含有 %s；附件只能在本记录的附件目录内", seg)
		case strings.HasPrefix(seg, "."):
			return bad("含有隐藏文件名 %s（以 . 开头）；请重命名", seg)
		case strings.TrimSpace(seg) != seg:
			return bad("的路径段 %s 首尾有空格；请重命名", quote(seg))
		}
	}
	return nil
}

// quote shows a path in a message with control characters escaped.
func quote(s string) string {
	if strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) || r == utf8.RuneError }) >= 0 || !utf8.ValidString(s) {
		return fmt.Sprintf("%q", s)
	}
	return "「" + s + "」"
}

// Info is what Inspect found out about an attachment.
type Info struct {
	Path   string // repository-relative
	Size   int64
	SHA256 string // "" unless hashing was asked for and the file was not too large
}

// File is an opened attachment: a regular file inside its attachment
// directory, reached without following any symbolic link.
type File struct {
	*os.File
	Info fs.FileInfo
	Path string // repository-relative
}

// Open opens the attachment name of the record at repository-relative path
// recordPath in the repository at root. The error is an *Error for a bad
// reference (or a missing, non-regular file) and a plain error for an I/O
// failure.
func Open(root, recordPath, name string) (*File, error) {
	if e := CheckPath(name); e != nil {
		return nil, e
	}
	dir := layout.AttachmentDir(recordPath)
	rel := dir + "/" + name
	r, err := os.OpenRoot(root)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	// Every directory on the way from the repository root must be a real
	// directory: os.Root keeps the open inside the repository but follows a
	// symlink that stays inside, and an attachment must not be reached
	// through one.
	dirSegs := strings.Count(dir, "/") + 1
	segs := strings.Split(rel, "/")
	var seen fs.FileInfo
	for i := range segs {
		sub := strings.Join(segs[:i+1], "/")
		info, err := r.Lstat(sub)
		seen = info
		if errors.Is(err, fs.ErrNotExist) {
			if i < dirSegs {
				return nil, errorf(RuleMissing, "附件 %s 不存在：记录的附件目录 %s/ 不存在；请建立该目录并放入文件", rel, dir)
			}
			return nil, errorf(RuleMissing, "附件 %s 不存在；请把文件放进 %s/，或改正 path", rel, dir)
		}
		if err != nil {
			return nil, fmt.Errorf("读取附件 %s：%w", rel, err)
		}
		last := i == len(segs)-1
		if msg := notFile(info.Mode(), last); msg != "" {
			if i < dirSegs {
				return nil, errorf(RuleNotFile, "附件 %s：%s 是%s；附件目录必须是仓库中的真实目录", rel, sub, msg)
			}
			if last {
				return nil, errorf(RuleNotFile, "附件 %s 是%s；附件必须是附件目录中的普通文件", rel, msg)
			}
			return nil, errorf(RuleNotFile, "附件 %s：%s 是%s；附件必须是附件目录中的普通文件", rel, sub, msg)
		}
	}
	f, err := r.OpenFile(rel, openFlags, 0)
	if err != nil {
		if isSymlinkLoop(err) {
			return nil, errorf(RuleNotFile, "附件 %s 是符号链接；附件必须是普通文件", rel)
		}
		return nil, fmt.Errorf("打开附件 %s：%w", rel, err)
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !info.Mode().IsRegular() || !os.SameFile(info, seen) {
		f.Close()
		if info.Mode().IsRegular() {
			return nil, fmt.Errorf("附件 %s 在检查时被替换；请重试", rel)
		}
		return nil, errorf(RuleNotFile, "附件 %s 是%s；附件必须是普通文件", rel, notFile(info.Mode(), true))
	}
	return &File{File: f, Info: info, Path: rel}, nil
}

// notFile names what a mode is when it is not acceptable on the way to an
// attachment ("" when it is: a directory on the way, a regular file last).
func notFile(m fs.FileMode, last bool) string {
	switch {
	case m&fs.ModeSymlink != 0:
		return "符号链接（即使指向仓库内也不允许）"
	case m&fs.ModeDevice != 0 || m&fs.ModeCharDevice != 0:
		return "设备文件"
	case m&fs.ModeNamedPipe != 0:
		return "命名管道"
	case m&fs.ModeSocket != 0:
		return "套接字"
	case m.IsDir() && last:
		return "目录"
	case m.IsRegular() && !last:
		return "文件而不是目录"
	case !m.IsDir() && !m.IsRegular():
		return "特殊文件"
	}
	return ""
}

// Inspect opens an attachment and returns its size and, when hash is set
// and the file is not larger than maxSize (0 = no cap), its SHA-256. A file
// over maxSize is an *Error with RuleTooLarge (Info still has the size).
func Inspect(root, recordPath, name string, maxSize int64, hash bool) (Info, error) {
	f, err := Open(root, recordPath, name)
	if err != nil {
		return Info{Path: layout.AttachmentDir(recordPath) + "/" + name}, err
	}
	defer f.Close()
	info := Info{Path: f.Path, Size: f.Info.Size()}
	if maxSize > 0 && info.Size > maxSize {
		return info, errorf(RuleTooLarge, "附件 %s 大小 %s，超过上限 %s；请压缩或拆分文件，或在 opsbook.yaml 的 documents.max_attachment_size 中调大上限",
			info.Path, FormatSize(info.Size), FormatSize(maxSize))
	}
	if !hash {
		return info, nil
	}
	h := sha256.New()
	// Read no more than the size seen: a file growing meanwhile is not
	// read past what was checked against the cap.
	n, err := io.Copy(h, io.LimitReader(f, info.Size+1))
	if err != nil {
		return info, fmt.Errorf("读取附件 %s：%w", info.Path, err)
	}
	if n != info.Size {
		return info, fmt.Errorf("附件 %s 在读取时被修改（%d 字节，预期 %d）；请重试", info.Path, n, info.Size)
	}
	info.SHA256 = hex.EncodeToString(h.Sum(nil))
	return info, nil
}

// FormatSize renders a byte count for people: 950 B, 12.3 KB, 50 MB.
func FormatSize(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	f := float64(n)
	for _, u := range []string{"KB", "MB", "GB", "TB"} {
		f /= unit
		if f < unit || u == "TB" {
			s := fmt.Sprintf("%.1f", f)
			s = strings.TrimSuffix(s, ".0")
			return s + " " + u
		}
	}
	return fmt.Sprintf("%d B", n)
}

// Name is the file name of a reference, for display.
func Name(p string) string { return path.Base(p) }

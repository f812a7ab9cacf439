// Package repofile opens files of a repository so that nothing outside it is
// ever read. A path is resolved beneath the repository root without
// following any symbolic link (not even one that stays inside: a pull
// request could commit either kind), and only regular files are opened for
// reading: a FIFO, socket or device is refused after an open that cannot
// block or have side effects, so it can neither hang a run nor leak. On
// Linux this is openat2 with RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS; where
// openat2 is unavailable (old kernels, seccomp filters, other systems) it is
// os.Root with an Lstat of every path element and a check that the opened
// file is the one examined.
package repofile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"
	"sync"
)

// forceFallback makes new Dirs use os.Root only; tests set it.
var forceFallback bool

// Dir is a repository root opened for reading files beneath it.
type Dir struct {
	root string
	dir  *os.File // the root for openat2; nil when it is not used
	mu   sync.Mutex
	r    *os.Root // the fallback's root, opened when first needed
}

// Open opens the directory root. Its own path may contain symbolic links
// (a checkout reached through one); paths beneath it may not.
func Open(root string) (*Dir, error) {
	d := &Dir{root: root}
	if openat2Usable() {
		f, err := os.Open(root)
		if err != nil {
			return nil, err
		}
		if st, err := f.Stat(); err != nil || !st.IsDir() {
			f.Close()
			return nil, &fs.PathError{Op: "open", Path: root, Err: errNotDir}
		}
		d.dir = f
		return d, nil
	}
	if _, err := d.osRoot(); err != nil {
		return nil, err
	}
	return d, nil
}

// osRoot is the os.Root of the fallback, opened once.
func (d *Dir) osRoot() (*os.Root, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.r == nil {
		r, err := os.OpenRoot(d.root)
		if err != nil {
			return nil, err
		}
		d.r = r
	}
	return d.r, nil
}

// Close releases the directory.
func (d *Dir) Close() error {
	if d.dir != nil {
		d.dir.Close()
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.r != nil {
		return d.r.Close()
	}
	return nil
}

// Root is the path Open was given.
func (d *Dir) Root() string { return d.root }

// NotRegularError says that a path names, or passes through, something other
// than a regular file or a real directory. Its target is never opened,
// read or quoted.
type NotRegularError struct {
	Path string // the repository-relative path asked for
	Elem string // the offending element: Path itself, or a directory on the way to it
	What string // what Elem is, in words: 符号链接, 命名管道, …
}

func (e *NotRegularError) Error() string {
	if e.Elem == e.Path {
		return fmt.Sprintf("%s 是%s；仓库中的文件必须是普通文件（不跟随符号链接，不读取管道、套接字或设备）", e.Path, e.What)
	}
	return fmt.Sprintf("%s：路径中的 %s 是%s；仓库中的文件必须经由真实目录到达（不跟随符号链接）", e.Path, e.Elem, e.What)
}

// What describes a file type in words.
func What(mode fs.FileMode) string {
	switch t := mode.Type(); {
	case t&fs.ModeSymlink != 0:
		return "符号链接"
	case t&fs.ModeNamedPipe != 0:
		return "命名管道（FIFO）"
	case t&fs.ModeSocket != 0:
		return "套接字"
	case t&fs.ModeDevice != 0:
		return "设备文件"
	case t&fs.ModeDir != 0:
		return "目录"
	case t == 0:
		return "普通文件"
	}
	return "特殊文件"
}

// clean checks that rel is a slash-separated path strictly beneath the root.
func clean(rel string) (string, error) {
	if rel == "" || path.IsAbs(rel) || strings.Contains(rel, "\\") || strings.ContainsRune(rel, 0) {
		return "", &fs.PathError{Op: "open", Path: rel, Err: fs.ErrInvalid}
	}
	c := path.Clean(rel)
	if c == ".." || strings.HasPrefix(c, "../") {
		return "", &fs.PathError{Op: "open", Path: rel, Err: fs.ErrInvalid}
	}
	return c, nil
}

// Open opens the regular file at the repository-relative, slash-separated
// path rel for reading. A symlink anywhere on the way, or a final element
// that is not a regular file, is a *NotRegularError; a missing file an
// error matching fs.ErrNotExist.
func (d *Dir) Open(rel string) (*os.File, error) {
	c, err := clean(rel)
	if err != nil {
		return nil, err
	}
	if c == "." {
		return nil, &NotRegularError{Path: rel, Elem: rel, What: "目录"}
	}
	if d.dir != nil {
		f, err := d.openat2(c, false)
		if !errors.Is(err, errNoOpenat2) {
			return f, err
		}
	}
	return d.openRoot(c, false)
}

// ReadFile reads the regular file at rel whole (see Open).
func (d *Dir) ReadFile(rel string) ([]byte, error) {
	f, err := d.Open(rel)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

// ReadDir lists the real directory at rel ("." for the root), sorted by
// name; like Open, it follows no symbolic link on the way.
func (d *Dir) ReadDir(rel string) ([]fs.DirEntry, error) {
	c, err := clean(rel)
	if rel == "." {
		c, err = ".", nil
	}
	if err != nil {
		return nil, err
	}
	var f *os.File
	if d.dir != nil {
		f, err = d.openat2(c, true)
	}
	if d.dir == nil || errors.Is(err, errNoOpenat2) {
		f, err = d.openRoot(c, true)
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return f.ReadDir(-1)
}

// ReadFile reads the regular file at the repository-relative path rel in
// the repository at root (see Dir.Open).
func ReadFile(root, rel string) ([]byte, error) {
	d, err := Open(root)
	if err != nil {
		return nil, err
	}
	defer d.Close()
	return d.ReadFile(rel)
}

// openRoot is Open (or, with dir, ReadDir's open) without openat2: every
// element is examined with Lstat through os.Root, which keeps the walk
// inside the root, and the file opened must be the one examined.
func (d *Dir) openRoot(rel string, dir bool) (*os.File, error) {
	r, err := d.osRoot()
	if err != nil {
		return nil, err
	}
	var seen fs.FileInfo
	if rel == "." {
		info, err := r.Lstat(".")
		if err != nil {
			return nil, err
		}
		seen = info
	} else {
		segs := strings.Split(rel, "/")
		for i := range segs {
			sub := strings.Join(segs[:i+1], "/")
			info, err := r.Lstat(sub)
			if err != nil {
				return nil, err
			}
			last := i == len(segs)-1
			switch {
			case !last && !info.IsDir(), last && dir && !info.IsDir(), last && !dir && !info.Mode().IsRegular():
				if !last && info.Mode().IsRegular() {
					return nil, &fs.PathError{Op: "open", Path: rel, Err: errNotDir}
				}
				return nil, &NotRegularError{Path: rel, Elem: sub, What: What(info.Mode())}
			}
			seen = info
		}
	}
	f, err := r.OpenFile(rel, openFlags, 0)
	if err != nil {
		return nil, err
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !os.SameFile(info, seen) {
		f.Close()
		return nil, fmt.Errorf("%s 在检查时被替换；请重试", rel)
	}
	return f, nil
}

var errNotDir = errors.New("not a directory")

package publish

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// tree is the destination's file system, with slash-separated absolute
// paths: the local disk or an SFTP server.
type tree interface {
	Lstat(p string) (fs.FileInfo, error)
	ReadLink(p string) (string, error)
	ReadDir(p string) ([]fs.FileInfo, error)
	// Mkdir creates one directory with mode perm; it fails if p exists.
	Mkdir(p string, perm fs.FileMode) error
	// Put copies the local file src to the new file p (never overwriting)
	// with mode perm, durably (fsync) where the destination allows, and
	// reports bytes written to count as they go.
	Put(ctx context.Context, src, p string, perm fs.FileMode, count func(int64)) error
	Symlink(target, p string) error
	// Replace renames oldp to newp, atomically replacing newp if it exists.
	Replace(oldp, newp string) error
	// Remove removes a file or symbolic link, or with dir an empty directory.
	Remove(p string, dir bool) error
	Close() error
}

// localTree is the local file system.
type localTree struct{}

func (localTree) Lstat(p string) (fs.FileInfo, error) { return os.Lstat(filepath.FromSlash(p)) }

func (localTree) ReadLink(p string) (string, error) {
	s, err := os.Readlink(filepath.FromSlash(p))
	return filepath.ToSlash(s), err
}

func (localTree) ReadDir(p string) ([]fs.FileInfo, error) {
	entries, err := os.ReadDir(filepath.FromSlash(p))
	if err != nil {
		return nil, err
	}
	infos := make([]fs.FileInfo, 0, len(entries))
	for _, e := range entries {
		fi, err := e.Info()
		if errors.Is(err, fs.ErrNotExist) {
			continue // removed meanwhile
		}
		if err != nil {
			return nil, err
		}
		infos = append(infos, fi)
	}
	return infos, nil
}

func (localTree) Mkdir(p string, perm fs.FileMode) error {
	p = filepath.FromSlash(p)
	if err := os.Mkdir(p, perm); err != nil {
		return err
	}
	return os.Chmod(p, perm) // whatever the umask
}

func (localTree) Put(ctx context.Context, src, p string, perm fs.FileMode, count func(int64)) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(filepath.FromSlash(p), os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, &countingReader{ctx: ctx, r: in, count: count})
	if err == nil {
		err = out.Chmod(perm)
	}
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return err
}

func (localTree) Symlink(target, p string) error {
	return os.Symlink(filepath.FromSlash(target), filepath.FromSlash(p))
}

func (localTree) Replace(oldp, newp string) error {
	return os.Rename(filepath.FromSlash(oldp), filepath.FromSlash(newp))
}

func (localTree) Remove(p string, _ bool) error { return os.Remove(filepath.FromSlash(p)) }

func (localTree) Close() error { return nil }

// countingReader reports what passes through it and stops when ctx ends.
type countingReader struct {
	ctx   context.Context
	r     io.Reader
	count func(int64)
}

func (c *countingReader) Read(b []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := c.r.Read(b)
	if n > 0 && c.count != nil {
		c.count(int64(n))
	}
	return n, err
}

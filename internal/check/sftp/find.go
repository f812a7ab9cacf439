package sftp

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path"
	"strings"
	"time"

	pkgsftp "github.com/pkg/sftp"
)

type file struct {
	name  string
	size  int64
	mtime time.Time
}

const meta = `*?[\`

// find returns the regular files pattern names: a file, the files of a
// directory, or the matches of a glob. A path that does not exist matches
// nothing.
func find(ctx context.Context, sc *pkgsftp.Client, pattern string) ([]file, error) {
	if !strings.ContainsAny(pattern, meta) {
		fi, err := sc.Stat(pattern)
		switch {
		case notExist(err):
			return nil, nil
		case err != nil:
			return nil, err
		case fi.IsDir():
			return list(ctx, sc, pattern, "*")
		}
		return regular(pattern, fi), nil
	}
	dir, base := path.Split(pattern)
	if !strings.ContainsAny(dir, meta) {
		// The common case, "/backup/oracle/*.dmp": one directory listing
		// gives names, sizes and times together.
		if dir == "" {
			dir = "."
		}
		return list(ctx, sc, dir, base)
	}
	names, err := sc.Glob(pattern)
	if err != nil {
		return nil, err
	}
	var files []file
	for _, name := range names {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		fi, err := sc.Stat(name)
		if notExist(err) { // removed meanwhile, or a dangling link
			continue
		}
		if err != nil {
			return nil, err
		}
		files = append(files, regular(name, fi)...)
	}
	return files, nil
}

// list returns the regular files in dir whose names match base.
func list(ctx context.Context, sc *pkgsftp.Client, dir, base string) ([]file, error) {
	entries, err := sc.ReadDirContext(ctx, dir)
	if notExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var files []file
	for _, fi := range entries {
		if ok, _ := path.Match(base, fi.Name()); !ok {
			continue
		}
		name := path.Join(dir, fi.Name())
		if fi.Mode()&fs.ModeSymlink != 0 {
			if fi, err = sc.Stat(name); notExist(err) {
				continue
			} else if err != nil {
				return nil, err
			}
		}
		files = append(files, regular(name, fi)...)
	}
	return files, nil
}

func regular(name string, fi os.FileInfo) []file {
	if !fi.Mode().IsRegular() {
		return nil
	}
	return []file{{name: name, size: fi.Size(), mtime: fi.ModTime()}}
}

func notExist(err error) bool {
	var se *pkgsftp.StatusError
	return errors.Is(err, fs.ErrNotExist) || errors.As(err, &se) && se.FxCode() == pkgsftp.ErrSSHFxNoSuchFile
}

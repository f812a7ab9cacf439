//go:build linux

package repofile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"golang.org/x/sys/unix"
)

// errNoOpenat2 sends Dir to the os.Root way.
var errNoOpenat2 = errors.New("openat2 unavailable")

// probe reports once whether this kernel (and any seccomp filter) lets
// openat2 with the resolve flags through.
var probe = sync.OnceValue(func() bool {
	fd, err := unix.Openat2(unix.AT_FDCWD, ".", &unix.OpenHow{Flags: unix.O_PATH | unix.O_CLOEXEC, Resolve: resolve})
	if err != nil {
		return false
	}
	unix.Close(fd)
	return true
})

func openat2Usable() bool { return !forceFallback && probe() }

const resolve = unix.RESOLVE_BENEATH | unix.RESOLVE_NO_SYMLINKS | unix.RESOLVE_NO_MAGICLINKS

// openat2 opens rel beneath the root in two steps: an O_PATH open, which
// performs no I/O on the target (a FIFO or device is never really opened),
// to learn its type; then, only for a regular file (or a directory when dir
// is set), the open for reading, which must reach the same file.
func (d *Dir) openat2(rel string, dir bool) (*os.File, error) {
	raw, err := d.dir.SyscallConn()
	if err != nil {
		return nil, err
	}
	fd := -1
	cerr := raw.Control(func(dirfd uintptr) { fd, err = openBeneath(int(dirfd), rel, dir) })
	if cerr != nil {
		return nil, cerr
	}
	if err != nil {
		return nil, err
	}
	return os.NewFile(uintptr(fd), filepath.Join(d.root, filepath.FromSlash(rel))), nil
}

func openBeneath(dirfd int, rel string, dir bool) (int, error) {
	extra := 0
	if dir {
		extra = unix.O_DIRECTORY
	}
	pfd, err := openat2Retry(dirfd, rel, unix.O_PATH|unix.O_CLOEXEC|unix.O_NOFOLLOW)
	if err != nil {
		return -1, openError(dirfd, rel, err)
	}
	var seen unix.Stat_t
	err = unix.Fstat(pfd, &seen)
	unix.Close(pfd)
	if err != nil {
		return -1, &fs.PathError{Op: "stat", Path: rel, Err: err}
	}
	mode := fileMode(seen.Mode)
	if (dir && !mode.IsDir()) || (!dir && !mode.IsRegular()) {
		if rel == "." {
			return -1, &fs.PathError{Op: "open", Path: rel, Err: errNotDir}
		}
		return -1, &NotRegularError{Path: rel, Elem: rel, What: What(mode)}
	}
	fd, err := openat2Retry(dirfd, rel, unix.O_RDONLY|unix.O_CLOEXEC|unix.O_NOFOLLOW|unix.O_NONBLOCK|unix.O_NOCTTY|extra)
	if err != nil {
		return -1, openError(dirfd, rel, err)
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		unix.Close(fd)
		return -1, &fs.PathError{Op: "stat", Path: rel, Err: err}
	}
	if st.Dev != seen.Dev || st.Ino != seen.Ino {
		unix.Close(fd)
		return -1, fmt.Errorf("%s 在检查时被替换；请重试", rel)
	}
	return fd, nil
}

// openat2Retry retries the EAGAIN openat2 returns when a rename raced the
// lookup.
func openat2Retry(dirfd int, rel string, flags int) (int, error) {
	for range 16 {
		fd, err := unix.Openat2(dirfd, rel, &unix.OpenHow{Flags: uint64(flags), Resolve: resolve})
		if err != unix.EAGAIN && err != unix.EINTR {
			return fd, err
		}
	}
	return -1, unix.EAGAIN
}

// openError names the symlink that ELOOP stands for (found with lstat of
// each element from the root, which follows no link before the first one)
// and passes other errors on as *fs.PathError.
func openError(dirfd int, rel string, err error) error {
	switch err {
	case unix.ENOSYS, unix.EPERM:
		return errNoOpenat2
	case unix.ELOOP:
		segs := strings.Split(rel, "/")
		for i := range segs {
			sub := strings.Join(segs[:i+1], "/")
			var st unix.Stat_t
			if unix.Fstatat(dirfd, sub, &st, unix.AT_SYMLINK_NOFOLLOW) != nil {
				break
			}
			if m := fileMode(st.Mode); m&fs.ModeSymlink != 0 {
				return &NotRegularError{Path: rel, Elem: sub, What: What(m)}
			}
		}
		return &NotRegularError{Path: rel, Elem: rel, What: "符号链接"}
	case unix.EXDEV:
		return &fs.PathError{Op: "open", Path: rel, Err: fs.ErrInvalid}
	}
	return &fs.PathError{Op: "open", Path: rel, Err: err}
}

func fileMode(m uint32) fs.FileMode {
	switch m & unix.S_IFMT {
	case unix.S_IFREG:
		return 0
	case unix.S_IFDIR:
		return fs.ModeDir
	case unix.S_IFLNK:
		return fs.ModeSymlink
	case unix.S_IFIFO:
		return fs.ModeNamedPipe
	case unix.S_IFSOCK:
		return fs.ModeSocket
	case unix.S_IFCHR:
		return fs.ModeDevice | fs.ModeCharDevice
	case unix.S_IFBLK:
		return fs.ModeDevice
	}
	return fs.ModeIrregular
}

package gitrepo

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"
)

// staleLockAge is how old a git lock file must be before we treat it as
// left behind by a killed process. Git itself holds such locks for
// milliseconds.
const staleLockAge = time.Minute

// createLockFile creates path (a git "*.lock" file) exclusively, the way git
// does, so that git commands running at the same time see the lock. It waits
// up to wait for another holder, and removes a lock older than staleLockAge.
func createLockFile(ctx context.Context, path string, wait time.Duration, lk *repoLock) (*os.File, error) {
	lk.note(path)
	deadline := time.Now().Add(wait)
	removedStale := false
	for {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err == nil {
			return f, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("create lock %s: %w", path, err)
		}
		if fi, serr := os.Stat(path); serr == nil && !removedStale && time.Since(fi.ModTime()) > staleLockAge {
			removedStale = true
			_ = os.Remove(path)
			continue
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("%s 已存在：另一个 git 进程正在使用该仓库；如确认没有其他 git 进程在运行，请删除该文件后重试", path)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// commitLockFile writes data to the lock file and renames it over target.
func commitLockFile(f *os.File, target string, data []byte) error {
	lock := f.Name()
	if _, err := f.Write(data); err != nil {
		_ = f.Close()
		_ = os.Remove(lock)
		return fmt.Errorf("write %s: %w", lock, err)
	}
	if err := f.Close(); err != nil {
		_ = os.Remove(lock)
		return fmt.Errorf("close %s: %w", lock, err)
	}
	if err := os.Rename(lock, target); err != nil {
		_ = os.Remove(lock)
		return fmt.Errorf("rename %s: %w", lock, err)
	}
	return nil
}

// abortLockFile releases a lock without changing the target.
func abortLockFile(f *os.File) {
	_ = f.Close()
	_ = os.Remove(f.Name())
}

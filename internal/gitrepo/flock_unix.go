//go:build unix

package gitrepo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// repoLock serialises Commit calls on one repository across processes (a
// runner daemon and a manual `opsbook run` may share a clone). The kernel
// releases it when the process dies, so a killed run never blocks the next.
// The lock file doubles as a journal of the git lock files and temporary
// files the holder creates: a holder that dies (SIGKILL) leaves them
// listed, and the next holder removes them instead of waiting on a
// "<ref>.lock" or "index.lock" nobody will ever release.
type repoLock struct {
	f *os.File
}

func lockRepo(ctx context.Context, gitdir string) (*repoLock, error) {
	f, err := os.OpenFile(filepath.Join(gitdir, "opsbook-commit.flock"), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open commit lock: %w", err)
	}
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			break
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			_ = f.Close()
			return nil, fmt.Errorf("commit lock: %w", err)
		}
		select {
		case <-ctx.Done():
			_ = f.Close()
			return nil, ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
	l := &repoLock{f: f}
	l.recover(gitdir)
	return l, nil
}

// recover removes what a previous holder that died left behind.
func (l *repoLock) recover(gitdir string) {
	data, _ := io.ReadAll(l.f)
	for _, line := range strings.Split(string(bytes.TrimSpace(data)), "\n") {
		if line == "" || !filepath.IsAbs(line) {
			continue
		}
		_ = os.Remove(line)
	}
	_ = l.f.Truncate(0)
	_, _ = l.f.Seek(0, io.SeekStart)
}

// note records a file that must not outlive this holder.
func (l *repoLock) note(path string) {
	if l != nil {
		_, _ = l.f.WriteString(path + "\n")
	}
}

func (l *repoLock) release() {
	_ = l.f.Truncate(0)
	_ = syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	_ = l.f.Close()
}

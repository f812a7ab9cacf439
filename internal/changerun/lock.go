package changerun

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/opsbook/opsbook/internal/kind"
	"github.com/opsbook/opsbook/internal/layout"
	"github.com/opsbook/opsbook/internal/record"
)

// lockDirOf is where Execute takes its per-change locks by default: the
// repository's .git directory, which only those who may commit there can
// write (a shared /tmp directory would let any local user plant a symlink
// or hold a change's lock). Runs from other clones are caught after the
// lock by the execution records on the remote (Options.CheckRemote).
func lockDirOf(root string) string { return filepath.Join(root, ".git") }

// changeLock is an exclusive lock (flock) on a change, held from just
// before Execute's last checks until its execution record is committed.
// The kernel drops it when the process ends, so a killed run leaves no
// stale lock behind.
type changeLock struct{ f *os.File }

// errLocked means another process holds the lock; holder describes it.
type errLocked struct{ holder string }

func (e *errLocked) Error() string { return "locked by " + e.holder }

// lockChange takes the lock of change id in dir without waiting.
func lockChange(dir, id, root, operator string, now time.Time) (*changeLock, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("创建锁目录 %s：%w", dir, err)
	}
	path := filepath.Join(dir, "opsbook-change-"+id+".lock")
	// Never through a symbolic link: the lock file is truncated.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|openNoFollow, 0o644)
	if err != nil {
		return nil, fmt.Errorf("打开执行锁 %s（不能是符号链接）：%w", path, err)
	}
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("执行锁 %s 不是普通文件", path)
	}
	if err := tryLock(f); err != nil {
		holder, _ := os.ReadFile(path)
		f.Close()
		if errors.Is(err, errWouldBlock) {
			h := strings.TrimSpace(string(holder))
			if h == "" {
				// The holder may be between taking the lock and saying who
				// it is.
				time.Sleep(100 * time.Millisecond)
				holder, _ = os.ReadFile(path)
				h = strings.TrimSpace(string(holder))
			}
			if h == "" {
				h = "未知进程"
			}
			return nil, &errLocked{holder: h}
		}
		return nil, fmt.Errorf("加执行锁 %s：%w", path, err)
	}
	// Who holds it, for the message another run prints.
	if err := f.Truncate(0); err == nil {
		fmt.Fprintf(f, "进程 %d，操作人 %s，仓库 %s，开始于 %s\n", os.Getpid(), operator, root, now.Format("2006-01-02 15:04:05"))
	}
	return &changeLock{f: f}, nil
}

// release drops the lock. The file stays: removing it would let a third
// run lock a new file while a second still waits on the old one.
func (l *changeLock) release() {
	if l != nil && l.f != nil {
		l.f.Truncate(0)
		l.f.Close() // closing the last descriptor releases the flock
		l.f = nil
	}
}

// successfulExecution returns the id of an execution record of change id
// whose outcome was success, or "". It reads afresh (Prepare, and Execute
// once it holds the lock: another run may have finished in between) the
// records on the tip of the main line branch, which may not be checked
// out, and those in the work tree (a record whose commit failed is left
// there), whatever their file names.
func successfulExecution(ctx context.Context, root, branch string, maxSize int64, id string) (string, error) {
	success := func(r *record.Record) bool {
		x, _ := kind.ExecutionFrom(r)
		return x.Change == id && x.Outcome == OutcomeSuccess
	}
	files, err := mainExecutions(ctx, root, branch, executionDir, maxSize)
	if err != nil {
		return "", err
	}
	for _, f := range files {
		if path.Ext(f.path) != ".yaml" {
			continue
		}
		data, err := f.data()
		if err != nil {
			continue // validate reports it; it cannot prove a success
		}
		if r, err := record.Parse(f.path, data); err == nil && success(r) {
			return r.ID(), nil
		}
	}
	matches, err := filepath.Glob(filepath.Join(root, layout.ContentDir, "execution", "*", "*.yaml"))
	if err != nil {
		return "", err
	}
	for _, m := range matches {
		rel, _ := filepath.Rel(root, m)
		r, err := record.ReadFields(m, filepath.ToSlash(rel), maxSize)
		if err != nil {
			continue // validate reports it; it cannot prove a success
		}
		if success(r) {
			return r.ID(), nil
		}
	}
	return "", nil
}

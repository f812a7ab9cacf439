package gitrepo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/index"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
)

// syncWorktree brings the index and the work tree of a checked-out branch
// from oldTree to newTree, touching only the paths that differ between the
// two trees (never scanning the work tree). A file is written or removed
// only when the work tree still holds what the old tree had (or nothing):
// local edits are kept and show up as modified, as with `git checkout`.
// Index entries get the files' stat data, so `git status` sees them clean
// without re-reading them. The index is written through index.lock, as git
// does.
func syncWorktree(ctx context.Context, s storer.EncodedObjectStorer, gitdir, wt string, lk *repoLock, oldTree, newTree plumbing.Hash) error {
	var dels, puts []treeDelta
	err := diffTrees(s, oldTree, newTree, func(d treeDelta) error {
		if d.To.Hash.IsZero() {
			dels = append(dels, d)
		} else {
			puts = append(puts, d)
		}
		return nil
	}, nil)
	if err != nil {
		return err
	}
	return applyDeltas(ctx, s, gitdir, wt, lk, oldTree, dels, puts)
}

// applyDeltas makes the index and the work tree follow the given tree
// deltas (dels: paths the new tree no longer has; puts: paths it adds or
// changes), as syncWorktree describes. oldTree is the tree the index
// reflected, to tell a missing index from a new repository.
func applyDeltas(ctx context.Context, s storer.EncodedObjectStorer, gitdir, wt string, lk *repoLock, oldTree plumbing.Hash, dels, puts []treeDelta) error {
	if len(dels)+len(puts) == 0 {
		return nil
	}
	indexPath := filepath.Join(gitdir, "index")
	lock, err := createLockFile(ctx, indexPath+".lock", 5*time.Second, lk)
	if err != nil {
		return err
	}
	entries := make(map[string]*index.Entry, len(dels)+len(puts))
	for _, d := range dels {
		removeClean(wt, d)
		entries[d.Path] = nil
	}
	for _, d := range puts {
		e, err := checkout(s, wt, lk, d)
		if err != nil {
			abortLockFile(lock)
			return err
		}
		entries[d.Path] = e
	}
	data, err := os.ReadFile(indexPath)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if !oldTree.IsZero() && oldTree != emptyTree {
			abortLockFile(lock)
			return errors.New("工作区缺少索引文件 .git/index：请在该仓库执行 git reset 重建索引")
		}
		data, err = encodeIndex(&index.Index{Version: 2}, entries)
	case err == nil:
		var edited []byte
		edited, err = editIndex(data, entries)
		if errors.Is(err, errIndexFormat) {
			edited, err = slowEditIndex(data, entries)
		}
		data = edited
	}
	if err != nil {
		abortLockFile(lock)
		return fmt.Errorf("读取或更新索引 .git/index 失败（%w）：提交已完成，可执行 git reset 刷新索引", err)
	}
	return commitLockFile(lock, indexPath, data)
}

// slowEditIndex edits an index the fast path does not handle (version 4)
// with go-git's decoder and encoder, dropping all extensions.
func slowEditIndex(data []byte, entries map[string]*index.Entry) ([]byte, error) {
	idx := &index.Index{}
	if err := index.NewDecoder(bytes.NewReader(data)).Decode(idx); err != nil {
		return nil, err
	}
	return encodeIndex(idx, entries)
}

func encodeIndex(idx *index.Index, entries map[string]*index.Entry) ([]byte, error) {
	kept := idx.Entries[:0]
	for _, e := range idx.Entries {
		if _, changed := entries[e.Name]; !changed {
			kept = append(kept, e)
		}
	}
	idx.Entries = kept
	for _, e := range entries {
		if e != nil {
			idx.Entries = append(idx.Entries, e)
		}
	}
	idx.Cache, idx.ResolveUndo, idx.EndOfIndexEntry = nil, nil, nil
	var buf bytes.Buffer
	if err := index.NewEncoder(&buf).Encode(idx); err != nil {
		return nil, fmt.Errorf("encode index: %w", err)
	}
	return buf.Bytes(), nil
}

// worktreeHash returns the blob hash of what is at path in the work tree,
// read as an entry of the given mode would be, and whether it exists.
func worktreeHash(path string, mode filemode.FileMode) (plumbing.Hash, bool) {
	fi, err := os.Lstat(path)
	if err != nil {
		return plumbing.ZeroHash, false
	}
	var data []byte
	switch {
	case fi.Mode()&fs.ModeSymlink != 0 && mode == filemode.Symlink:
		target, err := os.Readlink(path)
		if err != nil {
			return plumbing.ZeroHash, true
		}
		data = []byte(target)
	case fi.Mode().IsRegular():
		if data, err = os.ReadFile(path); err != nil {
			return plumbing.ZeroHash, true
		}
	default:
		return plumbing.ZeroHash, true // a directory or another kind of file
	}
	return plumbing.ComputeHash(plumbing.BlobObject, data), true
}

// removeClean deletes a file the new tree no longer has, unless it was
// edited locally, and then its directories that became empty.
func removeClean(wt string, d treeDelta) {
	if d.From.Mode == filemode.Submodule {
		return
	}
	full := filepath.Join(wt, filepath.FromSlash(d.Path))
	if h, ok := worktreeHash(full, d.From.Mode); !ok || h != d.From.Hash {
		return
	}
	if os.Remove(full) != nil {
		return
	}
	for dir := filepath.Dir(full); dir != wt && strings.HasPrefix(dir, wt); dir = filepath.Dir(dir) {
		if os.Remove(dir) != nil {
			return
		}
	}
}

// checkout makes the work tree hold the delta's new blob when that is safe
// and returns its index entry.
func checkout(s storer.EncodedObjectStorer, wt string, lk *repoLock, d treeDelta) (*index.Entry, error) {
	e := &index.Entry{Name: d.Path, Hash: d.To.Hash, Mode: d.To.Mode}
	if d.To.Mode == filemode.Submodule {
		return e, nil
	}
	full := filepath.Join(wt, filepath.FromSlash(d.Path))
	cur, exists := worktreeHash(full, d.To.Mode)
	if cur != d.To.Hash {
		clean := !exists || (!d.From.Hash.IsZero() && cur == d.From.Hash)
		if !clean {
			return e, nil // edited locally: no stat data, git shows it modified
		}
		if err := writeWorktreeFile(s, full, d.To, lk); err != nil {
			if errors.Is(err, errNotWritten) {
				return e, nil
			}
			return nil, err
		}
	}
	fi, err := os.Lstat(full)
	if err != nil {
		return e, nil
	}
	fillStat(e, fi)
	return e, nil
}

var errNotWritten = errors.New("path blocked")

// writeWorktreeFile writes a blob to the work tree through a temporary file
// and a rename, so a reader never sees half a file.
func writeWorktreeFile(s storer.EncodedObjectStorer, full string, te object.TreeEntry, lk *repoLock) error {
	blob, err := object.GetBlob(s, te.Hash)
	if err != nil {
		return fmt.Errorf("read blob %s: %w", te.Hash, err)
	}
	r, err := blob.Reader()
	if err != nil {
		return err
	}
	data, err := io.ReadAll(r)
	_ = r.Close()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		return errNotWritten // a file stands where a directory should
	}
	if fi, err := os.Lstat(full); err == nil && fi.IsDir() {
		return errNotWritten
	}
	// The runner's own temporary files use this prefix too, and it removes
	// old ones; the lock journal removes ours after a crash.
	tmp := filepath.Join(filepath.Dir(full), ".opsbook-tmp-"+filepath.Base(full))
	lk.note(tmp)
	_ = os.Remove(tmp)
	if te.Mode == filemode.Symlink {
		if err := os.Symlink(string(data), tmp); err != nil {
			return fmt.Errorf("write %s: %w", full, err)
		}
	} else {
		perm := os.FileMode(0o644)
		if te.Mode == filemode.Executable {
			perm = 0o755
		}
		if err := os.WriteFile(tmp, data, perm); err != nil {
			_ = os.Remove(tmp)
			return fmt.Errorf("write %s: %w", full, err)
		}
	}
	if err := os.Rename(tmp, full); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("write %s: %w", full, err)
	}
	return nil
}

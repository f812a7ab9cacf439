package gitrepo

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/storer"
)

// errRefMoved means a local ref changed under us (another process).
var errRefMoved = errors.New("ref moved")

// readRef returns the commit a ref points at, or the zero hash when the ref
// does not exist.
func readRef(s storer.ReferenceStorer, name plumbing.ReferenceName) (plumbing.Hash, error) {
	ref, err := s.Reference(name)
	if errors.Is(err, plumbing.ErrReferenceNotFound) {
		return plumbing.ZeroHash, nil
	}
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("read %s: %w", name, err)
	}
	if ref.Type() != plumbing.HashReference {
		return plumbing.ZeroHash, fmt.Errorf("%s 是符号引用，不能作为提交目标", name)
	}
	return ref.Hash(), nil
}

// writeRef points name at new through "<ref>.lock" and a rename, as git
// does, so a crash never leaves a half-written ref and git commands running
// at the same time are excluded. With check, the ref must still point at old
// (zero = must not exist).
func writeRef(ctx context.Context, gitdir string, s storer.ReferenceStorer, lk *repoLock, name plumbing.ReferenceName, old, new plumbing.Hash, check bool) error {
	path := filepath.Join(gitdir, filepath.FromSlash(name.String()))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("update %s: %w", name, err)
	}
	f, err := createLockFile(ctx, path+".lock", 3*time.Second, lk)
	if err != nil {
		return err
	}
	if check {
		cur, err := readRef(s, name)
		if err != nil {
			abortLockFile(f)
			return err
		}
		if cur != old {
			abortLockFile(f)
			return fmt.Errorf("%s: expected %s, found %s: %w", name, short(old), short(cur), errRefMoved)
		}
	}
	return commitLockFile(f, path, []byte(new.String()+"\n"))
}

func short(h plumbing.Hash) string {
	if h.IsZero() {
		return "(none)"
	}
	return h.String()[:10]
}

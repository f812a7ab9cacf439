package gitrepo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// Snapshot reads files as they are at branch tips, without a work tree:
// the records on the main line, and records that exist only on other
// branches (change plans still under review). Open one with OpenSnapshot;
// it is not safe for concurrent use.
type Snapshot struct {
	r *git.Repository
}

// Branch is the tip of a local ("main") or remote-tracking ("origin/main")
// branch.
type Branch struct {
	Name   string // short name: "main", "origin/main"
	Commit string
	Remote bool // a remote-tracking branch
}

// TreeFile is one file of a tree.
type TreeFile struct {
	Path string // repository-relative, slash-separated
	Blob string // the blob's hash: equal hashes mean equal content
	Size int64
}

// OpenSnapshot opens the repository holding root.
func OpenSnapshot(root string) (*Snapshot, error) {
	r, err := git.PlainOpenWithOptions(root, &git.PlainOpenOptions{DetectDotGit: true})
	if errors.Is(err, git.ErrRepositoryNotExists) {
		return nil, ErrNotRepository
	}
	if err != nil {
		return nil, fmt.Errorf("open git repository: %w", err)
	}
	return &Snapshot{r: r}, nil
}

// MainLine returns the revision to read the main line from: branch when it
// resolves, else origin/branch (a CI checkout of a pull request often has
// no local main). The error says how to fix a missing branch.
func (s *Snapshot) MainLine(branch string) (string, error) {
	if branch == "" {
		branch = "main"
	}
	if _, err := s.r.ResolveRevision(plumbing.Revision(branch)); err == nil {
		return branch, nil
	}
	if !strings.Contains(branch, "/") {
		if _, err := s.r.ResolveRevision(plumbing.Revision("origin/" + branch)); err == nil {
			return "origin/" + branch, nil
		}
	}
	return "", fmt.Errorf("找不到主分支 %s（本地和 origin/%s 都没有）：请用 --branch 指定主分支；CI 中检出时设置 fetch-depth: 0 以取得完整历史和分支", branch, branch)
}

// Branches lists the local and remote-tracking branches, sorted by name;
// symbolic references (origin/HEAD) are left out.
func (s *Snapshot) Branches() ([]Branch, error) {
	refs, err := s.r.References()
	if err != nil {
		return nil, fmt.Errorf("list branches: %w", err)
	}
	var out []Branch
	err = refs.ForEach(func(ref *plumbing.Reference) error {
		n := ref.Name()
		if ref.Type() != plumbing.HashReference || !(n.IsBranch() || n.IsRemote()) || strings.HasSuffix(n.String(), "/HEAD") {
			return nil
		}
		out = append(out, Branch{Name: n.Short(), Commit: ref.Hash().String(), Remote: n.IsRemote()})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list branches: %w", err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// DetachedHead returns HEAD's commit when HEAD is detached (a CI checkout
// of a pull request), "" when it names a branch or there is no commit.
func (s *Snapshot) DetachedHead() string {
	ref, err := s.r.Reference(plumbing.HEAD, false)
	if err != nil || ref.Type() != plumbing.HashReference {
		return ""
	}
	return ref.Hash().String()
}

// Files lists the files under dir (e.g. "content/change/") at revision
// rev, sorted by path; none when dir does not exist there.
func (s *Snapshot) Files(ctx context.Context, rev, dir string) ([]TreeFile, error) {
	h, err := s.r.ResolveRevision(plumbing.Revision(rev))
	if err != nil {
		return nil, fmt.Errorf("找不到 %s：%w", rev, err)
	}
	c, err := s.r.CommitObject(*h)
	if err != nil {
		return nil, fmt.Errorf("读取提交 %s 失败：%w", short(*h), err)
	}
	t, err := c.Tree()
	if err != nil {
		return nil, fmt.Errorf("读取提交 %s 的目录树失败：%w", short(*h), err)
	}
	dir = strings.Trim(dir, "/")
	if dir != "" {
		t, err = t.Tree(dir)
		if errors.Is(err, object.ErrDirectoryNotFound) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("读取 %s:%s 失败：%w", rev, dir, err)
		}
		dir += "/"
	}
	var out []TreeFile
	err = t.Files().ForEach(func(f *object.File) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		out = append(out, TreeFile{Path: dir + f.Name, Blob: f.Hash.String(), Size: f.Size})
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

// Read returns a blob's content; a blob over maxSize bytes (> 0) is an
// error naming the size.
func (s *Snapshot) Read(blob string, maxSize int64) ([]byte, error) {
	b, err := s.r.BlobObject(plumbing.NewHash(blob))
	if err != nil {
		return nil, fmt.Errorf("读取对象 %s 失败：%w", blob[:min(len(blob), 10)], err)
	}
	if maxSize > 0 && b.Size > maxSize {
		return nil, fmt.Errorf("文件有 %d 字节，超过上限 %d 字节", b.Size, maxSize)
	}
	rd, err := b.Reader()
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	return io.ReadAll(rd)
}

// Contains reports whether commit is reachable from revision rev (a
// branch already merged into it).
func (s *Snapshot) Contains(rev, commit string) (bool, error) {
	h, err := s.r.ResolveRevision(plumbing.Revision(rev))
	if err != nil {
		return false, fmt.Errorf("找不到 %s：%w", rev, err)
	}
	tip, err := s.r.CommitObject(*h)
	if err != nil {
		return false, err
	}
	c, err := s.r.CommitObject(plumbing.NewHash(commit))
	if err != nil {
		return false, err
	}
	return c.IsAncestor(tip)
}

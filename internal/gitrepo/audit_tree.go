package gitrepo

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// Tree reading for AuditTrail: diffs restricted to the prefix, path
// lookups, and a cache of decoded trees.

// fileIn returns the blob of path in commit (zero when absent).
func (w *auditWalk) fileIn(commit plumbing.Hash, path string) (plumbing.Hash, error) {
	root, err := w.treeOf(commit)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	e, err := w.entry(root, path)
	if err != nil || e.Mode == filemode.Dir {
		return plumbing.ZeroHash, err
	}
	return e.Hash, nil
}

// entry finds path in a tree; a zero entry when absent.
func (w *auditWalk) entry(tree plumbing.Hash, path string) (object.TreeEntry, error) {
	var none object.TreeEntry
	parts := strings.Split(path, "/")
	for i, name := range parts {
		entries, err := w.tree(tree)
		if err != nil {
			return none, err
		}
		var found *object.TreeEntry
		for j := range entries {
			if entries[j].Name == name {
				found = &entries[j]
				break
			}
		}
		if found == nil {
			return none, nil
		}
		if i == len(parts)-1 {
			return *found, nil
		}
		if found.Mode != filemode.Dir {
			return none, nil
		}
		tree = found.Hash
	}
	return none, nil
}

// sub returns the tree at w.dir inside a root tree (zero when absent).
func (w *auditWalk) sub(root plumbing.Hash) (plumbing.Hash, error) {
	if w.dir == "" || root.IsZero() {
		return root, nil
	}
	if h, ok := w.subs[root]; ok {
		return h, nil
	}
	e, err := w.entry(root, strings.TrimSuffix(w.dir, "/"))
	if err != nil {
		return plumbing.ZeroHash, err
	}
	h := plumbing.ZeroHash
	if e.Mode == filemode.Dir {
		h = e.Hash
	}
	w.subs[root] = h
	return h, nil
}

// diff returns the files under the prefix that differ between two root
// trees (zero = empty), with full paths. Submodules are not files. With
// dirs, only directories in it ("content/kb/") are descended into.
func (w *auditWalk) diff(a, b plumbing.Hash, dirs map[string]bool) ([]treeDelta, error) {
	sa, err := w.sub(a)
	if err != nil {
		return nil, err
	}
	sb, err := w.sub(b)
	if err != nil {
		return nil, err
	}
	var out []treeDelta
	err = w.diffDir(sa, sb, w.dir, dirs, func(d treeDelta) {
		if strings.HasPrefix(d.Path, w.prefix) && d.From.Mode != filemode.Submodule && d.To.Mode != filemode.Submodule {
			out = append(out, d)
		}
	})
	return out, err
}

// diffDir reports the files that differ between trees a and b (zero =
// absent) below dir, descending only into subtrees whose hashes differ. It
// merges the two sorted entry lists; git sorts a directory as if its name
// ended in "/", so a file replaced by a directory of the same name shows as
// the file's deletion and the directory's files' addition.
func (w *auditWalk) diffDir(a, b plumbing.Hash, dir string, dirs map[string]bool, fn func(treeDelta)) error {
	if a == b {
		return nil
	}
	ea, err := w.tree(a)
	if err != nil {
		return err
	}
	eb, err := w.tree(b)
	if err != nil {
		return err
	}
	var none object.TreeEntry
	i, j := 0, 0
	for i < len(ea) || j < len(eb) {
		var c int
		switch {
		case i == len(ea):
			c = 1
		case j == len(eb):
			c = -1
		default:
			c = strings.Compare(treeSortKey(ea[i]), treeSortKey(eb[j]))
		}
		var x, y object.TreeEntry
		switch {
		case c < 0:
			x = ea[i]
			i++
		case c > 0:
			y = eb[j]
			j++
		default:
			x, y = ea[i], eb[j]
			i, j = i+1, j+1
			if x.Hash == y.Hash && x.Mode == y.Mode {
				continue
			}
		}
		if x.Mode == filemode.Dir || y.Mode == filemode.Dir {
			var sa, sb plumbing.Hash
			if x.Mode == filemode.Dir {
				sa = x.Hash
			}
			if y.Mode == filemode.Dir {
				sb = y.Hash
			}
			name := x.Name
			if name == "" {
				name = y.Name
			}
			if sub := dir + name + "/"; dirs == nil || dirs[sub] {
				if err := w.diffDir(sa, sb, sub, dirs, fn); err != nil {
					return err
				}
			}
			continue
		}
		if x.Hash.IsZero() {
			x = none
		}
		name := x.Name
		if name == "" {
			name = y.Name
		}
		fn(treeDelta{Path: dir + name, From: x, To: y})
	}
	return nil
}

func treeSortKey(e object.TreeEntry) string {
	if e.Mode == filemode.Dir {
		return e.Name + "/"
	}
	return e.Name
}

// tree returns a tree's entries (none for the zero hash), decoded once:
// consecutive commits share most of their trees. The cache keeps two
// generations of about treeCacheEntries entries each, a cheap LRU.
func (w *auditWalk) tree(h plumbing.Hash) ([]object.TreeEntry, error) {
	if h.IsZero() || h == emptyTree {
		return nil, nil
	}
	if e, ok := w.cur[h]; ok {
		return e, nil
	}
	e, ok := w.old[h]
	if !ok {
		var err error
		if e, err = w.decodeTree(h); err != nil {
			return nil, fmt.Errorf("read tree %s: %w", h, err)
		}
	}
	if w.cur == nil || w.curSize+len(e) > treeCacheEntries {
		w.old, w.cur, w.curSize = w.cur, map[plumbing.Hash][]object.TreeEntry{}, 0
	}
	w.cur[h] = e
	w.curSize += len(e)
	return e, nil
}

// decodeTree reads a tree object's entries ("<octal mode> <name>\0<hash>"
// each). It is go-git's Tree.Decode without the per-entry buffered string
// reads and sort checks, which dominated the walk.
func (w *auditWalk) decodeTree(h plumbing.Hash) ([]object.TreeEntry, error) {
	o, err := w.s.EncodedObject(plumbing.TreeObject, h)
	if err != nil {
		return nil, err
	}
	r, err := o.Reader()
	if err != nil {
		return nil, err
	}
	w.buf.Reset()
	_, err = w.buf.ReadFrom(r)
	if cerr := r.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	data := w.buf.Bytes()
	entries := make([]object.TreeEntry, 0, bytes.Count(data, []byte{0}))
	for len(data) > 0 {
		sp := bytes.IndexByte(data, ' ')
		if sp <= 0 {
			return nil, errors.New("malformed tree: mode")
		}
		var mode uint32
		for _, c := range data[:sp] {
			if c < '0' || c > '7' {
				return nil, errors.New("malformed tree: mode")
			}
			mode = mode<<3 | uint32(c-'0')
		}
		data = data[sp+1:]
		nul := bytes.IndexByte(data, 0)
		if nul <= 0 || len(data) < nul+1+len(plumbing.ZeroHash) {
			return nil, errors.New("malformed tree: name or hash")
		}
		e := object.TreeEntry{Name: string(data[:nul]), Mode: filemode.FileMode(mode)}
		copy(e.Hash[:], data[nul+1:])
		entries = append(entries, e)
		data = data[nul+1+len(e.Hash):]
	}
	return entries, nil
}

// treeCacheEntries bounds each generation of the tree cache (about 100
// bytes an entry).
const treeCacheEntries = 200000

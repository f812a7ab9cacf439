package gitrepo

import (
	"fmt"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
)

// fileChange is one path of a tree edit: the blob it now points at (zero
// hash = delete) and its mode (0 = keep the existing mode, or regular file).
type fileChange struct {
	path string
	hash plumbing.Hash
	mode filemode.FileMode
}

// emptyTree is the hash of the tree with no entries.
var emptyTree = plumbing.NewHash("4b825dc642cb6eb9a060e54bf8d69288fbee4904")

// checkPath rejects paths git would refuse or that could escape the work tree.
func checkPath(p string) error {
	if p == "" || strings.HasPrefix(p, "/") || strings.HasSuffix(p, "/") ||
		strings.ContainsAny(p, "\\\x00") {
		return fmt.Errorf("路径 %q 不合法：应是仓库内以 / 分隔的相对路径", p)
	}
	for _, c := range strings.Split(p, "/") {
		if c == "" || c == "." || c == ".." || isDotGit(c) {
			return fmt.Errorf("路径 %q 不合法：不能含空段、.、.. 或 .git", p)
		}
	}
	return nil
}

// isDotGit matches the names git refuses in trees because a file system
// may treat them as ".git" (case, trailing dots and spaces, the NTFS short
// name).
func isDotGit(c string) bool {
	c = strings.ToLower(strings.TrimRight(c, ". "))
	return c == ".git" || c == "git~1"
}

// treeNode groups changes by path component.
type treeNode struct {
	leaf     *fileChange
	children map[string]*treeNode
}

func buildNodes(changes []fileChange) (*treeNode, error) {
	root := &treeNode{children: map[string]*treeNode{}}
	for i := range changes {
		c := &changes[i]
		parts := strings.Split(c.path, "/")
		n := root
		for j, part := range parts {
			if n.leaf != nil {
				return nil, fmt.Errorf("路径冲突：%q 既是文件又是目录", strings.Join(parts[:j], "/"))
			}
			child := n.children[part]
			if child == nil {
				child = &treeNode{children: map[string]*treeNode{}}
				n.children[part] = child
			}
			n = child
		}
		if n.leaf != nil {
			return nil, fmt.Errorf("路径 %q 在同一次提交中出现了两次", c.path)
		}
		if len(n.children) > 0 {
			return nil, fmt.Errorf("路径冲突：%q 既是文件又是目录", c.path)
		}
		n.leaf = c
	}
	return root, nil
}

// treeWriter edits trees in an object store, remembering every object it
// writes so that a push can send exactly those.
type treeWriter struct {
	s       storer.EncodedObjectStorer
	created []plumbing.Hash
}

// apply returns the hash of base (a tree hash; zero = empty) with changes
// applied. Only the trees on the changed paths are read and rewritten.
func (w *treeWriter) apply(base plumbing.Hash, changes []fileChange) (plumbing.Hash, error) {
	root, err := buildNodes(changes)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	h, err := w.applyNode(base, root, "")
	if err != nil {
		return plumbing.ZeroHash, err
	}
	if h.IsZero() {
		return w.write(&object.Tree{})
	}
	return h, nil
}

func (w *treeWriter) applyNode(base plumbing.Hash, n *treeNode, dir string) (plumbing.Hash, error) {
	entries, err := readEntries(w.s, base)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	byName := make(map[string]int, len(entries))
	for i, e := range entries {
		byName[e.Name] = i
	}
	removed := map[string]bool{}
	set := func(e object.TreeEntry) {
		if i, ok := byName[e.Name]; ok {
			entries[i] = e
			delete(removed, e.Name)
			return
		}
		byName[e.Name] = len(entries)
		entries = append(entries, e)
	}
	for name, child := range n.children {
		full := dir + name
		i, exists := byName[name]
		var cur object.TreeEntry
		if exists && !removed[name] {
			cur = entries[i]
		} else {
			exists = false
		}
		if child.leaf != nil {
			c := child.leaf
			if exists && cur.Mode == filemode.Dir {
				return plumbing.ZeroHash, fmt.Errorf("路径 %q 在仓库中是目录，不能作为文件写入或删除", full)
			}
			if c.hash.IsZero() {
				if exists {
					removed[name] = true
				}
				continue
			}
			mode := c.mode
			if mode == 0 {
				mode = filemode.Regular
				if exists {
					mode = cur.Mode
				}
			}
			set(object.TreeEntry{Name: name, Mode: mode, Hash: c.hash})
			continue
		}
		var sub plumbing.Hash
		if exists {
			if cur.Mode != filemode.Dir {
				return plumbing.ZeroHash, fmt.Errorf("路径冲突：%q 在仓库中是文件，不能作为目录", full)
			}
			sub = cur.Hash
		}
		h, err := w.applyNode(sub, child, full+"/")
		if err != nil {
			return plumbing.ZeroHash, err
		}
		if h.IsZero() {
			if exists {
				removed[name] = true
			}
			continue
		}
		set(object.TreeEntry{Name: name, Mode: filemode.Dir, Hash: h})
	}
	kept := entries[:0]
	for _, e := range entries {
		if !removed[e.Name] {
			kept = append(kept, e)
		}
	}
	if len(kept) == 0 {
		return plumbing.ZeroHash, nil
	}
	sort.Sort(object.TreeEntrySorter(kept))
	t := &object.Tree{Entries: kept}
	h, err := hashTree(t)
	if err != nil || h == base {
		return h, err
	}
	return w.write(t)
}

func hashTree(t *object.Tree) (plumbing.Hash, error) {
	o := &plumbing.MemoryObject{}
	if err := t.Encode(o); err != nil {
		return plumbing.ZeroHash, err
	}
	return o.Hash(), nil
}

func (w *treeWriter) write(t *object.Tree) (plumbing.Hash, error) {
	o := w.s.NewEncodedObject()
	if err := t.Encode(o); err != nil {
		return plumbing.ZeroHash, fmt.Errorf("encode tree: %w", err)
	}
	h, err := w.s.SetEncodedObject(o)
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("write tree: %w", err)
	}
	w.created = append(w.created, h)
	return h, nil
}

// writeBlob stores content as a blob.
func writeBlob(s storer.EncodedObjectStorer, content []byte) (plumbing.Hash, error) {
	o := s.NewEncodedObject()
	o.SetType(plumbing.BlobObject)
	o.SetSize(int64(len(content)))
	wr, err := o.Writer()
	if err != nil {
		return plumbing.ZeroHash, err
	}
	if _, err := wr.Write(content); err != nil {
		_ = wr.Close()
		return plumbing.ZeroHash, err
	}
	if err := wr.Close(); err != nil {
		return plumbing.ZeroHash, err
	}
	h, err := s.SetEncodedObject(o)
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("write blob: %w", err)
	}
	return h, nil
}

// readEntries returns a copy of a tree's entries (none for the zero hash).
func readEntries(s storer.EncodedObjectStorer, h plumbing.Hash) ([]object.TreeEntry, error) {
	if h.IsZero() || h == emptyTree {
		return nil, nil
	}
	t, err := object.GetTree(s, h)
	if err != nil {
		return nil, fmt.Errorf("read tree %s: %w", h, err)
	}
	return append([]object.TreeEntry(nil), t.Entries...), nil
}

// treeDelta is one path that differs between two trees. A zero Hash on
// From or To means the path is absent on that side.
type treeDelta struct {
	Path     string
	From, To object.TreeEntry
}

// diffTrees walks two trees (zero = empty) and reports every file path that
// differs, descending only into subtrees whose hashes differ. newObject, if
// not nil, receives every tree and blob of b that a is missing at the same
// path: what a push of b on top of a must send.
func diffTrees(s storer.EncodedObjectStorer, a, b plumbing.Hash, fn func(treeDelta) error, newObject func(plumbing.Hash)) error {
	if a == b {
		return nil
	}
	if newObject != nil && !b.IsZero() {
		newObject(b)
	}
	return diffDir(s, a, b, "", fn, newObject)
}

func diffDir(s storer.EncodedObjectStorer, a, b plumbing.Hash, dir string, fn func(treeDelta) error, newObject func(plumbing.Hash)) error {
	ea, err := readEntries(s, a)
	if err != nil {
		return err
	}
	eb, err := readEntries(s, b)
	if err != nil {
		return err
	}
	inA := make(map[string]object.TreeEntry, len(ea))
	for _, e := range ea {
		inA[e.Name] = e
	}
	inB := make(map[string]object.TreeEntry, len(eb))
	for _, e := range eb {
		inB[e.Name] = e
	}
	names := make([]string, 0, len(ea)+len(eb))
	for _, e := range ea {
		if _, ok := inB[e.Name]; !ok {
			names = append(names, e.Name)
		}
	}
	for _, e := range eb {
		names = append(names, e.Name)
	}
	sort.Strings(names)
	var none object.TreeEntry
	for _, name := range names {
		x, okA := inA[name]
		y, okB := inB[name]
		if okA && okB && x.Hash == y.Hash && x.Mode == y.Mode {
			continue
		}
		path := dir + name
		aDir := okA && x.Mode == filemode.Dir
		bDir := okB && y.Mode == filemode.Dir
		var subA, subB plumbing.Hash
		if aDir {
			subA = x.Hash
		} else if okA && (!okB || bDir) { // a file removed, or replaced by a directory
			if err := fn(treeDelta{Path: path, From: x, To: none}); err != nil {
				return err
			}
		}
		if bDir {
			subB = y.Hash
			if newObject != nil {
				newObject(y.Hash)
			}
		}
		if aDir || bDir {
			if err := diffDir(s, subA, subB, path+"/", fn, newObject); err != nil {
				return err
			}
		}
		if okB && !bDir {
			if newObject != nil && y.Mode != filemode.Submodule {
				newObject(y.Hash)
			}
			from := none
			if okA && !aDir {
				from = x
			}
			if err := fn(treeDelta{Path: path, From: from, To: y}); err != nil {
				return err
			}
		}
	}
	return nil
}

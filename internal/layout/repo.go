// Package layout finds the ops repository on disk and indexes its record and
// runbook files by name, without reading them: a record's id is its file
// name, so references and duplicate ids resolve from one directory walk.
// Files in a record's attachment directory (content/<kind>/<year>/<id>/…)
// are listed apart, as attachments, never as records.
package layout

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// Top-level directories of an ops repository.
const (
	ContentDir = "content"
	RunbookDir = "runbooks"
	SchemaDir  = "schemas"
	ConfigFile = "opsbook.yaml"
)

// FindRoot returns the enclosing git work tree of dir (the directory holding
// .git), which is where opsbook expects content/ and schemas/.
func FindRoot(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for d := abs; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, ".git")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("%s 不在 git 仓库中；请在运维仓库内运行，或用 --repo 指定仓库目录", abs)
		}
	}
}

// Entry is one file under content/.
type Entry struct {
	Path string // repository-relative, slash-separated
	Kind string // first directory under content/ ("" when the file is not in one)
	Year string // second directory ("" when missing)
	Stem string // file name without extension: the record id
	Ext  string // ".yaml", ".md", …
	// Depth is the number of path elements below content/ (3 for a well-placed record).
	Depth int
	// Mode is the file type the directory walk saw (it follows no symbolic
	// link): 0 for a regular file. Anything else is never read as a record.
	Mode fs.FileMode
}

// Attachment is a file in a record's attachment directory, the directory
// named after the record next to it: content/<kind>/<year>/<id>/<name…>.
// Attachments are not records; they are listed apart from Entries.
type Attachment struct {
	Path  string // repository-relative, slash-separated
	Dir   string // the attachment directory, e.g. content/document/2026/DOC-2026-001
	Kind  string // first directory under content/
	Year  string // second directory
	Owner string // the directory's name: the id of the record it belongs to
	Name  string // path below Dir ("" when Dir itself is not a directory)
	// Mode is the file type seen by the directory walk, which never follows
	// symbolic links: a symlink is reported as one, not as its target.
	Mode fs.FileMode
}

// AttachmentDir is the attachment directory of the record at path rel:
// content/document/2026/DOC-2026-001.md → content/document/2026/DOC-2026-001.
func AttachmentDir(rel string) string { return strings.TrimSuffix(rel, path.Ext(rel)) }

// Index lists the record and runbook files of a repository.
type Index struct {
	Root    string
	Entries []Entry
	// Attachments are the files below content/<kind>/<year>/<dir>/, sorted
	// by path; a non-directory where such a directory would be (a symlink
	// named like a record) is listed with an empty Name.
	Attachments []Attachment
	byID        map[string][]int  // stem → entry indexes
	runbooks    map[string]string // runbook id (file stem) → path
}

// Scan walks content/ and runbooks/ under root. Hidden files and
// directories are skipped.
func Scan(root string) (*Index, error) {
	ix := &Index{Root: root, byID: map[string][]int{}, runbooks: map[string]string{}}
	contentRoot := filepath.Join(root, ContentDir)
	err := filepath.WalkDir(contentRoot, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && p == contentRoot {
				return fs.SkipAll
			}
			return err
		}
		if strings.HasPrefix(d.Name(), ".") && p != contentRoot {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		e := NewEntry(filepath.ToSlash(rel))
		switch {
		case e.Depth > 3:
			ix.addAttachment(e.Path, d.Type())
		case e.Depth == 3 && e.Ext == "" && !d.Type().IsRegular():
			// A symlink (or device) named like a record: where the record's
			// attachment directory would be. Not a record file.
			ix.addAttachment(e.Path, d.Type())
		default:
			e.Mode = d.Type()
			ix.add(e)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("扫描 %s：%w", contentRoot, err)
	}
	slices.SortFunc(ix.Attachments, func(a, b Attachment) int {
		if c := strings.Compare(a.Dir, b.Dir); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
	// runbooks/ is listed only when it is a real directory; a symlink or
	// other file in its place is listed as an entry, to be refused.
	var runbooks []fs.DirEntry
	if st, err := os.Lstat(filepath.Join(root, RunbookDir)); err == nil && !st.IsDir() && !st.Mode().IsRegular() {
		ix.add(Entry{Path: RunbookDir, Stem: RunbookDir, Depth: 1, Mode: st.Mode().Type()})
	} else if runbooks, err = os.ReadDir(filepath.Join(root, RunbookDir)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("读取 runbooks/：%w", err)
	}
	for _, f := range runbooks {
		if ext := path.Ext(f.Name()); !f.IsDir() && (ext == ".yaml" || ext == ".yml") {
			ix.runbooks[strings.TrimSuffix(f.Name(), ext)] = RunbookDir + "/" + f.Name()
		}
	}
	return ix, nil
}

// NewEntry describes the repository-relative path rel under content/.
func NewEntry(rel string) Entry {
	e := Entry{Path: rel}
	parts := strings.Split(strings.TrimPrefix(rel, ContentDir+"/"), "/")
	e.Depth = len(parts)
	if len(parts) > 1 {
		e.Kind = parts[0]
	}
	if len(parts) > 2 {
		e.Year = parts[1]
	}
	name := parts[len(parts)-1]
	e.Ext = strings.ToLower(path.Ext(name))
	e.Stem = strings.TrimSuffix(name, path.Ext(name))
	return e
}

func (ix *Index) addAttachment(rel string, mode fs.FileMode) {
	parts := strings.SplitN(strings.TrimPrefix(rel, ContentDir+"/"), "/", 4)
	a := Attachment{Path: rel, Kind: parts[0], Year: parts[1], Owner: parts[2], Mode: mode.Type()}
	a.Dir = ContentDir + "/" + strings.Join(parts[:3], "/")
	if len(parts) == 4 {
		a.Name = parts[3]
	}
	ix.Attachments = append(ix.Attachments, a)
}

// AttachmentsIn returns the attachments listed under dir, an attachment
// directory.
func (ix *Index) AttachmentsIn(dir string) []Attachment {
	i, _ := slices.BinarySearchFunc(ix.Attachments, dir, func(a Attachment, d string) int { return strings.Compare(a.Dir, d) })
	var out []Attachment
	for ; i < len(ix.Attachments) && ix.Attachments[i].Dir == dir; i++ {
		out = append(out, ix.Attachments[i])
	}
	return out
}

func (ix *Index) add(e Entry) {
	ix.byID[e.Stem] = append(ix.byID[e.Stem], len(ix.Entries))
	ix.Entries = append(ix.Entries, e)
}

// Lookup returns the entries whose file name is id.
func (ix *Index) Lookup(id string) []Entry {
	idx := ix.byID[id]
	out := make([]Entry, len(idx))
	for i, j := range idx {
		out[i] = ix.Entries[j]
	}
	return out
}

// Runbook returns the path of runbook id, if it exists.
func (ix *Index) Runbook(id string) (string, bool) {
	p, ok := ix.runbooks[id]
	return p, ok
}

// Runbooks returns the repository-relative paths of every runbook, sorted.
func (ix *Index) Runbooks() []string {
	out := make([]string, 0, len(ix.runbooks))
	for _, p := range ix.runbooks {
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}

// OfKind returns the entries in content/<kind>/.
func (ix *Index) OfKind(kind string) []Entry {
	var out []Entry
	for _, e := range ix.Entries {
		if e.Kind == kind {
			out = append(out, e)
		}
	}
	return out
}

// Abs returns the absolute file name of a repository-relative path.
func (ix *Index) Abs(rel string) string { return filepath.Join(ix.Root, filepath.FromSlash(rel)) }

// FindRootOrSelf returns dir itself as an absolute path: an explicit --repo
// need not be a git work tree (a generated benchmark repository is not).
func FindRootOrSelf(dir string) (string, error) { return filepath.Abs(dir) }

package attachment

import (
	"fmt"

	"github.com/opsbook/opsbook/internal/record"
)

// HashProblem is an attachment Hash could not register.
type HashProblem struct {
	// Path is the record (a listed attachment, with Line and Col of its
	// path) or, for an unlisted file, the file itself (Line 0).
	Path      string
	Line, Col int
	Unlisted  bool
	Err       error
}

func (p HashProblem) String() string {
	if p.Unlisted {
		return fmt.Sprintf("%s: 未登记：%v", p.Path, p.Err)
	}
	return fmt.Sprintf("%s:%d:%d: %v", p.Path, p.Line, p.Col, p.Err)
}

// Hashed is what Hash did to one record.
type Hashed struct {
	ID       string // the record's id (its file name when it has none)
	Listed   int    // attachments listed after hashing
	Updated  int    // listed attachments whose sha256 or size changed
	Added    int    // unlisted files added to the list
	Problems []HashProblem
	// Content is the rewritten record, nil when nothing changed.
	Content []byte
}

// Hash fills in the sha256 and size of the attachments the record data
// (at repository path rel, with file name stem) lists under `files:` and,
// for each name in unlisted that the list lacks, adds the file; it returns
// the record rewritten by RewriteFiles (everything but the files block
// kept byte for byte), or no content when the list is up to date. Files
// over maxSize (0: no cap) or that cannot be read are problems, left as
// they were. Hash only reads; the caller writes the record.
func Hash(root, rel, stem string, data []byte, maxSize int64, unlisted []string) (*Hashed, error) {
	r, err := record.Parse(rel, data)
	if err != nil {
		return nil, fmt.Errorf("%s：%w（先修正记录，运行 opsbook validate 查看）", rel, err)
	}
	refs := Refs(r.Fields)
	if list, _ := r.Fields["files"].([]any); len(list) != len(refs) {
		return nil, fmt.Errorf("%s：files 中有没有 path 的项；请先修正（运行 opsbook validate 查看）", rel)
	}
	h := &Hashed{ID: r.ID()}
	if h.ID == "" {
		h.ID = stem
	}
	listed := map[string]bool{}
	for i, ref := range refs {
		listed[ref.Path] = true
		info, err := Inspect(root, rel, ref.Path, maxSize, true)
		if err != nil {
			p := r.At(record.Pointer("files", fmt.Sprint(ref.Index), "path"))
			h.Problems = append(h.Problems, HashProblem{Path: rel, Line: p.Line, Col: p.Col, Err: err})
			continue
		}
		if ref.SHA256 != info.SHA256 || ref.Size != info.Size {
			refs[i].SHA256, refs[i].Size = info.SHA256, info.Size
			h.Updated++
		}
	}
	for _, name := range unlisted {
		if listed[name] || name == "" {
			continue
		}
		info, err := Inspect(root, rel, name, maxSize, true)
		if err != nil {
			h.Problems = append(h.Problems, HashProblem{Path: info.Path, Unlisted: true, Err: err})
			continue
		}
		refs = append(refs, Ref{Index: len(refs), Path: name, SHA256: info.SHA256, Size: info.Size})
		h.Added++
	}
	h.Listed = len(refs)
	if h.Updated == 0 && h.Added == 0 {
		return h, nil
	}
	out, err := RewriteFiles(data, rel, refs)
	if err != nil {
		return h, fmt.Errorf("%s：%w", rel, err)
	}
	h.Content = out
	return h, nil
}

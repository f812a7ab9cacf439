// Package store is the one writer of records: it places a record by the
// repository layout (content/<kind>/<year>/<id>.<ext>), checks it with the
// same rules as `opsbook validate` (the kind's schema, then internal/rules
// for that record against the repository), writes it atomically
// (internal/atomicfile: readers and a crash see the old file or the new,
// never a part) and, for callers that commit, hands over the checked file
// for gitrepo.Commit or gitrepo.CommitDerived instead of writing it.
//
// The runner, change runs, stats import, report generation and
// `opsbook docs hash` all write through a Store. What a caller does with
// violations is its policy: Put refuses a record that does not validate
// (stats import, reports); a change run keeps the record of what was done
// and reports the violations as warnings (Check, then Write).
//
// The store does not import git: a File has the shape of gitrepo.Change,
// so a committing caller converts it (gitrepo.Change(f)) and readers that
// write records (report, statsimport) stay free of the git packages.
package store

import (
	"errors"
	"fmt"
	"path"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/opsbook/opsbook/internal/atomicfile"
	"github.com/opsbook/opsbook/internal/diag"
	"github.com/opsbook/opsbook/internal/layout"
	"github.com/opsbook/opsbook/internal/record"
	"github.com/opsbook/opsbook/internal/rules"
)

// File is one record file: where it goes in the repository and its bytes.
// It has the fields of gitrepo.Change, so gitrepo.Change(f) hands it to git.
type File struct {
	Path    string // repository-relative, slash-separated: content/<kind>/<year>/<id>.<ext>
	Content []byte
}

// Path places the record id of kind, filed under year, by the repository
// layout: content/<kind>/<year>/<id><ext>, ext with its dot (".yaml", ".md").
func Path(kind, year, id, ext string) string {
	return path.Join(layout.ContentDir, kind, year, id+ext)
}

var yearDir = regexp.MustCompile(`^[0-9]{4}$`)

// CheckLayout reports whether rel is a record path by the repository
// layout; it needs no schemas, so a Store without rules still refuses to
// write a record anywhere else.
func CheckLayout(rel string) error {
	e := layout.NewEntry(rel)
	ok := path.Clean(rel) == rel && strings.HasPrefix(rel, layout.ContentDir+"/") && !strings.ContainsAny(rel, "\\\x00") &&
		e.Depth == 3 && e.Kind != "" && !strings.HasPrefix(e.Kind, ".") && yearDir.MatchString(e.Year) &&
		e.Stem != "" && !strings.HasPrefix(e.Stem, ".") && (e.Ext == ".yaml" || e.Ext == ".md")
	if !ok {
		return fmt.Errorf("记录路径 %q 不符合仓库布局：记录应放在 content/<类型>/<年份>/<编号>.yaml|.md", rel)
	}
	return nil
}

// Mode says whether a write may replace an existing file.
type Mode int

const (
	// Replace writes the file whether or not it exists.
	Replace Mode = iota
	// Create writes the file only if nothing is at its path; otherwise the
	// error satisfies errors.Is(err, fs.ErrExist) and nothing is changed.
	Create
)

// Store writes the records of one repository.
type Store struct {
	root  string
	rules *rules.Context
}

// New returns the store of the repository at root. rc holds the rules
// validate checks records with; nil makes a store that places and writes
// records without checking them (the runner, which loads no schemas:
// validate checks its records like any other).
func New(root string, rc *rules.Context) *Store {
	return &Store{root: root, rules: rc}
}

// Abs is the file system path of the repository-relative path rel.
func (s *Store) Abs(rel string) string { return filepath.Join(s.root, filepath.FromSlash(rel)) }

// InvalidError is a record that does not validate; it was not written.
type InvalidError struct {
	Path       string
	Violations []diag.Violation
}

func (e *InvalidError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s 未通过校验：", e.Path)
	for _, v := range e.Violations {
		b.WriteString("\n  " + v.String())
	}
	return b.String()
}

// Check returns what `opsbook validate` would report for f once written:
// where it lies, its size and syntax, its kind's schema, and the rules for
// that record against the repository (ids, references, time order, the
// kind's own rules, attachments). A store without rules reports nothing.
func (s *Store) Check(f File) []diag.Violation {
	if s.rules == nil {
		return nil
	}
	e := layout.NewEntry(f.Path)
	k, vs := s.rules.CheckPath(e)
	if k == nil {
		return vs
	}
	var maxSize int64
	if s.rules.Config != nil {
		maxSize = s.rules.Config.MaxFileSize
	}
	r, err := record.ParseLimited(f.Path, f.Content, maxSize)
	if err != nil {
		var le *record.Error
		if errors.As(err, &le) {
			return append(vs, diag.At(f.Path, le.Line, le.Col, le.Rule, "%s", le.Message))
		}
		return append(vs, diag.At(f.Path, 1, 1, "file/read", "%v", err))
	}
	return append(vs, s.rules.CheckRecord(r, e, k)...)
}

// Ready checks that f is placed by the layout and validates: the check a
// committing caller makes before handing f to git. The error is an
// *InvalidError when f does not validate.
func (s *Store) Ready(f File) error {
	if err := CheckLayout(f.Path); err != nil {
		return err
	}
	if vs := s.Check(f); len(vs) > 0 {
		return &InvalidError{Path: f.Path, Violations: vs}
	}
	return nil
}

// Put writes f atomically if it is Ready; otherwise nothing is written.
func (s *Store) Put(f File, m Mode) error {
	if err := s.Ready(f); err != nil {
		return err
	}
	return s.write(f, m)
}

// Write places and writes f atomically without checking it: for a record
// that must be kept even when it does not validate (a change run's record
// of what was done, which reports Check's violations as warnings), or an
// edit of one block of a record that validate checks as a whole (docs hash).
func (s *Store) Write(f File, m Mode) error {
	if err := CheckLayout(f.Path); err != nil {
		return err
	}
	return s.write(f, m)
}

func (s *Store) write(f File, m Mode) error {
	if m == Create {
		return atomicfile.Create(s.Abs(f.Path), f.Content)
	}
	return atomicfile.Write(s.Abs(f.Path), f.Content)
}

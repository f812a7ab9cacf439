package runner

import (
	"errors"
	"io/fs"
	"path"
	"strings"

	"github.com/opsbook/opsbook/internal/kind"
	"github.com/opsbook/opsbook/internal/record"
	"github.com/opsbook/opsbook/internal/repofile"
	"github.com/opsbook/opsbook/internal/store"
)

// source is where a run reads the records it builds on: the files of the
// branch tip it commits on (*gitrepo.Tree), or the work tree when it does
// not commit. Paths are repository-relative and slash-separated.
type source interface {
	ReadFile(rel string) ([]byte, error)
	ReadDir(rel string) ([]string, error)
}

// workTree reads the work tree through repofile: nothing outside the
// repository, no symlink and no special file is ever read.
type workTree struct{ root string }

func (w workTree) ReadFile(rel string) ([]byte, error) {
	return repofile.ReadFile(w.root, rel)
}

func (w workTree) ReadDir(rel string) ([]string, error) {
	d, err := repofile.Open(w.root)
	if err != nil {
		return nil, err
	}
	defer d.Close()
	entries, err := d.ReadDir(rel)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(entries))
	for i, e := range entries {
		names[i] = e.Name()
	}
	return names, nil
}

// exists reports whether anything is at rel.
func exists(src source, rel string) bool {
	_, err := src.ReadFile(rel)
	return !errors.Is(err, fs.ErrNotExist)
}

// openAnomaly is an anomaly record the runner opened and nobody closed yet.
type openAnomaly struct {
	ID, Path string // Path is repository-relative
	Data     []byte // the record as it is in the source
}

// openAnomalies finds the open anomalies of runbook id, by check name. It
// reads only anomaly records, and only their front matter matters.
func openAnomalies(src source, runbookID string, maxSize int64) (map[string]openAnomaly, error) {
	out := map[string]openAnomaly{}
	const dir = "content/anomaly"
	years, err := src.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return out, nil
	}
	if err != nil {
		return nil, err
	}
	for _, y := range years {
		files, err := src.ReadDir(path.Join(dir, y))
		if err != nil {
			continue // a file, not a year directory
		}
		for _, f := range files {
			if !strings.HasSuffix(f, ".md") || strings.HasPrefix(f, ".") {
				continue
			}
			rel := path.Join(dir, y, f)
			if store.CheckLayout(rel) != nil {
				continue // misplaced (a year directory that is no year): validate reports it, the store writes no such path
			}
			data, err := src.ReadFile(rel)
			if err != nil || (maxSize > 0 && int64(len(data)) > maxSize) {
				continue // opsbook validate reports it; the runner carries on
			}
			r, err := record.Parse(rel, data)
			if err != nil {
				continue
			}
			an, _ := kind.AnomalyFrom(r)
			if an.Runbook == runbookID && an.Check != "" && an.Status == "open" {
				out[an.Check] = openAnomaly{ID: an.ID, Path: rel, Data: data}
			}
		}
	}
	return out, nil
}

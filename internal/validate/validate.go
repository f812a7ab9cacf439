// Package validate checks the files of an ops repository, all of them or some
// against the whole: open the workspace (schemas, config, file index), then
// load and check each target file on every core, and collect the violations.
// It only checks files: it runs nothing, and knows no check kind; the
// runner's lint of runbooks comes in through RegisterRunbookLint.
package validate

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/opsbook/opsbook/internal/diag"
	"github.com/opsbook/opsbook/internal/layout"
	"github.com/opsbook/opsbook/internal/record"
	"github.com/opsbook/opsbook/internal/repofile"
	"github.com/opsbook/opsbook/internal/workspace"
)

// Options select what to validate.
type Options struct {
	Root    string   // repository root
	Paths   []string // files or directories (absolute, or relative to Dir); empty = all of content/
	Dir     string   // directory relative Paths are taken from; default the working directory
	Workers int      // default GOMAXPROCS
	// Progress, when set, is called now and then with files handed out so far.
	Progress func(done, total int)
}

// Result is what a validation found.
type Result struct {
	Violations []diag.Violation
	Summary    diag.Summary
}

// Run validates the repository at opts.Root.
func Run(ctx context.Context, opts Options) (*Result, error) {
	rp, err := workspace.Open(opts.Root)
	if err != nil {
		return nil, err
	}
	targets, atts, err := targets(rp, opts)
	if err != nil {
		return nil, err
	}
	res, err := check(ctx, rp, targets, opts.Workers, opts.Progress)
	if err != nil {
		return nil, err
	}
	if vs := rp.Rules.CheckAttachmentDirs(atts); len(vs) > 0 {
		res.Violations = append(res.Violations, vs...)
		diag.Sort(res.Violations)
		res.Summary.Violations = len(res.Violations)
	}
	return res, nil
}

// targets expands opts.Paths into index entries and the attachments whose
// directories need their owner checked; everything when empty. A path inside
// an attachment directory selects the record owning it.
func targets(rp *workspace.Workspace, opts Options) ([]layout.Entry, []layout.Attachment, error) {
	var runbooks []layout.Entry
	for _, p := range rp.Index.Runbooks() {
		runbooks = append(runbooks, layout.Entry{Path: p, Stem: strings.TrimSuffix(filepath.Base(p), filepath.Ext(p))})
	}
	if len(opts.Paths) == 0 {
		return append(slices.Clone(rp.Index.Entries), runbooks...), rp.Index.Attachments, nil
	}
	var atts []layout.Attachment
	dir := opts.Dir
	if dir == "" {
		dir, _ = os.Getwd()
	}
	var out []layout.Entry
	seen := map[string]bool{}
	for _, p := range opts.Paths {
		abs := p
		if !filepath.IsAbs(abs) {
			abs = filepath.Join(dir, p)
			if _, err := os.Stat(abs); err != nil || !within(rp.Root, abs) {
				// With --repo from elsewhere, paths are meant inside the repository.
				abs = filepath.Join(rp.Root, p)
			}
		}
		if !within(rp.Root, abs) {
			return nil, nil, fmt.Errorf("%s 不在仓库 %s 内", p, rp.Root)
		}
		rel, _ := filepath.Rel(rp.Root, abs)
		rel = filepath.ToSlash(rel)
		st, err := os.Lstat(abs)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil, nil, fmt.Errorf("%s 不存在", p)
			}
			return nil, nil, err
		}
		prefix := rel + "/"
		if rel == "." {
			prefix = ""
		}
		matched := false
		owners := map[string]bool{}
		for _, a := range rp.Index.Attachments {
			if a.Path == rel || strings.HasPrefix(a.Path, prefix) || strings.HasPrefix(rel, a.Dir+"/") || rel == a.Dir {
				atts = append(atts, a)
				owners[a.Dir] = true
				matched = true
			}
		}
		for _, e := range append(rp.Index.Entries, runbooks...) {
			if (e.Path == rel || (st.IsDir() && strings.HasPrefix(e.Path, prefix)) || owners[layout.AttachmentDir(e.Path)]) && !seen[e.Path] {
				seen[e.Path] = true
				out = append(out, e)
				matched = true
			}
		}
		if !matched && !st.IsDir() && !strings.HasPrefix(rel, layout.ContentDir+"/") {
			continue // not a record (code, docs, runbooks): nothing to check here
		}
	}
	slices.SortFunc(atts, func(a, b layout.Attachment) int { return strings.Compare(a.Path, b.Path) })
	atts = slices.CompactFunc(atts, func(a, b layout.Attachment) bool { return a.Path == b.Path })
	return out, atts, nil
}

func within(root, p string) bool {
	rel, err := filepath.Rel(root, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// Check loads and checks entries of the workspace on workers goroutines.
func Check(ctx context.Context, rp *workspace.Workspace, entries []layout.Entry, workers int) (*Result, error) {
	return check(ctx, rp, entries, workers, nil)
}

func check(ctx context.Context, rp *workspace.Workspace, entries []layout.Entry, workers int, progress func(done, total int)) (*Result, error) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	jobs := make(chan layout.Entry)
	type partial struct {
		vs      []diag.Violation
		records int
	}
	results := make([]partial, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for e := range jobs {
				vs, ok := CheckEntry(rp, e)
				results[w].vs = append(results[w].vs, vs...)
				if ok {
					results[w].records++
				}
			}
		}()
	}
	var cancelled error
	for i, e := range entries {
		if err := ctx.Err(); err != nil {
			cancelled = err
			break
		}
		if progress != nil && i%2000 == 0 {
			progress(i, len(entries))
		}
		jobs <- e
	}
	close(jobs)
	wg.Wait()
	if cancelled != nil {
		return nil, cancelled
	}
	res := &Result{Summary: diag.Summary{Files: len(entries)}}
	for _, p := range results {
		res.Violations = append(res.Violations, p.vs...)
		res.Summary.Records += p.records
	}
	diag.Sort(res.Violations)
	res.Summary.Violations = len(res.Violations)
	return res, nil
}

// CheckEntry loads and checks one file; ok reports whether it loaded as a record.
func CheckEntry(rp *workspace.Workspace, e layout.Entry) (vs []diag.Violation, ok bool) {
	if e.Mode.Type() != 0 {
		return []diag.Violation{diag.At(e.Path, 1, 1, "record/not-regular-file", "这是%s，不是普通文件；opsbook 不跟随符号链接（即使指向仓库内），也不读取管道、套接字或设备：请换成真实的文件或目录", repofile.What(e.Mode))}, false
	}
	if isRunbookPath(e.Path) {
		r, vs := CheckRunbook(rp, e.Path)
		return vs, r != nil
	}
	kind, vs := rp.Rules.CheckPath(e)
	if kind == nil {
		return vs, false
	}
	r, err := record.ReadFile(rp.Index.Abs(e.Path), e.Path, rp.Config.MaxFileSize)
	if err != nil {
		var le *record.Error
		if errors.As(err, &le) {
			return []diag.Violation{diag.At(e.Path, le.Line, le.Col, le.Rule, "%s", le.Message)}, false
		}
		return []diag.Violation{diag.At(e.Path, 1, 1, "file/read", "%v", err)}, false
	}
	return rp.Rules.CheckRecord(r, e, kind), true
}

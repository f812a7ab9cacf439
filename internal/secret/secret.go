// Package secret expands the secret references runbooks use — ${NAME} for an
// environment variable and ${file:PATH} for a file's content — only in
// memory, and redacts every expanded value (and its common encodings) from
// anything opsbook writes: records, commit messages, logs and errors.
package secret

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
)

var refRe = regexp.MustCompile(`\$\{(file:[^}]+|[A-Za-z_][A-Za-z0-9_]*)\}`)

// HasRef reports whether s contains a secret reference.
func HasRef(s string) bool { return refRe.MatchString(s) }

// Source looks references up.
type Source struct {
	Env      func(string) (string, bool)  // default os.LookupEnv
	ReadFile func(string) ([]byte, error) // default os.ReadFile
}

// Expander expands references and remembers every value it produced so a
// Redactor can remove them again.
type Expander struct {
	src      Source
	Redactor *Redactor
}

// NewExpander returns an expander over src, with a fresh Redactor.
func NewExpander(src Source) *Expander {
	if src.Env == nil {
		src.Env = os.LookupEnv
	}
	if src.ReadFile == nil {
		src.ReadFile = os.ReadFile
	}
	return &Expander{src: src, Redactor: &Redactor{}}
}

// Expand replaces every reference in s. A missing variable or unreadable
// file is an error naming the reference (never its value).
func (x *Expander) Expand(s string) (string, error) {
	var errs []error
	out := refRe.ReplaceAllStringFunc(s, func(m string) string {
		ref := m[2 : len(m)-1]
		var val string
		if path, ok := strings.CutPrefix(ref, "file:"); ok {
			data, err := x.src.ReadFile(path)
			if err != nil {
				errs = append(errs, fmt.Errorf("无法读取密钥文件 %s：%w", path, unwrapPath(err)))
				return m
			}
			val = strings.TrimRight(string(data), "\r\n")
		} else {
			v, ok := x.src.Env(ref)
			if !ok {
				errs = append(errs, fmt.Errorf("环境变量 %s 未设置（运行手册引用了 ${%s}）", ref, ref))
				return m
			}
			val = v
		}
		x.Redactor.Add(val, m)
		return val
	})
	return out, errors.Join(errs...)
}

// ExpandAll expands every string inside v (maps and lists included) and
// returns a deep copy; v is left untouched.
func (x *Expander) ExpandAll(v any) (any, error) {
	switch t := v.(type) {
	case string:
		return x.Expand(t)
	case map[string]any:
		out := make(map[string]any, len(t))
		var errs []error
		for k, item := range t {
			e, err := x.ExpandAll(item)
			errs = append(errs, err)
			out[k] = e
		}
		return out, errors.Join(errs...)
	case []any:
		out := make([]any, len(t))
		var errs []error
		for i, item := range t {
			e, err := x.ExpandAll(item)
			errs = append(errs, err)
			out[i] = e
		}
		return out, errors.Join(errs...)
	}
	return v, nil
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// MinLength is the shortest value redacted; shorter secrets would blank out
// ordinary text, so Add ignores them (and runbook validation warns).
const MinLength = 3

// Redactor replaces secret values with their references.
type Redactor struct {
	mu       sync.RWMutex
	pairs    []string // old, new, old, new … longest first
	replacer *strings.Replacer
}

// Add registers value (and its URL-encoded forms) to be replaced by ref.
func (r *Redactor) Add(value, ref string) {
	if len(value) < MinLength {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, v := range []string{value, url.QueryEscape(value), url.PathEscape(value), (&url.URL{User: url.User(value)}).String()[2:]} {
		v = strings.TrimSuffix(v, "@")
		if len(v) >= MinLength && !slices.Contains(r.pairs, v) {
			r.pairs = append(r.pairs, v, ref)
		}
	}
	// Longest first, so a secret containing another is replaced whole.
	type pair struct{ old, new string }
	ps := make([]pair, 0, len(r.pairs)/2)
	for i := 0; i < len(r.pairs); i += 2 {
		ps = append(ps, pair{r.pairs[i], r.pairs[i+1]})
	}
	slices.SortFunc(ps, func(a, b pair) int { return len(b.old) - len(a.old) })
	r.pairs = r.pairs[:0]
	for _, p := range ps {
		r.pairs = append(r.pairs, p.old, p.new)
	}
	r.replacer = strings.NewReplacer(r.pairs...)
}

// String redacts s.
func (r *Redactor) String(s string) string {
	if r == nil {
		return s
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.replacer == nil {
		return s
	}
	return r.replacer.Replace(s)
}

// Value redacts every string inside v, returning a copy.
func (r *Redactor) Value(v any) any {
	switch t := v.(type) {
	case string:
		return r.String(t)
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, item := range t {
			out[r.String(k)] = r.Value(item)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, item := range t {
			out[i] = r.Value(item)
		}
		return out
	case []map[string]any:
		out := make([]any, len(t))
		for i, item := range t {
			out[i] = r.Value(item)
		}
		return out
	case error:
		return r.String(t.Error())
	}
	return v
}

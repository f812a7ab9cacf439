// Package schema compiles the JSON Schemas in schemas/ (2020-12, authored as
// YAML) and validates records against them, turning each schema error into
// a Chinese message at the file:line:col of the offending value.
//
// A schema file that carries an `x-opsbook` block defines a record kind; its
// `x-ref` and `x-after` annotations tell the rules package which values are
// references to other records and which times must be ordered. Adding a kind
// is adding a schema file.
package schema

import (
	"errors"
	"fmt"
	"maps"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/opsbook/opsbook/internal/calendar"
	"github.com/opsbook/opsbook/internal/record"
	"github.com/opsbook/opsbook/internal/repofile"
)

// BaseURL is where schema files are registered; their $ids live under it.
const BaseURL = "https://opsbook.local/schemas/"

// Formats of records.
const (
	FormatYAML     = "yaml"
	FormatMarkdown = "markdown"
)

// Kind is one record kind, described by its schema file.
type Kind struct {
	Name     string   // e.g. "change"
	Label    string   // Chinese name, e.g. 变更
	Prefix   string   // ID prefix, e.g. CHG; empty for slug kinds
	Format   string   // FormatYAML or FormatMarkdown
	Sections []string // required non-empty level-2 headings in the body
	File     string   // schema file name, e.g. change.yaml
	Refs     []Ref    // values that name other records
	Afters   []After  // time values that must not precede a sibling
	// Attachments is true when records of the kind may have an attachment
	// directory next to them (x-opsbook.attachments), listed in `files:`.
	Attachments bool
	// Root is the kind's schema document as written, for tools that
	// generate from it (templates); resolve its $refs with Set.Resolve.
	Root map[string]any
	// EnumLabels maps a property's pointer pattern to value → Chinese label.
	EnumLabels map[string]map[string]string
	// Titles maps a property's pointer pattern ("/window/start",
	// "/items/*/status") to its Chinese title.
	Titles map[string]string

	schema *jsonschema.Schema
}

// Ext is the file extension records of the kind use.
func (k *Kind) Ext() string {
	if k.Format == FormatMarkdown {
		return ".md"
	}
	return ".yaml"
}

// Ref says that values at Pattern (JSON pointer tokens, "*" for any array
// index) are ids of records of kind Target ("runbook" for runbooks/).
type Ref struct {
	Pattern []string
	Target  string
}

// After says that in each object at Object, property Prop must not be
// earlier than property Sibling.
type After struct {
	Object        []string
	Prop, Sibling string
}

// Set is the compiled schemas of one repository.
type Set struct {
	Dir   string
	Kinds map[string]*Kind // record kinds, stored under content/
	// Runbook describes runbooks/*.yaml (x-opsbook.location: runbooks).
	Runbook *Kind
	config  *jsonschema.Schema
	docs    map[string]map[string]any
}

// Resolve follows a $ref written in schema file `file`, returning the file
// the target lives in and the target schema (nil when it does not resolve).
func (s *Set) Resolve(file, ref string) (string, map[string]any) {
	a := annotations{docs: s.docs}
	return a.resolve(file, ref)
}

// KindNames returns the kind names, sorted.
func (s *Set) KindNames() []string {
	names := make([]string, 0, len(s.Kinds))
	for n := range s.Kinds {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Load compiles every *.yaml schema in dir. dir and its files are opened
// beneath dir's parent (the repository) with internal/repofile: a symlink
// or other non-regular file is refused, never read.
func Load(dir string) (*Set, error) {
	parent, base := filepath.Split(filepath.Clean(dir))
	if parent == "" {
		parent = "."
	}
	d, err := repofile.Open(parent)
	if err != nil {
		return nil, fmt.Errorf("%s 中没有 schema 文件（*.yaml）；请在仓库根目录运行，或用 --repo 指定仓库：%w", dir, err)
	}
	defer d.Close()
	entries, err := d.ReadDir(base)
	var nr *repofile.NotRegularError
	if errors.As(err, &nr) {
		return nil, fmt.Errorf("%s:1:1: %v [record/not-regular-file]", base, nr)
	}
	var files []string
	for _, e := range entries {
		if ok, _ := path.Match("*.yaml", e.Name()); ok {
			files = append(files, base+"/"+e.Name())
		}
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%s 中没有 schema 文件（*.yaml）；请在仓库根目录运行，或用 --repo 指定仓库", dir)
	}
	c := newCompiler()
	docs := map[string]map[string]any{}
	for _, f := range files {
		data, err := d.ReadFile(f)
		if errors.As(err, &nr) {
			return nil, fmt.Errorf("%s:1:1: %v [record/not-regular-file]", f, nr)
		}
		if err != nil {
			return nil, fmt.Errorf("read schema: %w", err)
		}
		doc, _, err := record.ParseYAML(data)
		if err != nil {
			return nil, fmt.Errorf("schema %s:%w", f, err)
		}
		name := filepath.Base(f)
		docs[name] = doc
		if err := c.AddResource(BaseURL+name, doc); err != nil {
			return nil, fmt.Errorf("schema %s: %w", f, err)
		}
	}
	set := &Set{Dir: dir, Kinds: map[string]*Kind{}, docs: docs}
	for name, doc := range docs {
		sch, err := c.Compile(BaseURL + name)
		if err != nil {
			return nil, fmt.Errorf("编译 schema %s 失败：%w", name, err)
		}
		if name == "config.yaml" {
			set.config = sch
			continue
		}
		meta, ok := doc["x-opsbook"].(map[string]any)
		if !ok {
			continue // a library of $defs such as common.yaml
		}
		k := &Kind{File: name, schema: sch, Root: doc, EnumLabels: map[string]map[string]string{}, Titles: map[string]string{}}
		k.Name, _ = meta["kind"].(string)
		k.Label, _ = meta["label"].(string)
		k.Prefix, _ = meta["prefix"].(string)
		k.Format, _ = meta["format"].(string)
		k.Attachments, _ = meta["attachments"].(bool)
		if secs, ok := meta["sections"].([]any); ok {
			for _, s := range secs {
				if s, ok := s.(string); ok {
					k.Sections = append(k.Sections, s)
				}
			}
		}
		if k.Name == "" || (k.Format != FormatYAML && k.Format != FormatMarkdown) {
			return nil, fmt.Errorf("schema %s: x-opsbook 需要 kind 和 format（yaml 或 markdown）", name)
		}
		if _, dup := set.Kinds[k.Name]; dup || (set.Runbook != nil && set.Runbook.Name == k.Name) {
			return nil, fmt.Errorf("schema %s: 类型 %s 重复定义", name, k.Name)
		}
		a := annotations{docs: docs, kind: k}
		a.walk(name, doc, nil, 0)
		if loc, _ := meta["location"].(string); loc == "runbooks" {
			set.Runbook = k
			continue
		}
		set.Kinds[k.Name] = k
	}
	return set, nil
}

// newCompiler returns a compiler set up as every opsbook schema is compiled:
// draft 2020-12, formats asserted, the local-datetime format known.
func newCompiler() *jsonschema.Compiler {
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	c.RegisterFormat(&jsonschema.Format{Name: "local-datetime", Validate: validateLocalDateTime})
	return c
}

func validateLocalDateTime(v any) error {
	s, ok := v.(string)
	if !ok {
		return nil
	}
	if len(s) == len(time.DateOnly) {
		return fmt.Errorf("缺少时刻")
	}
	_, _, err := calendar.ParseTime(s, time.UTC)
	return err
}

// annotations collects x-ref, x-after and x-enum-labels by following
// properties, items, combinators and $refs from a kind's root schema.
type annotations struct {
	docs map[string]map[string]any
	kind *Kind
}

func (a *annotations) walk(file string, node map[string]any, pattern []string, depth int) {
	if depth > 32 {
		return
	}
	if ref, ok := node["$ref"].(string); ok {
		if f, target := a.resolve(file, ref); target != nil {
			a.walk(f, target, pattern, depth+1)
		}
	}
	if t, ok := node["x-ref"].(string); ok {
		a.kind.Refs = append(a.kind.Refs, Ref{Pattern: slices.Clone(pattern), Target: t})
	}
	if labels, ok := node["x-enum-labels"].(map[string]any); ok {
		m := map[string]string{}
		for k, v := range labels {
			m[k], _ = v.(string)
		}
		a.kind.EnumLabels["/"+strings.Join(pattern, "/")] = m
	}
	if props, ok := node["properties"].(map[string]any); ok {
		// In name order: Refs and Afters come out the same on every run
		// (the site's related-records lists depend on the order of Refs).
		for _, name := range slices.Sorted(maps.Keys(props)) {
			p, ok := props[name].(map[string]any)
			if !ok {
				continue
			}
			if t, ok := p["title"].(string); ok {
				a.kind.Titles["/"+strings.Join(append(slices.Clone(pattern), name), "/")] = t
			}
			if sib, ok := p["x-after"].(string); ok {
				a.kind.Afters = append(a.kind.Afters, After{Object: slices.Clone(pattern), Prop: name, Sibling: sib})
			}
			a.walk(file, p, append(slices.Clone(pattern), name), depth+1)
		}
	}
	if items, ok := node["items"].(map[string]any); ok {
		a.walk(file, items, append(slices.Clone(pattern), "*"), depth+1)
	}
	for _, kw := range []string{"allOf", "anyOf", "oneOf"} {
		if subs, ok := node[kw].([]any); ok {
			for _, s := range subs {
				if s, ok := s.(map[string]any); ok {
					a.walk(file, s, pattern, depth+1)
				}
			}
		}
	}
}

// resolve follows a "$ref" of the form "other.yaml#/$defs/x" or "#/$defs/x".
func (a *annotations) resolve(file, ref string) (string, map[string]any) {
	f, frag, _ := strings.Cut(ref, "#")
	if f == "" {
		f = file
	}
	f = strings.TrimPrefix(f, BaseURL)
	var cur any = a.docs[f]
	for _, tok := range strings.Split(strings.TrimPrefix(frag, "/"), "/") {
		if tok == "" {
			continue
		}
		m, ok := cur.(map[string]any)
		if !ok {
			return "", nil
		}
		cur = m[tok]
	}
	m, _ := cur.(map[string]any)
	return f, m
}

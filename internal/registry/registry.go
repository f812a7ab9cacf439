// Package registry is the name → implementation table that opsbook's
// pluggable parts share (check types, alert channels, output formats):
// packages register in init, callers look up by the name a file or flag
// gives, and help texts list the names. Safe for concurrent use.
package registry

import (
	"sort"
	"sync"
)

// Registry maps names to values of one kind.
type Registry[T any] struct {
	kind string // for the duplicate panic, e.g. "check type"
	mu   sync.RWMutex
	m    map[string]T
}

// New returns an empty registry of values described as kind.
func New[T any](kind string) *Registry[T] {
	return &Registry[T]{kind: kind, m: map[string]T{}}
}

// Register adds v under name. A duplicate name is a programming error and panics.
func (r *Registry[T]) Register(name string, v T) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.m[name]; dup {
		panic("duplicate " + r.kind + " " + name)
	}
	r.m[name] = v
}

// Lookup returns the value registered under name.
func (r *Registry[T]) Lookup(name string) (T, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	v, ok := r.m[name]
	return v, ok
}

// Names lists the registered names, sorted.
func (r *Registry[T]) Names() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	names := make([]string, 0, len(r.m))
	for n := range r.m {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

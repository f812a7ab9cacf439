// Package diag holds the one shape every problem opsbook reports takes — a
// Violation pointing at path:line:col with a rule id — and the printers that
// turn a list of them into text, GitHub/Gitea annotations or JSON.
package diag

import (
	"cmp"
	"fmt"
	"slices"
)

// Violation is one problem found in one file.
type Violation struct {
	Path    string `json:"path"`    // repository-relative, slash-separated
	Line    int    `json:"line"`    // 1-based; 0 when unknown
	Col     int    `json:"col"`     // 1-based; 0 when unknown
	Rule    string `json:"rule"`    // stable rule id, e.g. "schema/required"
	Message string `json:"message"` // Chinese first, says what to do
}

// String renders the violation as "path:line:col: message [rule]".
func (v Violation) String() string {
	return fmt.Sprintf("%s:%d:%d: %s [%s]", v.Path, max(v.Line, 1), max(v.Col, 1), v.Message, v.Rule)
}

// At builds a violation.
func At(path string, line, col int, rule, format string, args ...any) Violation {
	return Violation{Path: path, Line: line, Col: col, Rule: rule, Message: fmt.Sprintf(format, args...)}
}

// Sort orders violations by path, line, column, rule and message so output is
// stable whatever order the workers finished in.
func Sort(vs []Violation) {
	slices.SortFunc(vs, func(a, b Violation) int {
		return cmp.Or(
			cmp.Compare(a.Path, b.Path),
			cmp.Compare(a.Line, b.Line),
			cmp.Compare(a.Col, b.Col),
			cmp.Compare(a.Rule, b.Rule),
			cmp.Compare(a.Message, b.Message),
		)
	})
}

package diag

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/opsbook/opsbook/internal/registry"
)

// Summary is what a run looked at, printed after the violations.
type Summary struct {
	Files      int `json:"files"`      // files checked
	Records    int `json:"records"`    // records that loaded
	Violations int `json:"violations"` // problems found
}

// Printer writes violations and a summary in one output format.
type Printer func(w io.Writer, vs []Violation, s Summary) error

var printers = registry.New[Printer]("diag printer")

// Register adds an output format under name. It panics on a duplicate name,
// which is a programming error.
func Register(name string, p Printer) { printers.Register(name, p) }

// Lookup returns the printer for name.
func Lookup(name string) (Printer, bool) { return printers.Lookup(name) }

// Formats lists the registered output formats, sorted.
func Formats() []string { return printers.Names() }

func init() {
	Register("text", printText)
	Register("github", printGitHub)
	Register("json", printJSON)
}

func printText(w io.Writer, vs []Violation, s Summary) error {
	for _, v := range vs {
		if _, err := fmt.Fprintln(w, v.String()); err != nil {
			return err
		}
	}
	_, err := fmt.Fprintf(w, "检查了 %d 个文件（%d 条记录），发现 %d 个问题。\n", s.Files, s.Records, s.Violations)
	return err
}

// printGitHub writes workflow commands understood by GitHub Actions and
// Gitea Actions, so problems show up on the pull request's changed lines.
func printGitHub(w io.Writer, vs []Violation, s Summary) error {
	for _, v := range vs {
		if _, err := fmt.Fprintf(w, "::error file=%s,line=%d,col=%d,title=%s::%s\n",
			escapeProperty(v.Path), max(v.Line, 1), max(v.Col, 1), escapeProperty(v.Rule), escapeData(v.Message)); err != nil {
			return err
		}
	}
	_, err := fmt.Fprintf(w, "opsbook: %d files, %d records, %d violations\n", s.Files, s.Records, s.Violations)
	return err
}

// JSONDocument is the shape of `--format json`; version bumps on breaking changes.
type JSONDocument struct {
	Version    string      `json:"version"`
	Summary    Summary     `json:"summary"`
	Violations []Violation `json:"violations"`
}

func printJSON(w io.Writer, vs []Violation, s Summary) error {
	if vs == nil {
		vs = []Violation{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(JSONDocument{Version: "opsbook.validate/v1", Summary: s, Violations: vs})
}

var dataEscaper = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
var propertyEscaper = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")

func escapeData(s string) string     { return dataEscaper.Replace(s) }
func escapeProperty(s string) string { return propertyEscaper.Replace(s) }

package diag

import (
	"fmt"
	"io"
)

// Annotation levels understood by GitHub Actions and Gitea Actions.
const (
	LevelError   = "error"
	LevelWarning = "warning"
	LevelNotice  = "notice"
)

// WriteAnnotation writes one workflow command (`::error file=…::message`)
// at level for commands whose findings are not Violations (e.g. the
// approval audit). path may be ""; line and col are left out when 0.
func WriteAnnotation(w io.Writer, level, path string, line, col int, title, message string) error {
	props := ""
	add := func(k, v string) {
		if props != "" {
			props += ","
		}
		props += k + "=" + v
	}
	if path != "" {
		add("file", escapeProperty(path))
	}
	if line > 0 {
		add("line", fmt.Sprint(line))
	}
	if col > 0 {
		add("col", fmt.Sprint(col))
	}
	if title != "" {
		add("title", escapeProperty(title))
	}
	if props != "" {
		props = " " + props
	}
	_, err := fmt.Fprintf(w, "::%s%s::%s\n", level, props, escapeData(message))
	return err
}

package sql

import (
	"encoding/json"
	"fmt"
	"strings"
)

// maxStepRows bounds the rows of a step's result shown in its excerpt.
const maxStepRows = 20

// stepExcerpt is what a change step's statement did: the rows it affected,
// or the rows it returned (at most maxStepRows, one JSON object a line).
func stepExcerpt(v map[string]any) string {
	var b strings.Builder
	if n, ok := v["ROWS_AFFECTED"].(int64); ok {
		fmt.Fprintf(&b, "影响 %d 行", n)
		return b.String()
	}
	rows, _ := v["ROWS"].([]map[string]any)
	if rows == nil {
		return ""
	}
	fmt.Fprintf(&b, "返回 %d 行", len(rows))
	if t, _ := v["TRUNCATED"].(bool); t {
		b.WriteString("（已截断）")
	}
	for i, row := range rows {
		if i == maxStepRows {
			fmt.Fprintf(&b, "\n…（其余 %d 行未列出）", len(rows)-maxStepRows)
			break
		}
		line, err := json.Marshal(row)
		if err != nil {
			line = []byte(fmt.Sprint(row))
		}
		b.WriteString("\n")
		b.Write(line)
	}
	return b.String()
}

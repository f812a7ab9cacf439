package condition

import (
	"fmt"
	"unicode/utf8"
)

// Error is a condition that does not parse.
type Error struct {
	Input string // the condition as written
	Col   int    // 1-based column, in runes, of the problem
	Msg   string // Chinese, says what to write instead
}

func (e *Error) Error() string {
	return fmt.Sprintf("条件 %q 第 %d 列：%s", truncate(e.Input, 120), e.Col, e.Msg)
}

// col converts a byte offset of s to a 1-based rune column.
func col(s string, off int) int {
	off = min(max(off, 0), len(s))
	return utf8.RuneCountInString(s[:off]) + 1
}

package sql

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
)

// readOnlyStarts are the statements a check may run.
var readOnlyStarts = map[string]bool{"select": true, "with": true, "show": true}

// writeWords are keywords and functions that write, lock or run code with
// side effects. A query naming one of them (outside literals, quoted
// identifiers and comments) is refused. This is the first line of
// defence; the second is the read-only transaction every check runs in.
var writeWords = map[string]bool{
	"insert": true, "update": true, "delete": true, "merge": true, "upsert": true,
	"into": true, "drop": true, "create": true, "alter": true, "truncate": true,
	"grant": true, "revoke": true, "rename": true, "call": true, "exec": true,
	"execute": true, "lock": true, "unlock": true, "nextval": true, "setval": true,
	"outfile": true, "dumpfile": true, "pg_terminate_backend": true,
	"pg_cancel_backend": true, "pg_reload_conf": true, "pg_advisory_lock": true,
	"pg_advisory_xact_lock": true, "lo_import": true, "lo_export": true, "lo_unlink": true,
	"pg_switch_wal": true, "pg_create_restore_point": true, "pg_rotate_logfile": true,
	"pg_file_write": true, "dbms_lock": true, "dbms_scheduler": true, "dbms_job": true,
	"utl_file": true, "utl_http": true, "utl_tcp": true, "utl_smtp": true,
	"get_lock": true, "release_lock": true,
}

const writeHint = "检查只允许只读查询（SELECT、WITH、SHOW），不得修改数据；确需执行写操作请显式设置 allow_write: true"

// checkReadOnly refuses statements that are not a single SELECT, WITH or
// SHOW, or that name a write keyword.
func checkReadOnly(q string) error {
	words, err := sqlWords(q)
	if err != nil {
		return err
	}
	if len(words) == 0 {
		return errors.New("查询为空")
	}
	if !readOnlyStarts[words[0]] {
		return fmt.Errorf("%q 语句不被允许；%s", strings.ToUpper(words[0]), writeHint)
	}
	for _, w := range words[1:] {
		if writeWords[w] {
			return fmt.Errorf("查询中含有 %q；%s", strings.ToUpper(w), writeHint)
		}
	}
	return nil
}

// returnsRows reports whether a statement gives a result set: a SELECT,
// WITH or SHOW, or a write with RETURNING (PostgreSQL, Oracle, MariaDB).
// Anything else is run for the number of rows it changed.
func returnsRows(q string) bool {
	words, err := sqlWords(q)
	if err != nil || len(words) == 0 {
		return true // let the query path report it
	}
	return readOnlyStarts[words[0]] || slices.Contains(words, "returning")
}

// sqlWords returns the lower-cased bare words of q, skipping string
// literals, quoted identifiers and comments (but not MySQL's executable
// /*! … */ comments). A semicolon followed by anything but blanks and
// comments is an error: one check runs one statement.
func sqlWords(q string) ([]string, error) {
	var words []string
	rs := []rune(q)
	n := len(rs)
	sawEnd := false
	for i := 0; i < n; {
		r := rs[i]
		switch {
		case unicode.IsSpace(r):
			i++
			continue
		case r == '-' && i+1 < n && rs[i+1] == '-':
			for i < n && rs[i] != '\n' {
				i++
			}
			continue
		case r == '/' && i+1 < n && rs[i+1] == '*':
			if i+2 < n && rs[i+2] == '!' { // MySQL runs these: scan inside
				i += 3
				continue
			}
			end := indexRunes(rs, i+2, []rune("*/"))
			if end < 0 {
				return nil, errors.New("注释 /* 没有结束")
			}
			i = end + 2
			continue
		}
		if sawEnd {
			return nil, errors.New("只能包含一条语句（分号后还有内容）；" + writeHint)
		}
		switch {
		case r == ';':
			sawEnd = true
			i++
		case r == '\'' || r == '"' || r == '`':
			end := endOfQuoted(rs, i+1, r)
			if end < 0 {
				return nil, fmt.Errorf("引号 %c 没有结束", r)
			}
			i = end + 1
		case r == '$' && i+1 < n && (rs[i+1] == '$' || unicode.IsLetter(rs[i+1]) || rs[i+1] == '_'):
			// PostgreSQL dollar quoting: $tag$ … $tag$
			j := i + 1
			for j < n && (unicode.IsLetter(rs[j]) || unicode.IsDigit(rs[j]) || rs[j] == '_') {
				j++
			}
			if j >= n || rs[j] != '$' {
				i = j
				continue
			}
			tag := rs[i : j+1]
			end := indexRunes(rs, j+1, tag)
			if end < 0 {
				return nil, errors.New("美元符号引用 " + string(tag) + " 没有结束")
			}
			i = end + len(tag)
		case isWordRune(r):
			j := i
			for j < n && isWordRune(rs[j]) {
				j++
			}
			if !unicode.IsDigit(r) {
				words = append(words, strings.ToLower(string(rs[i:j])))
			}
			i = j
		default:
			i++
		}
	}
	return words, nil
}

// endOfQuoted finds the quote q that closes a literal or quoted identifier
// starting at from, or returns -1. In strings a backslash escapes the next
// character, as MySQL and PostgreSQL's E'…' read them: 'a\'; DROP …' is one
// string there. Where a backslash is plain (standard PostgreSQL strings) a
// string ending in one then looks unterminated and the query is refused —
// the safe way to be wrong.
func endOfQuoted(rs []rune, from int, q rune) int {
	for j := from; j < len(rs); j++ {
		switch {
		case rs[j] == '\\' && q != '`':
			j++
		case rs[j] == q:
			return j
		}
	}
	return -1
}

// indexRunes finds pat in rs at or after from, or returns -1.
func indexRunes(rs []rune, from int, pat []rune) int {
	for i := from; i+len(pat) <= len(rs); i++ {
		match := true
		for k, p := range pat {
			if rs[i+k] != p {
				match = false
				break
			}
		}
		if match {
			return i
		}
	}
	return -1
}

func isWordRune(r rune) bool {
	return r == '_' || r == '$' || r == '#' || unicode.IsLetter(r) || unicode.IsDigit(r)
}

// Package condition is the assertion language of runbook checks, in the
// spirit of Gatus: a condition such as "[STATUS] == 200" or
// "[BODY].data.status == ok" is parsed once when a runbook is loaded and
// evaluated against the Values of every check.Observation. It is pure: no
// I/O, no package state, and Eval never panics.
//
// # Grammar
//
//	condition = operand op operand | has
//	op        = "==" | "!=" | "<" | "<=" | ">" | ">="
//	operand   = path | len | has | pat | any | literal
//	path      = "[" NAME "]" { "." key | "[" integer "]" | "[" quoted "]" }
//	len       = "len(" path ")"        number of runes, elements or keys
//	has       = "has(" path ")"        the path resolves to a non-null value
//	pat       = "pat(" glob ")"        right-hand side only, with == or !=
//	any       = "any(" literal { "," literal } ")"   right-hand side only, == or !=
//	literal   = number | duration | size | "true" | "false" | quoted | word
//
// Whitespace (including U+3000) may surround the operator and appear
// inside brackets and parentheses and around commas. NAME is
// upper case: letters, digits and _, starting with a letter. A key after
// "." runs up to the next ".", "[", whitespace or one of ( ) ] , " = < > !;
// other keys are written ["a.b"]. A negative index counts from the end:
// [ROWS][-1] is the last row. A condition that is only has(path) stands
// alone as a boolean; every condition must name at least one placeholder.
//
// Literals are classified by their text alone:
//
//   - number: 200, -3, 85.5, 1e3 (integers are int64, others float64);
//   - duration: Go syntax plus d for days, units ns us µs ms s m h d:
//     2s, 500ms, 26h, 1h30m, 7d, 1d12h;
//   - size: a number and a unit, case-insensitive: B, KB MB GB TB PB EB
//     and KiB MiB GiB TiB PiB EiB, all powers of 1024 (1GB = 1GiB =
//     1073741824 bytes, as df -h, Oracle and opsbook's checks count):
//     100B, 512MB, 1.5GB, 10KiB;
//   - true and false (lower case);
//   - quoted: a Go double-quoted string, "active (running)", "a\"b";
//   - word: any other run of characters up to whitespace or one of
//     ( ) [ ] , " = < > ! — ok, 目录, 10.0.0.1, v1.2.3. Text with spaces or
//     those characters must be quoted.
//
// The argument of pat is a glob: * matches any run of characters, ? one
// character, everything else itself (case-sensitive, whole value). It runs
// to the last ")" of the condition, so pat(*active (running)*) works;
// leading and trailing spaces are trimmed (quote the glob to keep them).
//
// # Semantics
//
// A path looks its NAME up in the observation's values, then applies each
// accessor. When an accessor is applied to a string (typically [BODY] or
// [STDOUT]) the string is decoded as JSON first, once per evaluation
// (EvalAll shares one decoding among all conditions of a check). JSON
// integers become int64, other numbers float64. len() counts the runes
// of a string (len([BODY]) is the body's length, not its JSON's), the
// elements of a list, the keys of an object, and is 0 for null. has() is
// false for a missing placeholder, a path that does not resolve and null;
// its Reason then says which step failed.
//
// Values and literals compare by kind:
//
//   - numbers numerically, int64 and float64 mixed exactly;
//   - durations with durations, sizes with sizes. A bare number literal
//     needs a unit: "[RESPONSE_TIME] < 2" is an error ("write 2s"), the one
//     exception being 0. Parse already rejects it when the placeholder is
//     named as a duration (NAME ends in _TIME, _AGE, _EXPIRY, _DURATION,
//     _LATENCY, _ELAPSED or _UPTIME, or is one of those words) or as a size
//     (NAME is SIZE or ends in _SIZE); other names fail at evaluation with
//     the same hint. A number value (say a SQL column) compared with a size
//     counts bytes;
//   - booleans with == and != only;
//   - strings with == and != as text. A string compared with a number,
//     duration, size or boolean is read as one first ("85.3" < 90,
//     "true" == true); if it cannot be read, == is false, != true and an
//     ordering is an error. Two strings that both read as numbers order
//     numerically; other strings have no order;
//   - null (JSON null) equals only null and the word null;
//   - lists and objects do not compare: use len(), has() or an accessor.
//
// An ordering (< <= > >=) of a word, quoted string, boolean or has() is
// rejected by Parse; other mismatches (a list, a duration against a size,
// a boolean against a number, a missing placeholder or path) make Eval
// return Success false with a Chinese Reason. pat matches the text of a
// scalar: [STATUS] == pat(2*) is true for 204. any(a, b, …) holds when
// the value equals one of its items by the rules above; items that cannot
// be compared with it count as unequal.
//
// Every Result carries Actual, the resolved left-hand value (the right one
// when the left is a literal) rendered for people: 503, 2.456s, 83d8h,
// 12.34GB (truncated, never rounded up), or text cut to at most 200
// runes; so a failed condition always records what was seen.
//
// Parse errors are *Error values: the condition, the 1-based column (in
// runes) and a Chinese message that says what to write instead.
package condition

package sql

import (
	"database/sql/driver"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// table is a query result with values already converted to the types
// conditions understand: int64, float64, string, bool or nil (NULL).
type table struct {
	cols      []string // lower-cased, unique
	rows      [][]any
	truncated bool  // more rows existed than were read
	changed   bool  // a statement run for its effect (runWrite)
	affected  int64 // the rows it changed
}

// maps returns the rows as column → value maps (the ROWS placeholder).
func (t table) maps() []map[string]any {
	out := make([]map[string]any, 0, len(t.rows))
	for _, row := range t.rows {
		m := make(map[string]any, len(t.cols))
		for i, c := range t.cols {
			m[c] = row[i]
		}
		out = append(out, m)
	}
	return out
}

// col returns the index of column name, or -1.
func (t table) col(name string) int {
	for i, c := range t.cols {
		if c == name {
			return i
		}
	}
	return -1
}

// columnNames lower-cases names and makes duplicates unique (count,
// count_2 …) so no value is lost in the ROWS maps.
func columnNames(names []string) []string {
	out := make([]string, len(names))
	seen := map[string]int{}
	for i, n := range names {
		n = strings.ToLower(n)
		if n == "" {
			n = "column"
		}
		seen[n]++
		if k := seen[n]; k > 1 {
			n = fmt.Sprintf("%s_%d", n, k)
		}
		out[i] = n
	}
	return out
}

// numericType reports whether a database type name holds numbers that a
// driver may hand over as text (DECIMAL, NUMERIC, NUMBER …).
func numericType(typeName string) bool {
	t := strings.ToUpper(typeName)
	for _, p := range []string{"DECIMAL", "NUMERIC", "NUMBER", "INT", "FLOAT", "DOUBLE", "REAL", "SERIAL"} {
		if strings.Contains(t, p) {
			return true
		}
	}
	return false
}

// convert turns a driver value into int64, float64, string, bool or nil;
// times become RFC 3339 strings.
func convert(v any, typeName string) any {
	switch x := v.(type) {
	case nil:
		return nil
	case bool:
		return x
	case int64:
		return x
	case int:
		return int64(x)
	case int8:
		return int64(x)
	case int16:
		return int64(x)
	case int32:
		return int64(x)
	case uint8:
		return int64(x)
	case uint16:
		return int64(x)
	case uint32:
		return int64(x)
	case uint64:
		if x <= math.MaxInt64 {
			return int64(x)
		}
		return float64(x)
	case uint:
		return convert(uint64(x), typeName)
	case float64:
		return x
	case float32:
		return float64(x)
	case string:
		if numericType(typeName) {
			if n, ok := parseNumber(x); ok {
				return n
			}
		}
		return x
	case []byte:
		if numericType(typeName) {
			if n, ok := parseNumber(string(x)); ok {
				return n
			}
		}
		if utf8.Valid(x) {
			return string(x)
		}
		return hex.EncodeToString(x)
	case time.Time:
		return x.Format(time.RFC3339)
	case *big.Int:
		if x.IsInt64() {
			return x.Int64()
		}
		return x.String()
	case driver.Valuer:
		dv, err := x.Value()
		if err != nil {
			return fmt.Sprint(v)
		}
		if _, again := dv.(driver.Valuer); again {
			return fmt.Sprint(dv)
		}
		return convert(dv, typeName)
	case fmt.Stringer:
		return x.String()
	}
	if b, err := json.Marshal(v); err == nil {
		return string(b)
	}
	return fmt.Sprint(v)
}

// parseNumber reads a decimal number: integral values that fit become
// int64, others float64.
func parseNumber(s string) (any, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, false
	}
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return i, true
	}
	if !strings.ContainsAny(s, ".eE") {
		if _, ok := new(big.Int).SetString(s, 10); ok {
			f, _ := strconv.ParseFloat(s, 64)
			return f, true
		}
		return nil, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return nil, false
	}
	return f, true
}

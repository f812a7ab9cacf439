package sql

import (
	"fmt"
	"strings"
	"testing"
)

// Migration verification between the two real servers: a PostgreSQL
// "source" and a MariaDB "target" table of orders.
func TestCompareBetweenPostgresAndMySQL(t *testing.T) {
	pg := pgDSN(t)
	my := mysqlDSN(t)
	src := uniqueName("cmpsrc")
	dst := uniqueName("cmpdst")
	pgExec(t, pg,
		fmt.Sprintf("CREATE TABLE %s (id int PRIMARY KEY, amount numeric(12,2), note char(10))", src),
		fmt.Sprintf("INSERT INTO %s SELECT g, g * 1.25, 'n' || g FROM generate_series(1, 500) g", src))
	t.Cleanup(func() { pgExec(t, pg, "DROP TABLE IF EXISTS "+src) })
	dstTbl := myTable(t, my, "cmpdst", 500)
	myExec(t, my,
		fmt.Sprintf("CREATE TABLE %s (id INT PRIMARY KEY, amount DECIMAL(12,2), note VARCHAR(10))", dst),
		fmt.Sprintf("INSERT INTO %s SELECT id, id * 1.25, CONCAT('n', id) FROM %s", dst, dstTbl))
	t.Cleanup(func() { myExec(t, my, "DROP TABLE IF EXISTS "+dst) })

	compare := func(srcQuery, dstQuery string) map[string]any {
		t.Helper()
		return observeOK(t, map[string]any{
			"builtin": "compare",
			"source":  map[string]any{"driver": "postgres", "dsn": pg, "query": srcQuery},
			"target":  map[string]any{"driver": "mysql", "dsn": my, "query": dstQuery},
		})
	}

	// Equal row counts, sums (numeric vs DECIMAL) and a text value (CHAR
	// padding vs VARCHAR).
	v := compare(
		fmt.Sprintf("SELECT count(*), sum(amount), max(id), (SELECT note FROM %s WHERE id = 7) FROM %s", src, src),
		fmt.Sprintf("SELECT COUNT(*), SUM(amount), MAX(id), (SELECT note FROM %s WHERE id = 7) FROM %s", dst, dst))
	if v["MATCH"] != true {
		t.Errorf("equal tables: MATCH = %v, SOURCE %v, TARGET %v", v["MATCH"], v["SOURCE"], v["TARGET"])
	}
	if s := v["SOURCE"].([]any); s[0] != int64(500) || s[2] != int64(500) {
		t.Errorf("SOURCE = %#v", s)
	}
	if d := v["TARGET"].([]any); d[0] != int64(500) {
		t.Errorf("TARGET = %#v", d)
	}

	// One row lost in the migration.
	myExec(t, my, fmt.Sprintf("DELETE FROM %s WHERE id = 250", dst))
	v = compare("SELECT count(*) FROM "+src, "SELECT COUNT(*) FROM "+dst)
	if v["MATCH"] != false || v["SOURCE"].([]any)[0] != int64(500) || v["TARGET"].([]any)[0] != int64(499) {
		t.Errorf("unequal counts: MATCH %v SOURCE %v TARGET %v", v["MATCH"], v["SOURCE"], v["TARGET"])
	}

	// A query that returns several rows is an error, not a silent match.
	obs := observe(t, map[string]any{
		"builtin": "compare",
		"source":  map[string]any{"driver": "postgres", "dsn": pg, "query": "SELECT id FROM " + src},
		"target":  map[string]any{"driver": "mysql", "dsn": my, "query": "SELECT COUNT(*) FROM " + dst},
	})
	if obs.Err == nil || !strings.Contains(obs.Err.Error(), "source") {
		t.Errorf("multi-row source: err = %v", obs.Err)
	}
	if _, ok := obs.Values["MATCH"]; ok {
		t.Error("MATCH set although the source failed")
	}

	// An unreachable target is an error naming the target.
	obs = observe(t, map[string]any{
		"builtin": "compare",
		"source":  map[string]any{"driver": "postgres", "dsn": pg, "query": "SELECT count(*) FROM " + src},
		"target":  map[string]any{"driver": "mysql", "dsn": "root:@tcp(" + closedAddr(t) + ")/test", "query": "SELECT 1"},
	})
	if obs.Err == nil || !strings.Contains(obs.Err.Error(), "target") || obs.Values["CONNECTED"] != false {
		t.Errorf("unreachable target: err = %v, CONNECTED %v", obs.Err, obs.Values["CONNECTED"])
	}
	if obs.Values["SOURCE"] == nil {
		t.Error("the source's row was dropped when the target failed")
	}
}

func TestRowsEqual(t *testing.T) {
	cases := []struct {
		a, b []any
		want bool
	}{
		{[]any{int64(7)}, []any{float64(7)}, true},
		{[]any{int64(7)}, []any{"7.00"}, true},
		{[]any{"7.10"}, []any{7.1}, true},
		{[]any{625.5}, []any{"625.50"}, true},
		{[]any{int64(1)}, []any{true}, true},
		{[]any{"abc  "}, []any{"abc"}, true},
		{[]any{nil}, []any{nil}, true},
		{[]any{int64(500)}, []any{int64(499)}, false},
		{[]any{"ABC"}, []any{"abc"}, false},
		{[]any{nil}, []any{int64(0)}, false},
		{[]any{"1e3"}, []any{int64(1000)}, false}, // hex-like text is not a number
		{[]any{int64(1)}, []any{int64(1), int64(2)}, false},
		{[]any{"123456789012345678901"}, []any{"123456789012345678902"}, false}, // exact beyond float64
	}
	for _, c := range cases {
		if got := rowsEqual(c.a, c.b); got != c.want {
			t.Errorf("rowsEqual(%#v, %#v) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}

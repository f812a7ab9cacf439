package sql

import (
	"context"
	dbsql "database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/opsbook/opsbook/internal/check/checktest"
	"github.com/opsbook/opsbook/internal/condition"
)

func myParams(dsn, builtin string) map[string]any {
	p := map[string]any{"driver": "mysql", "dsn": dsn}
	if builtin == modeQuery {
		p["query"] = "SELECT 1 AS one"
	} else {
		p["builtin"] = builtin
	}
	return p
}

func TestMySQLConformance(t *testing.T) {
	dsn := mysqlDSN(t)
	down := "root:@tcp(" + closedAddr(t) + ")/test"
	slow := "root:@tcp(" + silentAddr(t) + ")/test"
	for _, b := range []string{modeQuery, modeTablespace, modeTemp, modeDBSize, modeConnections} {
		t.Run(b, func(t *testing.T) {
			slowSpec := sqlSpec(myParams(slow, b))
			checktest.Run(t, "sql", checktest.Targets{
				Up:   sqlSpec(myParams(dsn, b)),
				Down: sqlSpec(myParams(down, b)),
				Slow: &slowSpec,
			})
		})
	}
}

// myTable creates a table of n rows (id 1…n, a 200-byte pad) and drops it
// when the test ends.
func myTable(t *testing.T, dsn, prefix string, n int) string {
	t.Helper()
	tbl := uniqueName(prefix)
	myExec(t, dsn,
		fmt.Sprintf("CREATE TABLE %s (id INT PRIMARY KEY, pad VARCHAR(255)) ENGINE=InnoDB", tbl),
		fmt.Sprintf(`INSERT INTO %s (id, pad)
			SELECT a.d + 10*b.d + 100*c.d + 1000*e.d + 1, REPEAT('x', 200)
			FROM (SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4
			      UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) a,
			     (SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4
			      UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) b,
			     (SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4
			      UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) c,
			     (SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4
			      UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) e
			WHERE a.d + 10*b.d + 100*c.d + 1000*e.d < %d`, tbl, n),
		"ANALYZE TABLE "+tbl)
	t.Cleanup(func() { myExec(t, dsn, "DROP TABLE IF EXISTS "+tbl) })
	return tbl
}

func TestMySQLQueryRows(t *testing.T) {
	dsn := mysqlDSN(t)
	tbl := uniqueName("myrows")
	myExec(t, dsn,
		fmt.Sprintf(`CREATE TABLE %s (id INT PRIMARY KEY, name VARCHAR(50), price DECIMAL(10,2), ratio DOUBLE,
			ok BOOLEAN, at DATETIME, big DECIMAL(30,0), raw VARBINARY(4))`, tbl),
		fmt.Sprintf(`INSERT INTO %s VALUES
			(1, 'alpha', 12.50, 0.25, TRUE, '2026-01-05 08:30:00', 42, X'00FF10AB'),
			(2, '', 3.00, 1.5, FALSE, NULL, 7, NULL),
			(3, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`, tbl))
	t.Cleanup(func() { myExec(t, dsn, "DROP TABLE IF EXISTS "+tbl) })

	v := observeOK(t, map[string]any{"driver": "mysql", "dsn": dsn,
		"query": fmt.Sprintf("SELECT id AS ID, name, price, ratio, ok, at, big, raw FROM %s ORDER BY id", tbl)})
	rows := v["ROWS"].([]map[string]any)
	if len(rows) != 3 || v["ROW_COUNT"] != int64(3) {
		t.Fatalf("ROWS = %v", rows)
	}
	want := map[string]any{"id": int64(1), "name": "alpha", "price": 12.5, "ratio": 0.25, "ok": int64(1),
		"at": "2026-01-05T08:30:00Z", "big": int64(42), "raw": "00ff10ab"}
	for k, w := range want {
		if rows[0][k] != w {
			t.Errorf("ROWS[0].%s = %#v (%T), want %#v", k, rows[0][k], rows[0][k], w)
		}
	}
	for k, val := range rows[2] {
		if k != "id" && val != nil {
			t.Errorf("NULL %s became %#v", k, val)
		}
	}

	v = observeOK(t, map[string]any{"driver": "mysql", "dsn": dsn,
		"query": fmt.Sprintf("select count(*) as cnt from %s where name is null or name = ''", tbl)})
	if got := v["ROWS"].([]map[string]any)[0]["cnt"]; got != int64(2) || v["VALUE"] != int64(2) {
		t.Errorf("cnt = %#v, VALUE = %#v, want 2", got, v["VALUE"])
	}

	big := myTable(t, dsn, "mytrunc", 5000)
	v = observeOK(t, map[string]any{"driver": "mysql", "dsn": dsn, "max_rows": 3,
		"query": "SELECT id FROM " + big + " ORDER BY id"})
	if v["ROW_COUNT"] != int64(3) || v["TRUNCATED"] != true {
		t.Errorf("ROW_COUNT=%v TRUNCATED=%v", v["ROW_COUNT"], v["TRUNCATED"])
	}

	// SHOW is allowed.
	v = observeOK(t, map[string]any{"driver": "mysql", "dsn": dsn, "query": "SHOW VARIABLES LIKE 'max_connections'"})
	if r := v["ROWS"].([]map[string]any); len(r) != 1 || r[0]["variable_name"] != "max_connections" {
		t.Errorf("SHOW rows = %v", r)
	}
}

func TestMySQLDBSizeGrows(t *testing.T) {
	dsn := mysqlDSN(t)
	params := map[string]any{"driver": "mysql", "dsn": dsn, "builtin": "dbsize"}
	before := observeOK(t, params)["DB_SIZE"].(condition.Size)
	myTable(t, dsn, "mysize", 10000) // ~2.5 MB of rows, analysed
	after := observeOK(t, params)["DB_SIZE"].(condition.Size)
	if after < before+1<<20 {
		t.Errorf("DB_SIZE grew from %d to %d, want at least +1MB", before, after)
	}
}

func TestMySQLTablespace(t *testing.T) {
	dsn := mysqlDSN(t)
	tbl := myTable(t, dsn, "myts", 10000)
	var tableBytes int64
	func() {
		db, err := dbsql.Open("mysql", dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if err := db.QueryRow("SELECT data_length + index_length FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?", tbl).Scan(&tableBytes); err != nil {
			t.Fatal(err)
		}
	}()
	v := observeOK(t, map[string]any{"driver": "mysql", "dsn": dsn, "builtin": "tablespace"})
	schema := findByName(t, v["TABLESPACES"], "test")
	// Other tests may add tables to the schema meanwhile: it holds at
	// least this one.
	if used := schema["used"].(condition.Size); used < condition.Size(tableBytes) || tableBytes < 1<<20 {
		t.Errorf("schema test used = %d, want >= %d, the size of %s", used, tableBytes, tbl)
	}
	if _, ok := v["MAX_USED_PCT"]; ok {
		t.Error("MAX_USED_PCT without max_size")
	}
	v = observeOK(t, map[string]any{"driver": "mysql", "dsn": dsn, "builtin": "tablespace",
		"max_size": map[string]any{"test": "100GB"}})
	schema = findByName(t, v["TABLESPACES"], "test")
	want := round2(float64(schema["used"].(condition.Size)) / float64(int64(100)<<30) * 100)
	if schema["total"] != condition.Size(100<<30) || schema["used_pct"] != want || v["MAX_USED_PCT"] == nil {
		t.Errorf("schema test = %v, want used_pct %v", schema, want)
	}
	if findByName(t, v["TABLESPACES"], "mysql")["total"] != nil {
		t.Error("a schema without a max_size entry got a total")
	}
	v = observeOK(t, map[string]any{"driver": "mysql", "dsn": dsn, "builtin": "tablespace", "max_size": "1MB"})
	if pct := v["MAX_USED_PCT"].(float64); pct <= 100 {
		t.Errorf("MAX_USED_PCT = %v with 1MB for every schema, want > 100", pct)
	}
}

func TestMySQLTemp(t *testing.T) {
	dsn := mysqlDSN(t)
	params := map[string]any{"driver": "mysql", "dsn": dsn, "builtin": "temp"}
	before := observeOK(t, params)
	for _, k := range []string{"TEMP_TABLES", "TEMP_DISK_TABLES", "TEMP_FILES"} {
		if _, ok := before[k].(int64); !ok {
			t.Fatalf("%s = %#v", k, before[k])
		}
	}
	tbl := myTable(t, dsn, "mytemp", 10000)
	// A GROUP BY too big for a 16 KB in-memory temporary table goes to disk.
	myExec(t, dsn,
		"SET SESSION tmp_table_size = 1024, max_heap_table_size = 16384",
		fmt.Sprintf("SELECT COUNT(*) FROM (SELECT MD5(id) k, COUNT(*) c FROM %s GROUP BY MD5(id)) x", tbl))
	after := observeOK(t, params)
	if after["TEMP_DISK_TABLES"].(int64) <= before["TEMP_DISK_TABLES"].(int64) {
		t.Errorf("TEMP_DISK_TABLES %v → %v, want growth", before["TEMP_DISK_TABLES"], after["TEMP_DISK_TABLES"])
	}
	tmp, disk := after["TEMP_TABLES"].(int64), after["TEMP_DISK_TABLES"].(int64)
	if want := round2(float64(disk) / float64(tmp) * 100); after["TEMP_DISK_PCT"] != want {
		t.Errorf("TEMP_DISK_PCT = %v, want %v", after["TEMP_DISK_PCT"], want)
	}
}

func TestMySQLConnections(t *testing.T) {
	dsn := mysqlDSN(t)
	db, err := dbsql.Open("mysql", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for range 3 {
		c, err := db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if err := c.PingContext(ctx); err != nil {
			t.Fatal(err)
		}
	}
	var maxConns int64
	if err := db.QueryRowContext(ctx, "SELECT @@max_connections").Scan(&maxConns); err != nil {
		t.Fatal(err)
	}
	v := observeOK(t, map[string]any{"driver": "mysql", "dsn": dsn, "builtin": "connections"})
	conns := v["CONNECTIONS"].(int64)
	if conns < 4 {
		t.Errorf("CONNECTIONS = %d, want >= 4", conns)
	}
	if v["MAX_CONNECTIONS"] != maxConns {
		t.Errorf("MAX_CONNECTIONS = %v, want %d", v["MAX_CONNECTIONS"], maxConns)
	}
	if want := round2(float64(conns) / float64(maxConns) * 100); v["CONNECTIONS_PCT"] != want {
		t.Errorf("CONNECTIONS_PCT = %v, want %v", v["CONNECTIONS_PCT"], want)
	}
}

func TestMySQLReadOnlyTransaction(t *testing.T) {
	dsn := mysqlDSN(t)
	tbl := uniqueName("myro")
	fn := tbl + "_f"
	myExec(t, dsn,
		fmt.Sprintf("CREATE TABLE %s (id INT) ENGINE=InnoDB", tbl),
		fmt.Sprintf("CREATE FUNCTION %s() RETURNS INT MODIFIES SQL DATA BEGIN INSERT INTO %s VALUES (1); RETURN 1; END", fn, tbl))
	t.Cleanup(func() { myExec(t, dsn, "DROP FUNCTION IF EXISTS "+fn, "DROP TABLE IF EXISTS "+tbl) })

	obs := observe(t, map[string]any{"driver": "mysql", "dsn": dsn, "query": "SELECT " + fn + "() AS id"})
	if obs.Err == nil || !strings.Contains(obs.Err.Error(), "只读事务") {
		t.Fatalf("write through a function: err = %v", obs.Err)
	}
	count := observeOK(t, map[string]any{"driver": "mysql", "dsn": dsn, "query": "SELECT COUNT(*) FROM " + tbl})["VALUE"]
	if count != int64(0) {
		t.Fatalf("table has %v rows after a refused write", count)
	}
	observeOK(t, map[string]any{"driver": "mysql", "dsn": dsn, "allow_write": true, "query": "SELECT " + fn + "() AS id"})
	count = observeOK(t, map[string]any{"driver": "mysql", "dsn": dsn, "query": "SELECT COUNT(*) FROM " + tbl})["VALUE"]
	if count != int64(1) {
		t.Fatalf("allow_write: table has %v rows, want 1", count)
	}
}

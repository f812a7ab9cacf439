package sql

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/opsbook/opsbook/internal/check/checktest"
	"github.com/opsbook/opsbook/internal/condition"
)

func pgParams(dsn, builtin string) map[string]any {
	p := map[string]any{"driver": "postgres", "dsn": dsn}
	if builtin == modeQuery {
		p["query"] = "SELECT 1 AS one"
	} else {
		p["builtin"] = builtin
	}
	return p
}

func TestPostgresConformance(t *testing.T) {
	dsn := pgDSN(t)
	down := "postgres://postgres@" + closedAddr(t) + "/test?sslmode=disable"
	slow := "postgres://postgres@" + silentAddr(t) + "/test?sslmode=disable"
	for _, b := range []string{modeQuery, modeTablespace, modeTemp, modeDBSize, modeConnections} {
		t.Run(b, func(t *testing.T) {
			slowSpec := sqlSpec(pgParams(slow, b))
			checktest.Run(t, "sql", checktest.Targets{
				Up:   sqlSpec(pgParams(dsn, b)),
				Down: sqlSpec(pgParams(down, b)),
				Slow: &slowSpec,
			})
		})
	}
}

func TestPostgresQueryRows(t *testing.T) {
	dsn := pgDSN(t)
	tbl := uniqueName("pgrows")
	pgExec(t, dsn,
		fmt.Sprintf(`CREATE TABLE %s (id int PRIMARY KEY, name text, price numeric(10,2), ratio float8, ok bool, at timestamptz, big numeric)`, tbl),
		fmt.Sprintf(`INSERT INTO %s VALUES
			(1, 'alpha', 12.50, 0.25, true, '2026-01-05 08:30:00+08', 42),
			(2, '', 3.00, 1.5, false, NULL, 7),
			(3, NULL, NULL, NULL, NULL, NULL, NULL)`, tbl))
	t.Cleanup(func() { pgExec(t, dsn, "DROP TABLE IF EXISTS "+tbl) })

	v := observeOK(t, map[string]any{"driver": "postgres", "dsn": dsn,
		"query": fmt.Sprintf(`SELECT id AS "ID", name, price, ratio, ok, at, big FROM %s ORDER BY id`, tbl)})
	rows := v["ROWS"].([]map[string]any)
	if len(rows) != 3 || v["ROW_COUNT"] != int64(3) || v["TRUNCATED"] != false {
		t.Fatalf("ROWS=%v ROW_COUNT=%v TRUNCATED=%v", rows, v["ROW_COUNT"], v["TRUNCATED"])
	}
	want := map[string]any{"id": int64(1), "name": "alpha", "price": 12.5, "ratio": 0.25, "ok": true,
		"at": time.Date(2026, 1, 5, 0, 30, 0, 0, time.UTC).Local().Format(time.RFC3339), "big": int64(42)}
	for k, w := range want {
		if rows[0][k] != w {
			t.Errorf("ROWS[0].%s = %#v (%T), want %#v", k, rows[0][k], rows[0][k], w)
		}
	}
	if rows[1]["name"] != "" || rows[1]["price"] != 3.0 || rows[1]["big"] != int64(7) {
		t.Errorf("ROWS[1] = %#v", rows[1])
	}
	for k, val := range rows[2] {
		if k != "id" && val != nil {
			t.Errorf("NULL %s became %#v", k, val)
		}
	}
	if v["VALUE"] != int64(1) {
		t.Errorf("VALUE = %#v", v["VALUE"])
	}

	// The data quality rule from the runbooks: count of empty names.
	v = observeOK(t, map[string]any{"driver": "postgres", "dsn": dsn,
		"query": fmt.Sprintf(`select count(*) as cnt from %s where name is null or name = ''`, tbl)})
	if got := v["ROWS"].([]map[string]any)[0]["cnt"]; got != int64(2) {
		t.Errorf("cnt = %#v, want 2", got)
	}

	// max_rows truncates and says so.
	v = observeOK(t, map[string]any{"driver": "postgres", "dsn": dsn, "max_rows": 2,
		"query": "SELECT g FROM generate_series(1, 100000) AS g"})
	if v["ROW_COUNT"] != int64(2) || v["TRUNCATED"] != true || len(v["ROWS"].([]map[string]any)) != 2 {
		t.Errorf("ROW_COUNT=%v TRUNCATED=%v", v["ROW_COUNT"], v["TRUNCATED"])
	}

	// Duplicate column names are kept apart.
	v = observeOK(t, map[string]any{"driver": "postgres", "dsn": dsn, "query": "SELECT 1 AS a, 2 AS A"})
	if r := v["ROWS"].([]map[string]any)[0]; r["a"] != int64(1) || r["a_2"] != int64(2) {
		t.Errorf("duplicate columns: %v", r)
	}
}

func TestPostgresDBSizeGrows(t *testing.T) {
	dsn := pgDSN(t)
	params := map[string]any{"driver": "postgres", "dsn": dsn, "builtin": "dbsize"}
	before := observeOK(t, params)["DB_SIZE"].(condition.Size)
	if before <= 0 {
		t.Fatalf("DB_SIZE = %d", before)
	}
	tbl := uniqueName("pgsize")
	pgExec(t, dsn,
		fmt.Sprintf("CREATE TABLE %s (id int, pad text)", tbl),
		fmt.Sprintf("INSERT INTO %s SELECT g, repeat('x', 200) FROM generate_series(1, 20000) g", tbl))
	t.Cleanup(func() { pgExec(t, dsn, "DROP TABLE IF EXISTS "+tbl) })
	after := observeOK(t, params)["DB_SIZE"].(condition.Size)
	// 20,000 rows of ~230 bytes: well over 3 MB on disk.
	if after < before+3<<20 {
		t.Errorf("DB_SIZE grew from %d to %d, want at least +3MB", before, after)
	}
}

func TestPostgresTablespace(t *testing.T) {
	dsn := pgDSN(t)
	v := observeOK(t, map[string]any{"driver": "postgres", "dsn": dsn, "builtin": "tablespace"})
	def := findByName(t, v["TABLESPACES"], "pg_default")
	if used, _ := def["used"].(condition.Size); used <= 0 {
		t.Errorf("pg_default used = %v", def["used"])
	}
	if _, ok := def["used_pct"]; ok {
		t.Error("used_pct without max_size")
	}
	if _, ok := v["MAX_USED_PCT"]; ok {
		t.Error("MAX_USED_PCT without max_size")
	}
	db := findByName(t, v["DATABASES"], "test")
	dbSize := observeOK(t, map[string]any{"driver": "postgres", "dsn": dsn, "builtin": "dbsize"})["DB_SIZE"].(condition.Size)
	if s := db["size"].(condition.Size); s < dbSize/2 || s > dbSize*2 {
		t.Errorf("DATABASES test size %d far from DB_SIZE %d", s, dbSize)
	}

	// One capacity for all; then per name with a default.
	v = observeOK(t, map[string]any{"driver": "postgres", "dsn": dsn, "builtin": "tablespace", "max_size": "1TB"})
	def = findByName(t, v["TABLESPACES"], "pg_default")
	used := def["used"].(condition.Size)
	wantPct := round2(float64(used) / float64(int64(1)<<40) * 100)
	if def["total"] != condition.Size(1<<40) || def["used_pct"] != wantPct {
		t.Errorf("pg_default = %v, want total 1TB and used_pct %v", def, wantPct)
	}
	v = observeOK(t, map[string]any{"driver": "postgres", "dsn": dsn, "builtin": "tablespace",
		"max_size": map[string]any{"pg_default": "1KB", "*": "1TB"}})
	if pct := v["MAX_USED_PCT"].(float64); pct <= 100 {
		t.Errorf("MAX_USED_PCT = %v with a 1KB pg_default, want > 100", pct)
	}
	if g := findByName(t, v["TABLESPACES"], "pg_global"); g["total"] != condition.Size(1<<40) {
		t.Errorf("pg_global total = %v, want the * default", g["total"])
	}
}

func TestPostgresTemp(t *testing.T) {
	dsn := pgDSN(t)
	params := map[string]any{"driver": "postgres", "dsn": dsn, "builtin": "temp", "max_size": "10GB"}
	before := observeOK(t, params)
	beforeBytes := before["TEMP_BYTES"].(condition.Size)

	// Hold a sort that spilled to disk open in a cursor: its temporary
	// files exist until the cursor closes.
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, s := range []string{
		"BEGIN",
		"SET LOCAL work_mem = '64kB'",
		"DECLARE spill CURSOR FOR SELECT g, md5(g::text) FROM generate_series(1, 200000) g ORDER BY 2",
		"FETCH 1 FROM spill",
	} {
		if _, err := conn.Exec(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	during := observeOK(t, params)
	def := findByName(t, during["TEMP_TABLESPACES"], "pg_default")
	if def["files"].(int64) < 1 || during["TEMP_USED"].(condition.Size) <= 0 {
		t.Fatalf("while a sort spills: %v, TEMP_USED %v", def, during["TEMP_USED"])
	}
	if def["total"] != condition.Size(10<<30) {
		t.Errorf("total = %v, want max_size", def["total"])
	}
	wantPct := round2(float64(during["TEMP_USED"].(condition.Size)) / float64(10<<30) * 100)
	if during["TEMP_USED_PCT"] != wantPct || during["MAX_USED_PCT"] != wantPct || during["TEMP_TOTAL"] == nil {
		t.Errorf("TEMP_USED_PCT = %v, want %v; TEMP_TOTAL %v", during["TEMP_USED_PCT"], wantPct, during["TEMP_TOTAL"])
	}
	if _, err := conn.Exec(ctx, "COMMIT"); err != nil {
		t.Fatal(err)
	}
	// A backend reports its statistics when it exits (else ~10 s after
	// going idle); then the spilled bytes show in pg_stat_database.
	if err := conn.Close(ctx); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		after := observeOK(t, params)
		if after["TEMP_BYTES"].(condition.Size) > beforeBytes && after["TEMP_FILES"].(int64) > before["TEMP_FILES"].(int64) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("TEMP_BYTES stayed %v (before %v)", after["TEMP_BYTES"], beforeBytes)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func TestPostgresConnections(t *testing.T) {
	dsn := pgDSN(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for range 3 {
		c, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close(ctx)
	}
	var maxConns int64
	func() {
		c, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close(ctx)
		if err := c.QueryRow(ctx, "SELECT current_setting('max_connections')::bigint").Scan(&maxConns); err != nil {
			t.Fatal(err)
		}
	}()
	v := observeOK(t, map[string]any{"driver": "postgres", "dsn": dsn, "builtin": "connections"})
	conns := v["CONNECTIONS"].(int64)
	if conns < 4 { // three held here plus the check's own
		t.Errorf("CONNECTIONS = %d, want >= 4", conns)
	}
	if v["MAX_CONNECTIONS"] != maxConns {
		t.Errorf("MAX_CONNECTIONS = %v, want %d", v["MAX_CONNECTIONS"], maxConns)
	}
	if want := round2(float64(conns) / float64(maxConns) * 100); v["CONNECTIONS_PCT"] != want {
		t.Errorf("CONNECTIONS_PCT = %v, want %v", v["CONNECTIONS_PCT"], want)
	}
}

// A function that writes passes the keyword guard but not the read-only
// transaction; with allow_write the same statement runs.
func TestPostgresReadOnlyTransaction(t *testing.T) {
	dsn := pgDSN(t)
	tbl := uniqueName("pgro")
	fn := tbl + "_f"
	pgExec(t, dsn,
		fmt.Sprintf("CREATE TABLE %s (id int)", tbl),
		fmt.Sprintf("CREATE FUNCTION %s() RETURNS int LANGUAGE sql AS $$ INSERT INTO %s VALUES (1) RETURNING id $$", fn, tbl))
	t.Cleanup(func() { pgExec(t, dsn, "DROP FUNCTION IF EXISTS "+fn+"()", "DROP TABLE IF EXISTS "+tbl) })

	obs := observe(t, map[string]any{"driver": "postgres", "dsn": dsn, "query": "SELECT " + fn + "() AS id"})
	if obs.Err == nil || !strings.Contains(obs.Err.Error(), "只读事务") {
		t.Fatalf("write through a function: err = %v", obs.Err)
	}
	count := observeOK(t, map[string]any{"driver": "postgres", "dsn": dsn, "query": "SELECT count(*) FROM " + tbl})["VALUE"]
	if count != int64(0) {
		t.Fatalf("table has %v rows after a refused write", count)
	}

	observeOK(t, map[string]any{"driver": "postgres", "dsn": dsn, "allow_write": true,
		"query": "SELECT " + fn + "() AS id"})
	count = observeOK(t, map[string]any{"driver": "postgres", "dsn": dsn, "query": "SELECT count(*) FROM " + tbl})["VALUE"]
	if count != int64(1) {
		t.Fatalf("allow_write: table has %v rows, want 1", count)
	}
}

// An account without pg_monitor: dbsize and connections work, the
// catalogue-wide built-ins fail with a message that says what to grant.
func TestPostgresPrivilegeHint(t *testing.T) {
	dsn := pgDSN(t)
	role := uniqueName("role")
	pgExec(t, dsn, "CREATE ROLE "+role+" LOGIN")
	t.Cleanup(func() { pgExec(t, dsn, "DROP ROLE IF EXISTS "+role) })
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	roleDSN := fmt.Sprintf("postgres://%s@%s:%d/%s?sslmode=disable", role, cfg.Host, cfg.Port, cfg.Database)

	for _, b := range []string{modeDBSize, modeConnections} {
		observeOK(t, map[string]any{"driver": "postgres", "dsn": roleDSN, "builtin": b})
	}
	obs := observe(t, map[string]any{"driver": "postgres", "dsn": roleDSN, "builtin": "temp"})
	if obs.Err == nil {
		t.Fatal("a role without pg_monitor read pg_ls_tmpdir")
	}
	if !strings.Contains(obs.Err.Error(), "GRANT pg_monitor") || obs.Values["CONNECTED"] != true {
		t.Errorf("err %v, CONNECTED %v: want a GRANT pg_monitor hint after connecting", obs.Err, obs.Values["CONNECTED"])
	}
}

package sql

import (
	"fmt"
	"testing"
)

// With allow_write, a statement that returns no rows runs for its effect
// and says how many rows it changed (a change step's evidence); one with
// RETURNING still gives its rows.
func TestRowsAffected(t *testing.T) {
	for _, db := range []struct {
		driver string
		dsn    func(*testing.T) string
		exec   func(*testing.T, string, ...string)
		create string
	}{
		{"postgres", pgDSN, pgExec, "CREATE TABLE %s (id int, state text)"},
		{"mysql", mysqlDSN, myExec, "CREATE TABLE %s (id INT, state VARCHAR(16)) ENGINE=InnoDB"},
	} {
		t.Run(db.driver, func(t *testing.T) {
			dsn := db.dsn(t)
			tbl := uniqueName("affected")
			db.exec(t, dsn, fmt.Sprintf(db.create, tbl), fmt.Sprintf("INSERT INTO %s VALUES (1, 'old'), (2, 'old'), (3, 'new')", tbl))
			t.Cleanup(func() { db.exec(t, dsn, "DROP TABLE IF EXISTS "+tbl) })
			write := func(q string) map[string]any {
				t.Helper()
				return observeOK(t, map[string]any{"driver": db.driver, "dsn": dsn, "allow_write": true, "query": q})
			}
			v := write(fmt.Sprintf("UPDATE %s SET state = 'done' WHERE state = 'old'", tbl))
			if v["ROWS_AFFECTED"] != int64(2) || v["ROW_COUNT"] != int64(0) {
				t.Errorf("UPDATE: ROWS_AFFECTED=%v ROW_COUNT=%v, want 2 and 0", v["ROWS_AFFECTED"], v["ROW_COUNT"])
			}
			if v := write(fmt.Sprintf("DELETE FROM %s WHERE id = 99", tbl)); v["ROWS_AFFECTED"] != int64(0) {
				t.Errorf("DELETE of nothing: ROWS_AFFECTED=%v, want 0", v["ROWS_AFFECTED"])
			}
			// A read under allow_write is still a query, without ROWS_AFFECTED.
			v = write(fmt.Sprintf("SELECT count(*) FROM %s WHERE state = 'done'", tbl))
			if v["VALUE"] != int64(2) {
				t.Errorf("SELECT after the UPDATE: VALUE=%v, want 2", v["VALUE"])
			}
			if _, ok := v["ROWS_AFFECTED"]; ok {
				t.Errorf("a SELECT set ROWS_AFFECTED=%v", v["ROWS_AFFECTED"])
			}
			// Rows matched count, as on PostgreSQL: a re-run that finds its
			// row but changes nothing still reports it.
			if v := write(fmt.Sprintf("UPDATE %s SET state = 'done' WHERE id = 1", tbl)); v["ROWS_AFFECTED"] != int64(1) {
				t.Errorf("UPDATE to the same value: ROWS_AFFECTED=%v, want 1", v["ROWS_AFFECTED"])
			}
			// One statement per step, also when writing.
			obs := observe(t, map[string]any{"driver": db.driver, "dsn": dsn, "allow_write": true,
				"query": fmt.Sprintf("UPDATE %s SET state = 'a' WHERE id = 1; DELETE FROM %s", tbl, tbl)})
			if obs.Err == nil {
				t.Errorf("two statements ran")
			}
			if v := write(fmt.Sprintf("SELECT count(*) FROM %s", tbl)); v["VALUE"] != int64(3) {
				t.Errorf("rows after the refused pair: %v, want 3", v["VALUE"])
			}
			if db.driver == "postgres" {
				v = write(fmt.Sprintf("UPDATE %s SET state = 'x' WHERE id = 3 RETURNING id", tbl))
				if v["VALUE"] != int64(3) || v["ROW_COUNT"] != int64(1) || v["ROWS_AFFECTED"] != int64(1) {
					t.Errorf("UPDATE … RETURNING: VALUE=%v ROW_COUNT=%v ROWS_AFFECTED=%v", v["VALUE"], v["ROW_COUNT"], v["ROWS_AFFECTED"])
				}
				// More rows returned than kept: the write still completes.
				v = observeOK(t, map[string]any{"driver": db.driver, "dsn": dsn, "allow_write": true, "max_rows": 1,
					"query": fmt.Sprintf("UPDATE %s SET state = 'all' RETURNING id", tbl)})
				if v["TRUNCATED"] != true || v["ROWS_AFFECTED"] != int64(3) {
					t.Errorf("truncated RETURNING: TRUNCATED=%v ROWS_AFFECTED=%v", v["TRUNCATED"], v["ROWS_AFFECTED"])
				}
				if v := write(fmt.Sprintf("SELECT count(*) FROM %s WHERE state = 'all'", tbl)); v["VALUE"] != int64(3) {
					t.Errorf("after a truncated RETURNING write %v rows changed, want 3", v["VALUE"])
				}
			}
			// Conditions may name it.
			obs = observe(t, map[string]any{"driver": db.driver, "dsn": dsn, "allow_write": true,
				"query": fmt.Sprintf("UPDATE %s SET state = 'y' WHERE id = 1", tbl)})
			if obs.Err != nil || obs.Values["ROWS_AFFECTED"] != int64(1) {
				t.Errorf("UPDATE one row: %v %v", obs.Err, obs.Values["ROWS_AFFECTED"])
			}
		})
	}
}

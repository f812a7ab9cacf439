package sql

import (
	"strings"
	"testing"
)

func TestCheckReadOnly(t *testing.T) {
	allowed := []string{
		"select count(*) as cnt from resource where name is null or name = ''",
		"  SELECT 1;  ",
		"select 1; -- trailing comment",
		"WITH t AS (SELECT 1 AS x) SELECT x FROM t",
		"SHOW GLOBAL STATUS",
		"(SELECT 1) UNION (SELECT 2)",
		"/* leading comment */ select 1",
		"-- why\nselect 1",
		"select 'insert into x; delete' as note",
		`select "update" from t`,
		"select `delete` from t",
		"select create_time, updated_at, deleted_flag from t",
		"select $$drop table x$$",
		"select $q$ ; delete $q$ as s",
		"select count(*) from v$session",
		"select replace(name, 'a', 'b') from t",
		"select * from t where x = 'it''s'",
		"select 名称 from 资源目录 where 状态 = '有效'",
		`select 'a\'; delete from t; --' as s`, // one string, as MySQL reads it
	}
	for _, q := range allowed {
		if err := checkReadOnly(q); err != nil {
			t.Errorf("refused %q: %v", q, err)
		}
	}
	refused := map[string]string{
		"delete from t":                 "DELETE",
		"UPDATE t SET x = 1":            "UPDATE",
		"insert into t values (1)":      "INSERT",
		"drop table t":                  "DROP",
		"truncate t":                    "TRUNCATE",
		"call p()":                      "CALL",
		"explain analyze delete from t": "EXPLAIN",
		"select 1; delete from t":       "一条语句",
		"select 1; select 2":            "一条语句",
		"with d as (delete from t returning *) select * from d": "DELETE",
		"select * into backup from t":                           "INTO",
		"select * from t into outfile '/tmp/x'":                 "INTO",
		"select * from t for update":                            "UPDATE",
		"select * from t lock in share mode":                    "LOCK",
		"select nextval('s')":                                   "NEXTVAL",
		"select s.nextval from dual":                            "NEXTVAL",
		"select pg_terminate_backend(123)":                      "PG_TERMINATE_BACKEND",
		"select 1 /*! ; delete from t */":                       "一条语句",
		"select 1 /*!50000 , (delete) */":                       "DELETE",
		"select 'unterminated":                                  "引号",
		"select 1 /* unterminated":                              "注释",
		"":                                                      "为空",
		"-- only a comment":                                     "为空",
		// A backslash escapes a quote (MySQL strings, PostgreSQL E'…'):
		// what follows the real end of the string is seen.
		`select E'\''; delete from u; --'`: "一条语句",
		`select 'a\'' ; delete from u`:     "一条语句",
	}
	for q, want := range refused {
		err := checkReadOnly(q)
		if err == nil {
			t.Errorf("accepted %q", q)
			continue
		}
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %q does not mention %q", q, err, want)
		}
	}
}

// returnsRows picks how a statement allowed to write runs on MySQL and
// Oracle: for its rows, or for the number of rows it changed.
func TestReturnsRows(t *testing.T) {
	for q, want := range map[string]bool{
		"select 1":                                  true,
		"  /* why */ SELECT 1":                      true,
		"with t as (select 1) select * from t":      true,
		"show tables":                               true,
		"delete from t returning id":                true,
		"update t set a = 1 where id = 2":           false,
		"DELETE FROM t":                             false,
		"insert into t values (1)":                  false,
		"replace into t values (1)":                 false,
		"alter table t add column c int":            false,
		"update t set note = 'select' where id = 1": false,
	} {
		if got := returnsRows(q); got != want {
			t.Errorf("returnsRows(%q) = %v, want %v", q, got, want)
		}
	}
}

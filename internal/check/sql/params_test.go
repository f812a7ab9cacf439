package sql

import (
	"errors"
	"strings"
	"testing"

	"github.com/opsbook/opsbook/internal/check"
	"github.com/opsbook/opsbook/internal/condition"
)

const (
	testPG     = "postgres://monitor:pw@127.0.0.1:5432/test?sslmode=disable"
	testMySQL  = "monitor:pw@tcp(127.0.0.1:3306)/test"
	testOracle = "oracle://monitor:pw@127.0.0.1:1521/ORCLPDB1"
)

func TestParamsValid(t *testing.T) {
	valid := []map[string]any{
		{"driver": "oracle", "dsn": testOracle, "builtin": "tablespace"},
		{"driver": "oracle", "dsn": "oracle://monitor:pw@127.0.0.1:1521/?SID=ORCL", "builtin": "temp"},
		{"driver": "postgres", "dsn": testPG, "builtin": "temp", "max_size": "200GB"},
		{"driver": "postgresql", "dsn": "host=127.0.0.1 user=monitor dbname=test", "builtin": "dbsize"},
		{"driver": "mariadb", "dsn": testMySQL, "builtin": "tablespace", "max_size": map[string]any{"test": "1TB", "*": int64(1 << 30)}},
		{"driver": "mysql", "dsn": testMySQL, "query": "select count(*) as cnt from resource where name is null or name = ''"},
		{"driver": "mysql", "dsn": testMySQL, "builtin": "query", "query": "SHOW STATUS", "max_rows": 10},
		{"driver": "postgres", "dsn": testPG, "query": "update t set x = 1", "allow_write": true},
		{"builtin": "compare",
			"source": map[string]any{"driver": "oracle", "dsn": testOracle, "query": "select count(*) from orders"},
			"target": map[string]any{"driver": "postgres", "dsn": testPG, "query": "select count(*) from orders"}},
	}
	for _, p := range valid {
		if _, err := check.New(sqlSpec(p)); err != nil {
			t.Errorf("%v: %v", p, err)
		}
	}
}

func TestParamsInvalid(t *testing.T) {
	cmp := func(src, dst map[string]any) map[string]any {
		return map[string]any{"builtin": "compare", "source": src, "target": dst}
	}
	okSide := map[string]any{"driver": "postgres", "dsn": testPG, "query": "select 1"}
	cases := []struct {
		params map[string]any
		key    string
	}{
		{map[string]any{"driver": "postgres", "dsn": testPG}, "builtin"},
		{map[string]any{"driver": "postgres", "dsn": testPG, "builtin": "diskspace"}, "builtin"},
		{map[string]any{"driver": "postgres", "dsn": testPG, "builtin": "query"}, "query"},
		{map[string]any{"driver": "postgres", "dsn": testPG, "builtin": "dbsize", "query": "select 1"}, "query"},
		{map[string]any{"driver": "sqlserver", "dsn": testPG, "builtin": "dbsize"}, "driver"},
		{map[string]any{"dsn": testPG, "builtin": "dbsize"}, "driver"},
		{map[string]any{"driver": "postgres", "builtin": "dbsize"}, "dsn"},
		{map[string]any{"driver": "oracle", "dsn": "monitor/pw@127.0.0.1/ORCL", "builtin": "dbsize"}, "dsn"},
		{map[string]any{"driver": "postgres", "dsn": testPG, "query": "delete from t"}, "query"},
		{map[string]any{"driver": "postgres", "dsn": testPG, "query": "select 1", "max_rows": 0}, "max_rows"},
		{map[string]any{"driver": "postgres", "dsn": testPG, "query": "select 1", "allow_write": "yes"}, "allow_write"},
		{map[string]any{"driver": "postgres", "dsn": testPG, "builtin": "dbsize", "max_rows": 5}, "max_rows"},
		{map[string]any{"driver": "postgres", "dsn": testPG, "builtin": "dbsize", "max_size": "1GB"}, "max_size"},
		{map[string]any{"driver": "postgres", "dsn": testPG, "builtin": "tablespace", "max_size": "lots"}, "max_size"},
		{map[string]any{"driver": "postgres", "dsn": testPG, "builtin": "tablespace", "max_size": map[string]any{"pg_default": "-1GB"}}, "max_size"},
		{map[string]any{"driver": "oracle", "dsn": testOracle, "builtin": "tablespace", "max_size": "1TB"}, "max_size"},
		{map[string]any{"builtin": "compare", "target": okSide}, "source"},
		{map[string]any{"builtin": "compare", "source": "x", "target": okSide}, "source"},
		{map[string]any{"builtin": "compare", "driver": "postgres", "source": okSide, "target": okSide}, "driver"},
		{cmp(okSide, map[string]any{"driver": "postgres", "dsn": testPG}), "target.query"},
		{cmp(map[string]any{"driver": "postgres", "dsn": testPG, "query": "delete from t"}, okSide), "source.query"},
		{cmp(map[string]any{"driver": "postgres", "dsn": testPG, "query": "select 1", "extra": 1}, okSide), "source.extra"},
		{cmp(okSide, map[string]any{"driver": "db2", "dsn": testPG, "query": "select 1"}), "target.driver"},
	}
	for _, c := range cases {
		_, err := check.New(sqlSpec(c.params))
		var pe *check.ParamError
		if !errors.As(err, &pe) {
			t.Errorf("%v: error %v is not a ParamError", c.params, err)
			continue
		}
		if pe.Key != c.key {
			t.Errorf("%v: error names %q, want %q (%v)", c.params, pe.Key, c.key, err)
		}
		if !strings.ContainsFunc(pe.Msg, func(r rune) bool { return r >= 0x4e00 && r <= 0x9fff }) {
			t.Errorf("%v: message %q is not Chinese", c.params, pe.Msg)
		}
	}
}

func TestParseSize(t *testing.T) {
	good := map[any]condition.Size{
		"500GB": 500 << 30, "1.5TB": 3 << 39, "1 kb": 1024, "2MiB": 2 << 20, "100": 100, "8g": 8 << 30,
		int64(4096): 4096, 1024: 1024, 2.5e3: 2500,
	}
	for in, want := range good {
		got, err := parseSize(in)
		if err != nil || got != want {
			t.Errorf("parseSize(%#v) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []any{"", "GB", "-1GB", "0", "1XB", "1.2.3GB", true, []any{1}} {
		if got, err := parseSize(in); err == nil {
			t.Errorf("parseSize(%#v) = %d, want an error", in, got)
		}
	}
}

func TestPlaceholdersRegistered(t *testing.T) {
	typ, ok := check.Lookup("sql")
	if !ok {
		t.Fatal("sql not registered")
	}
	for _, mode := range builtinNames {
		ph := PlaceholdersFor(mode)
		if len(ph) < 3 {
			t.Errorf("%s: placeholders %v", mode, ph)
		}
		for _, p := range ph {
			if !typ.HasPlaceholder(p) {
				t.Errorf("%s: %s not registered", mode, p)
			}
		}
	}
	if PlaceholdersFor("nope") != nil {
		t.Error("unknown mode has placeholders")
	}
}

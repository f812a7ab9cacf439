package sql

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/opsbook/opsbook/internal/check"
)

// No password from a DSN may reach an error message or a value, whatever
// goes wrong: refused login, unknown database, unreachable host, or a DSN
// that does not even parse.
func TestPasswordNeverInErrors(t *testing.T) {
	const canary = "Zx9-Canary-Secret"
	pgDSN(t) // the unknown-database case needs the server
	my := mysqlDSN(t)
	down := closedAddr(t)

	failing := []struct {
		name   string
		params map[string]any
		want   string // the failure must still be explained
	}{
		{"mysql wrong password", map[string]any{"driver": "mysql", "builtin": "dbsize",
			"dsn": "root:" + canary + "@tcp(127.0.0.1:3306)/test"}, "Access denied"},
		{"postgres unknown database", map[string]any{"driver": "postgres", "builtin": "dbsize",
			"dsn": "postgres://postgres:" + canary + "@127.0.0.1:5432/opsbook_no_such_db?sslmode=disable"}, "does not exist"},
		{"postgres key=value unreachable", map[string]any{"driver": "postgres", "builtin": "dbsize",
			"dsn": fmt.Sprintf("host=127.0.0.1 port=%s user=postgres password=%s dbname=test sslmode=disable", strings.Split(down, ":")[1], canary)}, "connection refused"},
		{"oracle unreachable", map[string]any{"driver": "oracle", "builtin": "tablespace",
			"dsn": "oracle://system:" + canary + "@" + down + "/ORCLPDB1"}, "connection refused"},
		{"compare target wrong password", map[string]any{"builtin": "compare",
			"source": map[string]any{"driver": "mysql", "dsn": my, "query": "SELECT 1"},
			"target": map[string]any{"driver": "mysql", "dsn": "root:" + canary + "@tcp(127.0.0.1:3306)/test", "query": "SELECT 1"}}, "Access denied"},
	}
	for _, c := range failing {
		t.Run(c.name, func(t *testing.T) {
			obs := observe(t, c.params)
			if obs.Err == nil {
				t.Fatal("no error")
			}
			msg := obs.Err.Error()
			if strings.Contains(msg, canary) || strings.Contains(fmt.Sprint(obs.Values), canary) {
				t.Fatalf("password leaked: %s", msg)
			}
			if !strings.Contains(msg, c.want) {
				t.Errorf("error %q does not explain the failure (%q)", msg, c.want)
			}
		})
	}

	malformed := []struct{ driver, dsn string }{
		{"postgres", "postgres://postgres:" + canary + "@127.0.0.1:notaport/test"},
		{"postgres", "postgres://postgres:pw9@127.0.0.1:notaport/test"},
		{"postgres", "host=127.0.0.1 password=" + canary + " port=notaport"},
		{"mysql", "root:" + canary + "@tcp(127.0.0.1:3306/test"},
		{"mysql", "root:" + canary + "@tcp(127.0.0.1:3306)/test?allowNativePasswords=maybe"},
		{"mysql", "root:pw9@tcp(127.0.0.1:3306)/test?timeout=soon"},
		{"oracle", "oracle://system:" + canary + "@127.0.0.1:notaport/ORCL"},
		{"oracle", "oracle://system:pw9@127.0.0.1:notaport/ORCL"},
		{"oracle", "system/" + canary + "@127.0.0.1:1521/ORCL"},
	}
	for _, c := range malformed {
		_, err := check.New(sqlSpec(map[string]any{"driver": c.driver, "dsn": c.dsn, "builtin": "dbsize"}))
		if err == nil {
			t.Errorf("%s DSN %q accepted", c.driver, c.dsn)
			continue
		}
		var pe *check.ParamError
		if !errors.As(err, &pe) || pe.Key != "dsn" {
			t.Errorf("%s: error %v does not name the dsn parameter", c.driver, err)
		}
		if strings.Contains(err.Error(), canary) || strings.Contains(err.Error(), "pw9") {
			t.Errorf("%s: password leaked: %v", c.driver, err)
		}
	}
}

func TestScrubber(t *testing.T) {
	s := newScrubber("root:Se(ret@tcp(db:3306)/x", []string{"Se(ret", "p@ss word"})
	cases := []struct{ in, mustNot, must string }{
		{"dial root:Se(ret@tcp(db:3306)/x failed", "Se(ret", "failed"},
		{"auth failed for Se(ret", "Se(ret", "auth failed"},
		{"parse \"postgres://u:p%40ss+word@h/db\": bad", "p%40ss", "postgres://u:" + redacted + "@"},
		{"parse \"postgres://u:tiny@h/db\": bad", "tiny", "postgres://u:" + redacted + "@h/db"},
		{"cannot parse `host=h password=tiny port=x`", "tiny", "password=" + redacted},
		{"cannot parse `host=h password='a b c' port=x`", "a b c", "port=x"},
		{"bad dsn u:tiny@tcp(h:1)/d", "tiny", "u:" + redacted + "@tcp("},
		{"bad dsn u:ti@ny@unix(/s)/d", "ny@", "@unix("},
		{"oracle://sys:tiny@h:1521/x?wallet password=w4ll3t", "w4ll3t", "oracle://sys:" + redacted},
		{"plain message: 127.0.0.1:5432 refused", "\x00", "127.0.0.1:5432 refused"},
	}
	for _, c := range cases {
		got := s.text(c.in)
		if (c.mustNot != "\x00" && strings.Contains(got, c.mustNot)) || !strings.Contains(got, c.must) {
			t.Errorf("scrub(%q) = %q; must hide %q and keep %q", c.in, got, c.mustNot, c.must)
		}
	}
}

package changerun

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/opsbook/opsbook/internal/check/checktest"
)

// pgDSN finds the local PostgreSQL test database (OPSBOOK_TEST_POSTGRES_DSN
// overrides); without one the test is skipped on a laptop and fails in CI.
func pgDSN(t *testing.T) string {
	t.Helper()
	candidates := []string{"postgres://postgres@127.0.0.1:5432/test?sslmode=disable", "postgres://root@127.0.0.1:5432/test?sslmode=disable"}
	if env := os.Getenv("OPSBOOK_TEST_POSTGRES_DSN"); env != "" {
		candidates = []string{env}
	}
	var firstErr error
	for _, dsn := range candidates {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		conn, err := pgx.Connect(ctx, dsn)
		if err == nil {
			_ = conn.Close(ctx)
		}
		cancel()
		if err == nil {
			return dsn
		}
		firstErr = err
	}
	checktest.RequireService(t, "PostgreSQL on 127.0.0.1:5432 (database test)", firstErr)
	return ""
}

// TestEveryStepType runs one change with an ssh, an exec, an http and
// three sql steps (writes included, since steps may change things).
func TestEveryStepType(t *testing.T) {
	dsn := pgDSN(t)
	t.Setenv("OPSBOOK_ALLOW_EXEC", "1")
	f := newFixture(t)
	var mu sync.Mutex
	var got []string
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, r.Method+" "+r.URL.Path+" "+r.Header.Get("Authorization")+" "+string(body))
		mu.Unlock()
		fmt.Fprint(w, `{"code":0,"msg":"已切换"}`)
	}))
	defer api.Close()
	table := fmt.Sprintf("changerun_%d", time.Now().UnixNano())
	t.Cleanup(func() {
		ctx := context.Background()
		if conn, err := pgx.Connect(ctx, dsn); err == nil {
			conn.Exec(ctx, "drop table if exists "+table)
			conn.Close(ctx)
		}
	})
	sql := func(name, query, extra string) string {
		return fmt.Sprintf("  - {name: %s, type: sql, driver: postgres, dsn: '${PG_DSN}', query: %q%s}\n", name, query, extra)
	}
	c := change{id: "CHG-2026-171", start: holidayStart, end: holidayEnd,
		steps: f.ssh("remote", f.logs("ssh")) +
			fmt.Sprintf("  - {name: local, type: exec, command: [/bin/sh, -c, %q]}\n", f.logs("exec")) +
			fmt.Sprintf("  - {name: switch, type: http, method: POST, url: %q, headers: {Authorization: 'Bearer ${API_TOKEN}'}, body: '{\"channel\":\"SZY-HJ\"}'}\n", api.URL+"/api/switch") +
			sql("create", "create table "+table+" (n int)", "") +
			sql("insert", "insert into "+table+" values (7)", `, conditions: ["[ROWS_AFFECTED] == 1"]`) +
			sql("verify", "select n from "+table, `, conditions: ["[VALUE] == 7", "[ROW_COUNT] == 1"]`),
		rollback: sql("drop", "drop table if exists "+table, ", undoes: create")}
	f.approved(c)
	env := map[string]string{"PG_DSN": dsn, "API_TOKEN": "token-canary-51e0"}
	pl, err := f.prepare(c.id, inHoliday, env)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := pl.Execute(context.Background(), f.options(inHoliday, env))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rep.Results {
		if r.Status != StatusSuccess {
			t.Errorf("%s: %s %s", r.Step.Name, r.Status, r.Error)
		}
	}
	if rep.Outcome != OutcomeSuccess {
		t.Fatalf("outcome %s", rep.Outcome)
	}
	if want := []string{"POST /api/switch Bearer token-canary-51e0 {\"channel\":\"SZY-HJ\"}"}; len(got) != 1 || got[0] != want[0] {
		t.Errorf("api saw %q", got)
	}
	if words := f.logged(); strings.Join(words, " ") != "ssh exec" {
		t.Errorf("log %v", words)
	}
	record := f.remoteGit("show", "main:"+rep.Path)
	for _, s := range []string{
		"target: postgres ${PG_DSN}", "command: insert into " + table + " values (7)", "output: 影响 1 行", "返回 1 行\n", `{"n":7}`,
		"http_status: 200", "已切换", "command: |-\n      POST " + api.URL + "/api/switch", "target: 本机 runner-test",
	} {
		if !strings.Contains(record, s) {
			t.Errorf("record lacks %q:\n%s", s, record)
		}
	}
	if strings.Contains(record, "token-canary-51e0") {
		t.Errorf("token in the record")
	}
}

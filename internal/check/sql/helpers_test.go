package sql

import (
	"context"
	dbsql "database/sql"
	"flag"
	"fmt"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/opsbook/opsbook/internal/check"
	"github.com/opsbook/opsbook/internal/check/checktest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// pgDSN returns a DSN for the local PostgreSQL test database, probing the
// users this machine and CI use (OPSBOOK_TEST_POSTGRES_DSN overrides).
func pgDSN(t *testing.T) string {
	t.Helper()
	candidates := []string{
		"postgres://postgres@127.0.0.1:5432/test?sslmode=disable",
		"postgres://root@127.0.0.1:5432/test?sslmode=disable",
	}
	if env := os.Getenv("OPSBOOK_TEST_POSTGRES_DSN"); env != "" {
		candidates = []string{env}
	}
	var firstErr error
	for _, dsn := range candidates {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		conn, err := pgx.Connect(ctx, dsn)
		if err == nil {
			err = conn.Ping(ctx)
			_ = conn.Close(ctx)
		}
		cancel()
		if err == nil {
			return dsn
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	checktest.RequireService(t, "PostgreSQL on 127.0.0.1:5432 (database test)", firstErr)
	return ""
}

// mysqlDSN returns a DSN for the local MariaDB/MySQL test database
// (OPSBOOK_TEST_MYSQL_DSN overrides).
func mysqlDSN(t *testing.T) string {
	t.Helper()
	dsn := "root:@tcp(127.0.0.1:3306)/test"
	if env := os.Getenv("OPSBOOK_TEST_MYSQL_DSN"); env != "" {
		dsn = env
	}
	db, err := dbsql.Open("mysql", dsn)
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err = db.PingContext(ctx)
		cancel()
		_ = db.Close()
	}
	checktest.RequireService(t, "MariaDB/MySQL on 127.0.0.1:3306 (database test)", err)
	return dsn
}

// pgExec runs statements on its own connection (test setup, not a check).
func pgExec(t *testing.T, dsn string, stmts ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, s := range stmts {
		if _, err := conn.Exec(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// myExec runs statements on one MySQL connection (test setup).
func myExec(t *testing.T, dsn string, stmts ...string) {
	t.Helper()
	db, err := dbsql.Open("mysql", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, s := range stmts {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

var nameSeq atomic.Int64

// uniqueName makes a table name no concurrent test run will share.
func uniqueName(prefix string) string {
	return fmt.Sprintf("opsbook_%s_%d_%d_%d", prefix, os.Getpid(), time.Now().UnixNano()%1e9, nameSeq.Add(1))
}

// closedAddr returns a loopback address where nothing listens.
func closedAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// silentAddr returns a loopback address that accepts connections and
// never says a word, until the test ends.
func silentAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		<-done
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return l.Addr().String()
}

func sqlSpec(params map[string]any) check.Spec {
	return check.Spec{Name: "t", Type: "sql", Timeout: 20 * time.Second, Params: params}
}

// observe builds and runs one check attempt.
func observe(t *testing.T, params map[string]any) check.Observation {
	t.Helper()
	c, err := check.New(sqlSpec(params))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return c.Check(ctx)
}

// observeOK is observe that fails the test on Observation.Err.
func observeOK(t *testing.T, params map[string]any) map[string]any {
	t.Helper()
	obs := observe(t, params)
	if obs.Err != nil {
		t.Fatalf("check failed: %v", obs.Err)
	}
	if obs.Values["CONNECTED"] != true {
		t.Errorf("CONNECTED = %v, want true", obs.Values["CONNECTED"])
	}
	if d, ok := obs.Values["RESPONSE_TIME"].(time.Duration); !ok || d <= 0 {
		t.Errorf("RESPONSE_TIME = %v", obs.Values["RESPONSE_TIME"])
	}
	return obs.Values
}

// findByName returns the entry of a TABLESPACES-like list named name.
func findByName(t *testing.T, v any, name string) map[string]any {
	t.Helper()
	list, ok := v.([]map[string]any)
	if !ok {
		t.Fatalf("list has type %T", v)
	}
	for _, m := range list {
		if m["name"] == name {
			return m
		}
	}
	t.Fatalf("%q not in %v", name, list)
	return nil
}

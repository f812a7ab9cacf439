package sql

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/opsbook/opsbook/internal/check"
	"github.com/opsbook/opsbook/internal/condition"
)

// No Oracle server runs here: the driver is exercised for DSN parsing and
// for failing properly against a closed and a silent loopback port.
func TestOracleDSN(t *testing.T) {
	cases := map[string]string{
		"oracle://monitor:pw@127.0.0.1:1521/ORCLPDB1":                                     "127.0.0.1:1521/ORCLPDB1",
		"oracle://monitor:pw@127.0.0.1:1522/?SID=ORCL":                                    "127.0.0.1:1522/ORCL",
		"oracle://monitor:p%40ss@127.0.0.1:1521/svc?SSL=false&WALLET%20PASSWORD=W4ll3tPw": "127.0.0.1:1521/svc",
	}
	for dsn, target := range cases {
		info, err := parseOracleDSN(dsn)
		if err != nil {
			t.Errorf("%s: %v", dsn, err)
			continue
		}
		if info.target != target {
			t.Errorf("%s: target %q, want %q", dsn, info.target, target)
		}
		if len(info.secrets) == 0 || strings.Contains(info.target, "pw") {
			t.Errorf("%s: secrets %v, target %q", dsn, info.secrets, info.target)
		}
	}
	info, err := parseOracleDSN("oracle://monitor:p%40ss@127.0.0.1:1521/svc?WALLET%20PASSWORD=W4ll3tPw")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(info.secrets, "p@ss") || !slices.Contains(info.secrets, "W4ll3tPw") {
		t.Errorf("secrets %q miss the escaped password or the wallet password", info.secrets)
	}
}

func TestOracleUnreachable(t *testing.T) {
	for name, addr := range map[string]string{"closed": closedAddr(t), "silent": silentAddr(t)} {
		t.Run(name, func(t *testing.T) {
			c, err := check.New(sqlSpec(map[string]any{"driver": "oracle", "builtin": "tablespace",
				"dsn": "oracle://monitor:Secr3tPw@" + addr + "/ORCLPDB1"}))
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
			defer cancel()
			start := time.Now()
			obs := c.Check(ctx)
			if obs.Err == nil || obs.Values["CONNECTED"] != false {
				t.Fatalf("err %v, CONNECTED %v", obs.Err, obs.Values["CONNECTED"])
			}
			if el := time.Since(start); el > 3*time.Second {
				t.Errorf("took %v past a 500ms deadline", el)
			}
			if strings.Contains(obs.Err.Error(), "Secr3tPw") || !strings.Contains(obs.Err.Error(), "oracle "+addr+"/ORCLPDB1") {
				t.Errorf("error %q leaks the password or does not name the target", obs.Err)
			}
			if name == "silent" && !errors.Is(obs.Err, context.DeadlineExceeded) {
				t.Errorf("silent server: %v is not a deadline error", obs.Err)
			}
		})
	}
}

// oracleTable builds a result as go-ora hands it over: upper-case column
// names, NUMBER values as float64.
func oracleTable(cols []string, rows ...[]any) table {
	return table{cols: columnNames(cols), rows: rows}
}

func TestOracleReducers(t *testing.T) {
	const mb = 1 << 20
	cfg := config{}

	values := map[string]any{}
	ts := oracleTable([]string{"TS_NAME", "USED_BYTES", "SIZE_BYTES", "MAX_BYTES"},
		[]any{"SYSTEM", float64(950 * mb), float64(1024 * mb), float64(1024 * mb)}, // not autoextensible: 92.77 %
		[]any{"USERS", float64(900 * mb), float64(1024 * mb), float64(32768 * mb)}, // autoextends to 32 GB: 2.75 %
		[]any{"UNDOTBS1", "104857600", "209715200", "209715200"},                   // NUMBER as text: 50 %
	)
	if err := oracleBuiltins[modeTablespace].reduce([]table{ts}, cfg, values); err != nil {
		t.Fatal(err)
	}
	list := values["TABLESPACES"].([]map[string]any)
	if len(list) != 3 {
		t.Fatalf("TABLESPACES = %v", list)
	}
	users := findByName(t, list, "USERS")
	if users["used"] != condition.Size(900*mb) || users["total"] != condition.Size(32768*mb) ||
		users["allocated"] != condition.Size(1024*mb) || users["used_pct"] != 2.75 {
		t.Errorf("USERS = %v", users)
	}
	if findByName(t, list, "UNDOTBS1")["used_pct"] != 50.0 {
		t.Errorf("UNDOTBS1 = %v", findByName(t, list, "UNDOTBS1"))
	}
	if values["MAX_USED_PCT"] != 92.77 {
		t.Errorf("MAX_USED_PCT = %v, want 92.77 (SYSTEM)", values["MAX_USED_PCT"])
	}

	values = map[string]any{}
	temp := oracleTable([]string{"TS_NAME", "USED_BYTES", "SIZE_BYTES", "MAX_BYTES"},
		[]any{"TEMP", float64(300 * mb), float64(1024 * mb), float64(4096 * mb)},
		[]any{"TEMP2", float64(100 * mb), float64(200 * mb), float64(200 * mb)})
	if err := oracleBuiltins[modeTemp].reduce([]table{temp}, cfg, values); err != nil {
		t.Fatal(err)
	}
	if values["TEMP_USED"] != condition.Size(400*mb) || values["TEMP_TOTAL"] != condition.Size(4296*mb) ||
		values["TEMP_USED_PCT"] != 50.0 || values["MAX_USED_PCT"] != 50.0 {
		t.Errorf("temp values = %v", values)
	}

	values = map[string]any{}
	size := oracleTable([]string{"SIZE_BYTES"}, []any{float64(5 << 30)})
	if err := oracleBuiltins[modeDBSize].reduce([]table{size}, cfg, values); err != nil || values["DB_SIZE"] != condition.Size(5<<30) {
		t.Errorf("DB_SIZE = %v, %v", values["DB_SIZE"], err)
	}

	values = map[string]any{}
	conns := oracleTable([]string{"CONNECTIONS", "MAX_CONNECTIONS"}, []any{float64(120), float64(480)})
	if err := oracleBuiltins[modeConnections].reduce([]table{conns}, cfg, values); err != nil ||
		values["CONNECTIONS"] != int64(120) || values["MAX_CONNECTIONS"] != int64(480) || values["CONNECTIONS_PCT"] != 25.0 {
		t.Errorf("connections = %v, %v", values, err)
	}
	values = map[string]any{}
	unlimited := oracleTable([]string{"CONNECTIONS", "MAX_CONNECTIONS"}, []any{float64(120), nil})
	if err := oracleBuiltins[modeConnections].reduce([]table{unlimited}, cfg, values); err != nil || values["MAX_CONNECTIONS"] != nil {
		t.Errorf("UNLIMITED sessions: %v, %v", values, err)
	}
}

// The built-in SQL is pinned by golden files: a change to it shows in
// review as a change to testdata/. go test -run Golden -update rewrites.
func TestGoldenBuiltinSQL(t *testing.T) {
	var want []string
	for _, d := range drivers {
		modes := make([]string, 0, len(d.builtins))
		for m := range d.builtins {
			modes = append(modes, m)
		}
		sort.Strings(modes)
		for _, mode := range modes {
			b := d.builtins[mode]
			var sb strings.Builder
			for i, q := range b.queries {
				if i > 0 {
					sb.WriteString("\n")
				}
				sb.WriteString("-- " + d.name + " " + mode + "\n" + q + ";\n")
			}
			name := d.name + "_" + mode + ".sql"
			want = append(want, name)
			path := filepath.Join("testdata", name)
			if *update {
				if err := os.WriteFile(path, []byte(sb.String()), 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -run Golden -update)", err)
			}
			if string(got) != sb.String() {
				t.Errorf("%s differs from the built-in SQL; review and run go test -run Golden -update", path)
			}
			if d.name == "oracle" {
				checkOracleText(t, mode, b.queries)
			}
		}
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "*.sql"))
	if len(files) != len(want) {
		t.Errorf("testdata has %d .sql files, the built-ins %d: remove stale ones", len(files), len(want))
	}
}

// checkOracleText catches what would fail only on a real server: a
// trailing semicolon (ORA-00911), unbalanced parentheses, and column
// aliases the reducers do not read.
func checkOracleText(t *testing.T, mode string, queries []string) {
	t.Helper()
	for _, q := range queries {
		if strings.Contains(q, ";") {
			t.Errorf("oracle %s: contains a semicolon", mode)
		}
		if strings.Count(q, "(") != strings.Count(q, ")") {
			t.Errorf("oracle %s: unbalanced parentheses", mode)
		}
		if err := checkReadOnly(q); err != nil {
			t.Errorf("oracle %s: %v", mode, err)
		}
		lower := strings.ToLower(q)
		for _, alias := range map[string][]string{
			modeTablespace:  {"as ts_name", "as used_bytes", "as max_bytes", "dba_data_files", "dba_free_space", "autoextensible"},
			modeTemp:        {"as ts_name", "as used_bytes", "as max_bytes", "dba_temp_free_space", "dba_temp_files"},
			modeDBSize:      {"as size_bytes"},
			modeConnections: {"as connections", "as max_connections", "v$resource_limit"},
		}[mode] {
			if !strings.Contains(lower, alias) {
				t.Errorf("oracle %s: %q missing", mode, alias)
			}
		}
	}
}

package sql

import (
	"context"
	"strings"
	"time"

	"github.com/opsbook/opsbook/internal/check"
)

// Placeholder names, grouped by the mode that sets them.
var (
	commonPlaceholders     = []string{"CONNECTED", "RESPONSE_TIME"}
	queryPlaceholders      = []string{"ROWS", "ROW_COUNT", "TRUNCATED", "VALUE", "ROWS_AFFECTED"}
	tablespacePlaceholders = []string{"TABLESPACES", "MAX_USED_PCT", "DATABASES"}
	tempPlaceholders       = []string{"TEMP_TABLESPACES", "TEMP_USED", "TEMP_TOTAL", "TEMP_USED_PCT", "MAX_USED_PCT",
		"TEMP_FILES", "TEMP_BYTES", "TEMP_TABLES", "TEMP_DISK_TABLES", "TEMP_DISK_PCT"}
	dbsizePlaceholders      = []string{"DB_SIZE"}
	connectionsPlaceholders = []string{"CONNECTIONS", "MAX_CONNECTIONS", "CONNECTIONS_PCT"}
	comparePlaceholders     = []string{"SOURCE", "TARGET", "MATCH"}
)

func init() {
	var all []string
	seen := map[string]bool{}
	for _, group := range [][]string{commonPlaceholders, queryPlaceholders, tablespacePlaceholders,
		tempPlaceholders, dbsizePlaceholders, connectionsPlaceholders, comparePlaceholders} {
		for _, p := range group {
			if !seen[p] {
				seen[p] = true
				all = append(all, p)
			}
		}
	}
	check.Register(check.Type{
		Name:         "sql",
		Label:        "数据库",
		Placeholders: all,
		Category:     "database",
		Step: &check.Step{
			// A change step exists to change things: sql statements run
			// outside the check library's read-only transaction unless the
			// step says allow_write: false.
			Defaults: func(p map[string]any) {
				if p["query"] != nil && p["allow_write"] == nil {
					if b := check.Str(p["builtin"]); b == "" || b == "query" {
						p["allow_write"] = true
					}
				}
			},
			Target: func(p map[string]any, _ string) string {
				return strings.TrimSpace(check.Str(p["driver"]) + " " + check.HidePassword(check.Str(p["dsn"])))
			},
			Command: func(p map[string]any) string {
				if q := check.Str(p["query"]); q != "" {
					return q
				}
				return "builtin: " + check.Str(p["builtin"])
			},
			Excerpt: stepExcerpt,
		},
		New: newChecker,
	})
}

// PlaceholdersFor lists the placeholders a check in the given mode may set
// ("query", "tablespace", "temp", "dbsize", "connections" or "compare"), so
// a linter can warn about a condition that can never be met.
func PlaceholdersFor(mode string) []string {
	var extra []string
	switch mode {
	case modeQuery:
		extra = queryPlaceholders
	case modeTablespace:
		extra = tablespacePlaceholders
	case modeTemp:
		extra = tempPlaceholders
	case modeDBSize:
		extra = dbsizePlaceholders
	case modeConnections:
		extra = connectionsPlaceholders
	case modeCompare:
		extra = comparePlaceholders
	default:
		return nil
	}
	return append(append([]string{}, commonPlaceholders...), extra...)
}

type checker struct{ cfg config }

func newChecker(spec check.Spec) (check.Checker, error) {
	cfg, err := parseConfig(spec)
	if err != nil {
		return nil, err
	}
	return &checker{cfg: cfg}, nil
}

// Check performs one attempt: connect, run the query or the built-in's
// queries inside a read-only transaction, derive the placeholders, close.
func (c *checker) Check(ctx context.Context) check.Observation {
	start := time.Now()
	var obs check.Observation
	if c.cfg.mode == modeCompare {
		obs = c.compare(ctx)
	} else {
		obs = c.single(ctx)
	}
	if obs.Values == nil {
		obs.Values = map[string]any{}
	}
	obs.Values["RESPONSE_TIME"] = time.Since(start)
	return obs
}

func (c *checker) single(ctx context.Context) check.Observation {
	ep := c.cfg.endpoint
	values := map[string]any{"CONNECTED": false}
	readOnly := !(c.cfg.mode == modeQuery && c.cfg.allowWrite)
	s, err := ep.connect(ctx, readOnly)
	if err != nil {
		return check.Failed(err, values)
	}
	defer s.close()
	values["CONNECTED"] = true

	if c.cfg.mode == modeQuery {
		run := ep.run
		if c.cfg.allowWrite {
			run = ep.runWrite
		}
		t, err := run(ctx, s, c.cfg.query, c.cfg.maxRows)
		if err != nil {
			return check.Failed(err, values)
		}
		if t.changed {
			values["ROWS_AFFECTED"] = t.affected
		}
		rows := t.maps()
		values["ROWS"] = rows
		values["ROW_COUNT"] = int64(len(rows))
		values["TRUNCATED"] = t.truncated
		if len(t.rows) > 0 && len(t.cols) > 0 && t.rows[0][0] != nil {
			values["VALUE"] = t.rows[0][0]
		}
		return check.Observation{Values: values}
	}

	b := ep.driver.builtins[c.cfg.mode]
	tables := make([]table, 0, len(b.queries))
	for _, q := range b.queries {
		t, err := ep.run(ctx, s, q, builtinMaxRows)
		if err != nil {
			return check.Failed(err, values)
		}
		tables = append(tables, t)
	}
	if err := b.reduce(tables, c.cfg, values); err != nil {
		return check.Failed(ep.fail("解读内置查询结果", err), values)
	}
	return check.Observation{Values: values}
}

// builtinMaxRows bounds what a built-in reads; catalogue queries return a
// row per tablespace or schema, far fewer than this.
const builtinMaxRows = 100000

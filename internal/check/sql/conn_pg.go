package sql

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// PostgreSQL goes through pgx's own API rather than database/sql: one
// connection per attempt, typed values, and ctx honoured while connecting.
var postgresDriver = &driverDef{
	name:          "postgres",
	aliases:       []string{"postgresql"},
	parseDSN:      parsePostgresDSN,
	open:          openPostgres,
	builtins:      postgresBuiltins,
	privilegeHint: "监控账号需要 pg_monitor 角色：GRANT pg_monitor TO 监控用户;",
	dsnExample:    "postgres://用户:密码@主机:5432/库名?sslmode=disable 或 host=主机 port=5432 user=用户 password=密码 dbname=库名",
}

func parsePostgresDSN(dsn string) (dsnInfo, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return dsnInfo{}, err
	}
	info := dsnInfo{
		target: net.JoinHostPort(cfg.Host, strconv.Itoa(int(cfg.Port))) + "/" + cfg.Database,
	}
	if cfg.Password != "" {
		info.secrets = append(info.secrets, cfg.Password)
	}
	return info, nil
}

type pgSession struct {
	conn *pgx.Conn
	tx   pgx.Tx // nil when writes are allowed
}

func openPostgres(ctx context.Context, dsn string, readOnly bool) (session, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, err
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	s := &pgSession{conn: conn}
	if readOnly {
		s.tx, err = conn.BeginTx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly})
		if err != nil {
			s.close()
			return nil, fmt.Errorf("开启只读事务：%w", err)
		}
	}
	return s, nil
}

func (s *pgSession) query(ctx context.Context, q string, maxRows int) (table, error) {
	// Cancelling qctx after the last wanted row closes the connection
	// instead of draining a large result.
	qctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		rows pgx.Rows
		err  error
	)
	if s.tx != nil {
		rows, err = s.tx.Query(qctx, q)
	} else {
		rows, err = s.conn.Query(qctx, q)
	}
	if err != nil {
		return table{}, err
	}
	defer rows.Close()
	fields := rows.FieldDescriptions()
	names := make([]string, len(fields))
	types := make([]string, len(fields))
	for i, f := range fields {
		names[i] = f.Name
		if typ, ok := s.conn.TypeMap().TypeForOID(f.DataTypeOID); ok {
			types[i] = typ.Name
		}
	}
	t := table{cols: columnNames(names)}
	for rows.Next() {
		if len(t.rows) == maxRows {
			t.truncated = true
			if s.tx != nil {
				cancel() // read-only: drop the connection rather than read the rest
				return t, nil
			}
			continue // a write: read to the end, so the statement completes
		}
		vals, err := rows.Values()
		if err != nil {
			return t, err
		}
		row := make([]any, len(vals))
		for i, v := range vals {
			row[i] = convert(v, types[i])
		}
		t.rows = append(t.rows, row)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return t, err
	}
	if tag := rows.CommandTag(); s.tx == nil && (tag.Insert() || tag.Update() || tag.Delete() || strings.HasPrefix(tag.String(), "MERGE")) {
		t.changed, t.affected = true, tag.RowsAffected()
	}
	return t, nil
}

// write runs q as a query too: the extended protocol takes one statement
// only, and the command tag says how many rows an INSERT, UPDATE, DELETE or
// MERGE changed, RETURNING or not.
func (s *pgSession) write(ctx context.Context, q string, maxRows int) (table, error) {
	return s.query(ctx, q, maxRows)
}

func (s *pgSession) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if s.tx != nil {
		_ = s.tx.Rollback(ctx)
	}
	_ = s.conn.Close(ctx)
}

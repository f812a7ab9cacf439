package sql

import (
	"context"
	dbsql "database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/url"
	"strings"

	"github.com/go-sql-driver/mysql"
	goora "github.com/sijms/go-ora/v2"
)

// MySQL and MariaDB go through database/sql with go-sql-driver/mysql.
var mysqlDriver = &driverDef{
	name:          "mysql",
	aliases:       []string{"mariadb"},
	parseDSN:      parseMySQLDSN,
	open:          openMySQL,
	builtins:      mysqlBuiltins,
	privilegeHint: "监控账号需要 PROCESS 权限及所查库的 SELECT 权限：GRANT PROCESS, SELECT ON *.* TO 监控用户;",
	dsnExample:    "用户:密码@tcp(主机:3306)/库名",
}

// Oracle goes through database/sql with the pure-Go go-ora driver.
var oracleDriver = &driverDef{
	name:          "oracle",
	parseDSN:      parseOracleDSN,
	open:          openOracle,
	builtins:      oracleBuiltins,
	privilegeHint: "监控账号需要数据字典的只读权限：GRANT CREATE SESSION, SELECT_CATALOG_ROLE TO 监控用户;（或 SELECT ANY DICTIONARY）",
	dsnExample:    "oracle://用户:密码@主机:1521/服务名",
}

func mysqlConfig(dsn string) (*mysql.Config, error) {
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		return nil, err
	}
	cfg.ParseTime = true // DATETIME → time.Time → RFC 3339
	cfg.MultiStatements = false
	cfg.AllowAllFiles = false
	cfg.Logger = log.New(io.Discard, "", 0) // the driver's log lines are not ours to print
	return cfg, nil
}

func parseMySQLDSN(dsn string) (dsnInfo, error) {
	cfg, err := mysqlConfig(dsn)
	if err != nil {
		return dsnInfo{}, err
	}
	info := dsnInfo{target: cfg.Addr + "/" + cfg.DBName}
	if cfg.Passwd != "" {
		info.secrets = append(info.secrets, cfg.Passwd)
	}
	return info, nil
}

func openMySQL(ctx context.Context, dsn string, readOnly bool) (session, error) {
	cfg, err := mysqlConfig(dsn)
	if err != nil {
		return nil, err
	}
	// Rows matched, not only those whose values changed, as PostgreSQL
	// counts: an UPDATE that finds its row reports 1 on a re-run too.
	cfg.ClientFoundRows = !readOnly
	c, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, err
	}
	return openStd(ctx, c, func(ctx context.Context, db *dbsql.DB) (*dbsql.Tx, error) {
		if !readOnly {
			return nil, nil
		}
		return db.BeginTx(ctx, &dbsql.TxOptions{ReadOnly: true})
	})
}

// parseOracleDSN reads oracle://user:password@host:port/service?options,
// the URL form go-ora documents.
func parseOracleDSN(dsn string) (dsnInfo, error) {
	if !strings.HasPrefix(strings.ToLower(dsn), "oracle://") {
		return dsnInfo{}, errors.New("应以 oracle:// 开头")
	}
	cfg, err := goora.ParseConfig(dsn)
	if err != nil {
		return dsnInfo{}, err
	}
	var info dsnInfo
	if len(cfg.Servers) > 0 {
		s := cfg.Servers[0]
		info.target = net.JoinHostPort(s.Addr, fmt.Sprint(s.Port))
	}
	if cfg.ServiceName != "" {
		info.target += "/" + cfg.ServiceName
	} else if cfg.SID != "" {
		info.target += "/" + cfg.SID
	}
	if cfg.Password != "" {
		info.secrets = append(info.secrets, cfg.Password)
	}
	if u, err := url.Parse(dsn); err == nil {
		for key, vals := range u.Query() {
			k := strings.ToLower(key)
			if strings.Contains(k, "pass") || strings.Contains(k, "hash") {
				info.secrets = append(info.secrets, vals...)
			}
		}
	}
	return info, nil
}

func openOracle(ctx context.Context, dsn string, readOnly bool) (session, error) {
	c := goora.NewConnector(dsn)
	return openStd(ctx, c, func(ctx context.Context, db *dbsql.DB) (*dbsql.Tx, error) {
		if !readOnly {
			return nil, nil
		}
		// go-ora refuses TxOptions.ReadOnly; Oracle's own way is SET
		// TRANSACTION READ ONLY as the transaction's first statement.
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return nil, err
		}
		if _, err := tx.ExecContext(ctx, "SET TRANSACTION READ ONLY"); err != nil {
			_ = tx.Rollback()
			return nil, err
		}
		return tx, nil
	})
}

type stdSession struct {
	db *dbsql.DB
	tx *dbsql.Tx // nil when writes are allowed
}

// openStd connects (Ping, so a refused login is a connection error) and
// begins the read-only transaction, if any, with begin.
func openStd(ctx context.Context, c driver.Connector, begin func(context.Context, *dbsql.DB) (*dbsql.Tx, error)) (session, error) {
	db := dbsql.OpenDB(c)
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, err
	}
	tx, err := begin(ctx, db)
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("开启只读事务：%w", err)
	}
	return &stdSession{db: db, tx: tx}, nil
}

func (s *stdSession) query(ctx context.Context, q string, maxRows int) (table, error) {
	qctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		rows *dbsql.Rows
		err  error
	)
	if s.tx != nil {
		rows, err = s.tx.QueryContext(qctx, q)
	} else {
		rows, err = s.db.QueryContext(qctx, q)
	}
	if err != nil {
		return table{}, err
	}
	defer rows.Close()
	colTypes, err := rows.ColumnTypes()
	if err != nil {
		return table{}, err
	}
	names := make([]string, len(colTypes))
	types := make([]string, len(colTypes))
	for i, ct := range colTypes {
		names[i] = ct.Name()
		types[i] = ct.DatabaseTypeName()
	}
	t := table{cols: columnNames(names)}
	raw := make([]any, len(colTypes))
	ptrs := make([]any, len(colTypes))
	for i := range raw {
		ptrs[i] = &raw[i]
	}
	for rows.Next() {
		if len(t.rows) == maxRows {
			t.truncated = true
			if s.tx != nil {
				cancel() // read-only: drop the connection rather than drain the rest
				return t, nil
			}
			continue // a write: read to the end, so the statement completes
		}
		if err := rows.Scan(ptrs...); err != nil {
			return t, err
		}
		row := make([]any, len(raw))
		for i, v := range raw {
			row[i] = convert(v, types[i])
		}
		t.rows = append(t.rows, row)
	}
	return t, rows.Err()
}

// write runs a statement that gives rows (returnsRows) as a query and any
// other for the number of rows it changed.
func (s *stdSession) write(ctx context.Context, q string, maxRows int) (table, error) {
	if returnsRows(q) {
		return s.query(ctx, q, maxRows)
	}
	var (
		res dbsql.Result
		err error
	)
	if s.tx != nil {
		res, err = s.tx.ExecContext(ctx, q)
	} else {
		res, err = s.db.ExecContext(ctx, q)
	}
	if err != nil {
		return table{}, err
	}
	n, err := res.RowsAffected()
	return table{changed: err == nil, affected: n}, nil
}

func (s *stdSession) close() {
	if s.tx != nil {
		_ = s.tx.Rollback()
	}
	_ = s.db.Close()
}

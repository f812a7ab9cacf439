package sql

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// driverDef is one database family: how to read its DSN, how to connect,
// and the SQL of its built-ins.
type driverDef struct {
	name     string
	aliases  []string
	parseDSN func(dsn string) (dsnInfo, error) // no I/O
	open     func(ctx context.Context, dsn string, readOnly bool) (session, error)
	builtins map[string]builtin
	// privilegeHint says what to grant when a query is refused.
	privilegeHint string
	// dsnExample shows the DSN format in messages.
	dsnExample string
}

// dsnInfo is what a DSN reveals that is safe or necessary to know.
type dsnInfo struct {
	target  string   // host:port/database, for messages; never userinfo
	secrets []string // passwords to scrub from every message
}

// session is one open connection, inside a read-only transaction unless
// the check allows writes.
type session interface {
	query(ctx context.Context, q string, maxRows int) (table, error)
	// write runs a statement allowed to write: its rows, if it gives any,
	// and how many rows it changed (table.changed, table.affected), when
	// the database says.
	write(ctx context.Context, q string, maxRows int) (table, error)
	close()
}

// builtin is a fixed set of catalogue queries and how to turn their
// results into placeholders.
type builtin struct {
	queries []string
	reduce  func(tables []table, cfg config, values map[string]any) error
}

var drivers = []*driverDef{postgresDriver, mysqlDriver, oracleDriver}

func lookupDriver(name string) (*driverDef, bool) {
	for _, d := range drivers {
		if d.name == name {
			return d, true
		}
		for _, a := range d.aliases {
			if a == name {
				return d, true
			}
		}
	}
	return nil, false
}

// endpoint is a database to connect to: its driver, DSN and scrubber.
type endpoint struct {
	driver *driverDef
	dsn    string
	info   dsnInfo
	scrub  scrubber
}

func newEndpoint(d *driverDef, dsn string) (endpoint, error) {
	ep := endpoint{driver: d, dsn: dsn, scrub: newScrubber(dsn, nil)}
	info, err := d.parseDSN(dsn)
	if err != nil {
		return ep, fmt.Errorf("无法解析 %s 的 DSN：%s；格式如 %s", d.name, ep.scrub.text(err.Error()), d.dsnExample)
	}
	ep.info = info
	ep.scrub = newScrubber(dsn, info.secrets)
	return ep, nil
}

func (ep endpoint) label() string {
	if ep.info.target == "" {
		return ep.driver.name
	}
	return ep.driver.name + " " + ep.info.target
}

// connect opens a session; its error is safe to show.
func (ep endpoint) connect(ctx context.Context, readOnly bool) (session, error) {
	s, err := ep.driver.open(ctx, ep.dsn, readOnly)
	if err == nil {
		return s, nil
	}
	if ctx.Err() != nil {
		return nil, ep.wrap(ctx.Err(), "连接 %s 超时或被取消：%s；请检查网络、数据库负载，必要时调大 timeout", ep.label(), err)
	}
	return nil, ep.wrap(err, "连接 %s 失败：%s；请检查 dsn 中的地址、端口、库名、用户名和密码，以及网络与防火墙", ep.label(), err)
}

// run executes one statement; its error is safe to show.
func (ep endpoint) run(ctx context.Context, s session, q string, maxRows int) (table, error) {
	t, err := s.query(ctx, trimStatement(q), maxRows)
	if err == nil {
		return t, nil
	}
	return t, ep.runError(ctx, err)
}

// runWrite executes a statement allowed to write (allow_write); its error
// is safe to show.
func (ep endpoint) runWrite(ctx context.Context, s session, q string, maxRows int) (table, error) {
	t, err := s.write(ctx, trimStatement(q), maxRows)
	if err != nil {
		return t, ep.runError(ctx, err)
	}
	return t, nil
}

// runError turns a failed statement into an error safe to show.
func (ep endpoint) runError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ep.wrap(ctx.Err(), "在 %s 上执行查询超时或被取消：%s；请优化查询或调大 timeout", ep.label(), err)
	}
	hint := ""
	if deniedPattern.MatchString(err.Error()) {
		hint = "；" + ep.driver.privilegeHint
	}
	if readOnlyPattern.MatchString(err.Error()) {
		hint = "；检查在只读事务中执行，不得修改数据"
	}
	return ep.wrap(err, "在 %s 上执行查询失败：%s%s", ep.label(), err, hint)
}

func (ep endpoint) fail(what string, err error) error {
	return ep.wrap(err, "%s（%s）失败：%s", what, ep.label(), err)
}

// wrap formats a message and scrubs every secret from it. Only context
// errors stay reachable through Unwrap (for errors.Is with
// context.DeadlineExceeded): a driver's own error value may hold its
// parsed configuration, password included.
func (ep endpoint) wrap(cause error, format string, args ...any) error {
	e := &safeError{msg: ep.scrub.text(fmt.Sprintf(format, args...))}
	if errors.Is(cause, context.DeadlineExceeded) || errors.Is(cause, context.Canceled) {
		e.cause = cause
	}
	return e
}

// safeError carries a message already scrubbed of secrets.
type safeError struct {
	msg   string
	cause error // a context error, or nil
}

func (e *safeError) Error() string { return e.msg }
func (e *safeError) Unwrap() error { return e.cause }

// trimStatement drops surrounding blanks and one trailing semicolon
// (Oracle rejects it; the others do not need it).
func trimStatement(q string) string {
	q = strings.TrimSpace(q)
	q = strings.TrimSuffix(q, ";")
	return strings.TrimSpace(q)
}

var errNoRows = errors.New("查询没有返回任何行")

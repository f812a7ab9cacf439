package sql

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/opsbook/opsbook/internal/check"
	"github.com/opsbook/opsbook/internal/condition"
)

// Modes: the built-ins, plus "query" (an arbitrary read-only statement).
const (
	modeQuery       = "query"
	modeTablespace  = "tablespace"
	modeTemp        = "temp"
	modeDBSize      = "dbsize"
	modeConnections = "connections"
	modeCompare     = "compare"
)

var builtinNames = []string{modeTablespace, modeTemp, modeDBSize, modeConnections, modeCompare, modeQuery}

const defaultMaxRows = 1000

type config struct {
	mode       string
	endpoint   endpoint // every mode but compare
	query      string   // query mode
	maxRows    int      // query mode
	allowWrite bool     // query mode
	maxSize    limits   // tablespace and temp on postgres/mysql
	source     side     // compare
	target     side     // compare
}

// side is one database of a compare.
type side struct {
	endpoint
	query string
}

func parseConfig(spec check.Spec) (config, error) {
	p := spec.P()
	var cfg config
	builtin := strings.ToLower(strings.TrimSpace(p.String("builtin", false)))
	query := strings.TrimSpace(p.String("query", false))
	switch {
	case builtin == "" && query == "":
		p.Fail("builtin", "请设置 builtin（%s）或 query（一条 SELECT 查询）", strings.Join(builtinNames, "、"))
	case builtin == "":
		builtin = modeQuery
	case !slices.Contains(builtinNames, builtin):
		p.Fail("builtin", "未知的内置检查 %q；可选：%s", builtin, strings.Join(builtinNames, "、"))
	case builtin == modeQuery && query == "":
		p.Fail("query", "builtin: query 需要 query（一条 SELECT 查询）")
	case builtin != modeQuery && query != "":
		p.Fail("query", "不能与 builtin: %s 同时使用；compare 的查询写在 source.query 和 target.query 中", builtin)
	}
	cfg.mode = builtin

	if builtin == modeCompare {
		for _, key := range []string{"driver", "dsn"} {
			if p.Has(key) {
				p.Fail(key, "compare 模式请把 driver、dsn、query 分别写在 source 和 target 中")
			}
		}
		cfg.source = parseSide(p, "source")
		cfg.target = parseSide(p, "target")
	} else {
		cfg.endpoint = parseEndpoint(p, "", p.String("driver", true), p.String("dsn", true))
	}

	if builtin == modeQuery {
		cfg.query = query
		cfg.maxRows = p.Int("max_rows", defaultMaxRows)
		if cfg.maxRows < 1 || cfg.maxRows > 100000 {
			p.Fail("max_rows", "应在 1 到 100000 之间")
		}
		cfg.allowWrite = p.Bool("allow_write", false)
		if query != "" && !cfg.allowWrite {
			if err := checkReadOnly(query); err != nil {
				p.Fail("query", "%v", err)
			}
		}
	} else {
		for _, key := range []string{"max_rows", "allow_write"} {
			if p.Has(key) {
				p.Fail(key, "只用于 query（自定义查询）")
			}
		}
	}

	if p.Has("max_size") {
		d := cfg.endpoint.driver
		switch {
		case builtin != modeTablespace && builtin != modeTemp:
			p.Fail("max_size", "只用于 builtin: tablespace 或 temp")
		case d != nil && d.name == "oracle":
			p.Fail("max_size", "Oracle 的容量取自数据文件（含自动扩展上限），不需要 max_size；请删除")
		default:
			l, err := parseLimits(spec.Params["max_size"])
			if err != nil {
				p.Fail("max_size", "%v", err)
			}
			cfg.maxSize = l
		}
	}

	if err := p.Err(); err != nil {
		return config{}, err
	}
	return cfg, nil
}

// parseEndpoint resolves a driver name and validates its DSN without I/O.
// prefix names the enclosing parameter ("source.") in error messages.
func parseEndpoint(p *check.Params, prefix, driverName, dsn string) endpoint {
	driverName = strings.ToLower(strings.TrimSpace(driverName))
	if driverName == "" || dsn == "" {
		return endpoint{}
	}
	d, ok := lookupDriver(driverName)
	if !ok {
		p.Fail(prefix+"driver", "未知的数据库驱动 %q；可选：postgres（含 Kingbase 等兼容库）、mysql（含 MariaDB）、oracle", driverName)
		return endpoint{}
	}
	ep, err := newEndpoint(d, dsn)
	if err != nil {
		p.Fail(prefix+"dsn", "%v", err)
	}
	return ep
}

func parseSide(p *check.Params, key string) side {
	m := p.Map(key)
	if m == nil {
		if !p.Has(key) {
			p.Fail(key, "compare 需要 %s：{driver, dsn, query}", key)
		}
		return side{}
	}
	sub := check.Spec{Params: m}.P()
	var s side
	driverName := sub.String("driver", true)
	dsn := sub.String("dsn", true)
	s.query = strings.TrimSpace(sub.String("query", true))
	if s.query != "" {
		if err := checkReadOnly(s.query); err != nil {
			sub.Fail("query", "%v", err)
		}
	}
	s.endpoint = parseEndpoint(sub, "", driverName, dsn)
	if err := sub.Err(); err != nil {
		var pe *check.ParamError
		if errors.As(err, &pe) {
			p.Fail(key+"."+pe.Key, "%s", pe.Msg)
		} else {
			p.Fail(key, "%v", err)
		}
	}
	return s
}

// limits is the capacity a postgres/mysql tablespace or schema is measured
// against: one size for all, or a size per name with "*" as the default.
type limits struct {
	byName map[string]condition.Size
}

func (l limits) lookup(name string) (condition.Size, bool) {
	if s, ok := l.byName[name]; ok {
		return s, true
	}
	s, ok := l.byName["*"]
	return s, ok
}

func parseLimits(v any) (limits, error) {
	l := limits{byName: map[string]condition.Size{}}
	if m, ok := v.(map[string]any); ok {
		if len(m) == 0 {
			return l, errors.New("映射不能为空；例如 {pg_default: 500GB, \"*\": 100GB}")
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			s, err := parseSize(m[k])
			if err != nil {
				return l, fmt.Errorf("%s：%w", k, err)
			}
			l.byName[k] = s
		}
		return l, nil
	}
	s, err := parseSize(v)
	if err != nil {
		return l, err
	}
	l.byName["*"] = s
	return l, nil
}

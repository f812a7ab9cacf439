package sql

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/opsbook/opsbook/internal/condition"
)

// The reducers below are shared by every driver: each driver's SQL returns
// columns with agreed names (see the builtin_*.go files), and a reducer
// reads them by name.
//
//	ts_name      tablespace, schema or temp tablespace name
//	used_bytes   bytes in use
//	size_bytes   bytes allocated now (data files' current size)
//	free_bytes   free bytes within size_bytes (used = size − free when used_bytes is absent)
//	max_bytes    capacity, counting autoextend up to its maximum
//	file_count   temporary files now
//	db_name      database (PostgreSQL DATABASES)
//	variable_name/value   MySQL SHOW GLOBAL STATUS rows
//	temp_files, temp_bytes, connections, max_connections   single values

func reduceTablespace(tables []table, cfg config, values map[string]any) error {
	var usages []usage
	for _, t := range tables {
		switch {
		case t.col("ts_name") >= 0:
			us, err := readUsage(t, cfg.maxSize)
			if err != nil {
				return err
			}
			usages = append(usages, us...)
		case t.col("db_name") >= 0:
			values["DATABASES"] = readDatabases(t)
		}
	}
	list, maxPct, ok := usageList(usages)
	values["TABLESPACES"] = list
	if ok {
		values["MAX_USED_PCT"] = maxPct
	}
	return nil
}

func reduceTemp(tables []table, cfg config, values map[string]any) error {
	var usages []usage
	for _, t := range tables {
		switch {
		case t.col("ts_name") >= 0:
			us, err := readUsage(t, cfg.maxSize)
			if err != nil {
				return err
			}
			usages = append(usages, us...)
		case t.col("variable_name") >= 0:
			st := readStatus(t)
			tmp, okT := st["created_tmp_tables"]
			disk, okD := st["created_tmp_disk_tables"]
			if okT {
				values["TEMP_TABLES"] = tmp
			}
			if okD {
				values["TEMP_DISK_TABLES"] = disk
			}
			if okT && okD && tmp > 0 {
				values["TEMP_DISK_PCT"] = round2(float64(disk) / float64(tmp) * 100)
			}
			if files, ok := st["created_tmp_files"]; ok {
				values["TEMP_FILES"] = files
			}
		case t.col("temp_files") >= 0:
			if len(t.rows) == 0 {
				return errNoRows
			}
			if n, ok := intCell(t, t.rows[0], "temp_files"); ok {
				values["TEMP_FILES"] = n
			}
			if n, ok := intCell(t, t.rows[0], "temp_bytes"); ok {
				values["TEMP_BYTES"] = condition.Size(n)
			}
		}
	}
	if len(usages) == 0 {
		return nil
	}
	list, maxPct, hasPct := usageList(usages)
	values["TEMP_TABLESPACES"] = list
	var used, total condition.Size
	allTotals := true
	for _, u := range usages {
		used += u.used
		total += u.total
		allTotals = allTotals && u.hasTotal
	}
	values["TEMP_USED"] = used
	if allTotals {
		values["TEMP_TOTAL"] = total
	}
	if hasPct {
		values["TEMP_USED_PCT"] = maxPct
		values["MAX_USED_PCT"] = maxPct // same condition as for tablespace
	}
	return nil
}

func reduceDBSize(tables []table, _ config, values map[string]any) error {
	for _, t := range tables {
		if t.col("size_bytes") < 0 {
			continue
		}
		if len(t.rows) == 0 {
			return errNoRows
		}
		n, ok := intCell(t, t.rows[0], "size_bytes")
		if !ok {
			return errors.New("size_bytes 不是数字")
		}
		values["DB_SIZE"] = condition.Size(n)
		return nil
	}
	return errors.New("结果中没有 size_bytes 列")
}

func reduceConnections(tables []table, _ config, values map[string]any) error {
	var conns, max int64
	var haveConns, haveMax bool
	for _, t := range tables {
		if len(t.rows) == 0 {
			continue
		}
		if t.col("variable_name") >= 0 {
			if n, ok := readStatus(t)["threads_connected"]; ok {
				conns, haveConns = n, true
			}
			continue
		}
		if n, ok := intCell(t, t.rows[0], "connections"); ok {
			conns, haveConns = n, true
		}
		if n, ok := intCell(t, t.rows[0], "max_connections"); ok {
			max, haveMax = n, true
		}
	}
	if !haveConns {
		return errors.New("没有读到当前连接数")
	}
	values["CONNECTIONS"] = conns
	if haveMax {
		values["MAX_CONNECTIONS"] = max
		if max > 0 {
			values["CONNECTIONS_PCT"] = round2(float64(conns) / float64(max) * 100)
		}
	}
	return nil
}

// usage is one tablespace (or schema) and how full it is.
type usage struct {
	name      string
	used      condition.Size
	total     condition.Size // capacity; meaningful when hasTotal
	hasTotal  bool
	allocated condition.Size // current size of its files; when hasAlloc
	hasAlloc  bool
	files     int64 // temporary files; when hasFiles
	hasFiles  bool
}

func readUsage(t table, lim limits) ([]usage, error) {
	var out []usage
	for _, row := range t.rows {
		name, _ := row[t.col("ts_name")].(string)
		u := usage{name: name}
		if n, ok := intCell(t, row, "used_bytes"); ok {
			u.used = condition.Size(n)
		} else {
			size, okS := intCell(t, row, "size_bytes")
			free, okF := intCell(t, row, "free_bytes")
			if !okS || !okF {
				return nil, fmt.Errorf("表空间 %s 缺少已用量", name)
			}
			u.used = condition.Size(size - free)
		}
		if n, ok := intCell(t, row, "size_bytes"); ok {
			u.allocated, u.hasAlloc = condition.Size(n), true
		}
		if n, ok := intCell(t, row, "max_bytes"); ok && n > 0 {
			u.total, u.hasTotal = condition.Size(n), true
		} else if s, ok := lim.lookup(name); ok {
			u.total, u.hasTotal = s, true
		}
		if n, ok := intCell(t, row, "file_count"); ok {
			u.files, u.hasFiles = n, true
		}
		out = append(out, u)
	}
	return out, nil
}

// usageList renders usages as the TABLESPACES list and finds the fullest.
func usageList(us []usage) (list []map[string]any, maxPct float64, hasPct bool) {
	list = make([]map[string]any, 0, len(us))
	for _, u := range us {
		m := map[string]any{"name": u.name, "used": u.used}
		if u.hasTotal {
			m["total"] = u.total
			if u.total > 0 {
				p := round2(float64(u.used) / float64(u.total) * 100)
				m["used_pct"] = p
				if !hasPct || p > maxPct {
					maxPct, hasPct = p, true
				}
			}
		}
		if u.hasAlloc {
			m["allocated"] = u.allocated
		}
		if u.hasFiles {
			m["files"] = u.files
		}
		list = append(list, m)
	}
	return list, maxPct, hasPct
}

func readDatabases(t table) []map[string]any {
	out := make([]map[string]any, 0, len(t.rows))
	for _, row := range t.rows {
		name, _ := row[t.col("db_name")].(string)
		m := map[string]any{"name": name}
		if n, ok := intCell(t, row, "size_bytes"); ok {
			m["size"] = condition.Size(n)
		}
		out = append(out, m)
	}
	return out
}

// readStatus reads SHOW STATUS rows as lower-cased name → integer.
func readStatus(t table) map[string]int64 {
	out := map[string]int64{}
	for _, row := range t.rows {
		name, _ := row[t.col("variable_name")].(string)
		if n, ok := intCell(t, row, "value"); ok {
			out[strings.ToLower(name)] = n
		}
	}
	return out
}

// intCell reads column col of row as an integer (drivers hand numbers over
// as int64, float64 or numeric text).
func intCell(t table, row []any, col string) (int64, bool) {
	i := t.col(col)
	if i < 0 {
		return 0, false
	}
	switch x := row[i].(type) {
	case int64:
		return x, true
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return 0, false
		}
		return int64(math.Round(x)), true
	case string:
		n, ok := parseNumber(x)
		if !ok {
			return 0, false
		}
		return intCell(table{cols: []string{col}}, []any{n}, col)
	}
	return 0, false
}

func round2(f float64) float64 { return math.Round(f*100) / 100 }

// Package runbook is the runbook model: a schedule and a list of checks,
// parsed from a loaded runbooks/<id>.yaml record. No I/O and no knowledge of
// check types: building checkers is the runner's job.
package runbook

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/opsbook/opsbook/internal/record"
)

// Day filters of a schedule.
const (
	DaysAll      = "all"
	DaysWorkdays = "workdays"
	DaysOffdays  = "offdays"
	DaysHolidays = "holidays"
)

// Defaults.
const (
	DefaultTimeout      = 10 * time.Minute
	DefaultCheckTimeout = 30 * time.Second
	DefaultConcurrency  = 8
	DefaultRetries      = 1
	DefaultRetryBackoff = 2 * time.Second
)

// Runbook is a parsed runbook.
type Runbook struct {
	ID, Title, Path string
	Cron, Days      string // Cron empty: manual only
	Timeout         time.Duration
	Concurrency     int
	Retries         int
	RetryBackoff    time.Duration
	Alerts          []map[string]any
	Checks          []Check
	Record          *record.Record // for positions in errors
}

// Check is one check entry.
type Check struct {
	Name, Title, Type, Asset, Category string
	Timeout                            time.Duration
	Retries                            int
	Conditions                         []string
	Params                             map[string]any // every other key
	Pointer                            string         // JSON pointer of the entry, e.g. /checks/3
}

// Label is the check's display name: its title, or its name.
func (c Check) Label() string {
	if c.Title != "" {
		return c.Title
	}
	return c.Name
}

// common are the keys every check entry may have; all others are parameters.
var common = []string{"name", "title", "type", "asset", "category", "timeout", "retries", "conditions"}

// Error is a problem at a position of the runbook file.
type Error struct {
	Pointer, Message string
}

// Parse builds the model from a record that already passed the runbook
// schema. It returns every problem the schema cannot see.
func Parse(r *record.Record) (*Runbook, []Error) {
	f := r.Fields
	rb := &Runbook{ID: str(f["id"]), Title: str(f["title"]), Path: r.Path, Record: r, Days: DaysAll,
		Timeout: DefaultTimeout, Concurrency: DefaultConcurrency, Retries: DefaultRetries, RetryBackoff: DefaultRetryBackoff}
	var errs []Error
	dur := func(ptr string, v any, def time.Duration) time.Duration {
		s := str(v)
		if s == "" {
			return def
		}
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			errs = append(errs, Error{ptr, fmt.Sprintf("%q 不是合法的时长，例如 30s、5m", s)})
			return def
		}
		return d
	}
	if sch, ok := f["schedule"].(map[string]any); ok {
		rb.Cron = str(sch["cron"])
		if d := str(sch["days"]); d != "" {
			rb.Days = d
		}
	}
	rb.Timeout = dur("/timeout", f["timeout"], DefaultTimeout)
	rb.RetryBackoff = dur("/retry_backoff", f["retry_backoff"], DefaultRetryBackoff)
	rb.Concurrency = integer(f["concurrency"], DefaultConcurrency)
	rb.Retries = integer(f["retries"], DefaultRetries)
	if alerts, ok := f["alerts"].([]any); ok {
		for _, a := range alerts {
			if m, ok := a.(map[string]any); ok {
				rb.Alerts = append(rb.Alerts, m)
			}
		}
	}
	checks, _ := f["checks"].([]any)
	seen := map[string]int{}
	for i, item := range checks {
		m, _ := item.(map[string]any)
		ptr := "/checks/" + strconv.Itoa(i)
		c := Check{Name: str(m["name"]), Title: str(m["title"]), Type: str(m["type"]), Asset: str(m["asset"]),
			Category: str(m["category"]), Pointer: ptr, Params: map[string]any{}}
		c.Timeout = dur(ptr+"/timeout", m["timeout"], DefaultCheckTimeout)
		c.Retries = integer(m["retries"], rb.Retries)
		if conds, ok := m["conditions"].([]any); ok {
			for _, x := range conds {
				c.Conditions = append(c.Conditions, str(x))
			}
		}
		for k, v := range m {
			if !slices.Contains(common, k) {
				c.Params[k] = v
			}
		}
		if first, dup := seen[c.Name]; dup {
			errs = append(errs, Error{ptr + "/name", fmt.Sprintf("检查名称 %s 与第 %d 个检查重复；名称在手册内必须唯一", c.Name, first+1)})
		}
		seen[c.Name] = i
		rb.Checks = append(rb.Checks, c)
	}
	return rb, errs
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func integer(v any, def int) int {
	if v == nil {
		return def
	}
	n, err := strconv.Atoi(fmt.Sprint(v))
	if err != nil {
		return def
	}
	return n
}

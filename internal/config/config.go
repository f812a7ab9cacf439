// Package config reads the repository's opsbook.yaml: platform name, time
// zone, business hours, the record size cap and the column mapping of
// statistics imports, with defaults for all.
package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/opsbook/opsbook/internal/calendar"
	"github.com/opsbook/opsbook/internal/diag"
	"github.com/opsbook/opsbook/internal/record"
	"github.com/opsbook/opsbook/internal/repo"
	"github.com/opsbook/opsbook/internal/schema"
)

// Config is the repository configuration.
type Config struct {
	Platform      string
	Location      *time.Location
	BusinessHours []calendar.Span
	MaxFileSize   int64
	StatsImport   StatsImport
	// TicketSLA is reports.sla: response and resolution targets by ticket
	// priority (only the priorities the file sets).
	TicketSLA map[string]SLA
	// Approvals is the approvals block: how `opsbook audit approvals`
	// treats changes that were not approved by someone else's merge.
	Approvals Approvals
}

// Approvals is the approvals block of opsbook.yaml.
type Approvals struct {
	// Strict makes `opsbook audit approvals` exit 1 on a violation, as
	// --strict does (CI fails the push).
	Strict bool
}

// StatsImport is the stats_import block: how `opsbook stats import` reads
// the platform's statistics exports.
type StatsImport struct {
	// Columns lists, per stats row field (department, catalogued, …), the
	// column headers naming it; fields not listed keep the built-in headers.
	Columns map[string][]string
}

// SLA is a ticket response and resolution target.
type SLA struct {
	Respond time.Duration
	Resolve time.Duration
}

// Default is the configuration of a repository without opsbook.yaml.
func Default() *Config {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		loc = time.FixedZone("CST", 8*3600) // no tzdata on the host: China has no DST
	}
	return &Config{Platform: "政务数据共享交换平台", Location: loc, BusinessHours: calendar.DefaultBusinessHours, MaxFileSize: record.DefaultMaxSize}
}

// Error is an invalid configuration file, with every problem found.
type Error struct{ Violations []diag.Violation }

func (e *Error) Error() string {
	s := "opsbook.yaml 配置无效："
	for _, v := range e.Violations {
		s += "\n  " + v.String()
	}
	return s
}

// Load reads root/opsbook.yaml, validated against the config schema.
func Load(root string, set *schema.Set) (*Config, error) {
	c := Default()
	file := filepath.Join(root, repo.ConfigFile)
	r, err := record.ReadFile(file, repo.ConfigFile, record.DefaultMaxSize)
	if err != nil {
		var rerr *record.Error
		if errors.As(err, &rerr) && rerr.Rule == "file/read" {
			if _, statErr := os.Stat(file); errors.Is(statErr, fs.ErrNotExist) {
				return c, nil
			}
		}
		if errors.As(err, &rerr) {
			return nil, &Error{[]diag.Violation{diag.At(repo.ConfigFile, rerr.Line, rerr.Col, rerr.Rule, "%s", rerr.Message)}}
		}
		return nil, err
	}
	if vs := set.ValidateConfig(r); len(vs) > 0 {
		return nil, &Error{vs}
	}
	if s, ok := r.Fields["platform"].(string); ok {
		c.Platform = s
	}
	if tz, ok := r.Fields["timezone"].(string); ok {
		loc, err := time.LoadLocation(tz)
		if err != nil {
			p := r.At("/timezone")
			return nil, &Error{[]diag.Violation{diag.At(repo.ConfigFile, p.Line, p.Col, "config/timezone", "未知时区 %q：请使用 IANA 名称，例如 Asia/Shanghai", tz)}}
		}
		c.Location = loc
	}
	if hours, ok := r.Fields["business_hours"].([]any); ok {
		c.BusinessHours = nil
		for i, h := range hours {
			m, _ := h.(map[string]any)
			start, _ := m["start"].(string)
			end, _ := m["end"].(string)
			span, err := calendar.ParseSpan(start, end)
			if err != nil {
				p := r.At(record.Pointer("business_hours", strconv.Itoa(i)))
				return nil, &Error{[]diag.Violation{diag.At(repo.ConfigFile, p.Line, p.Col, "config/business-hours", "%v", err)}}
			}
			c.BusinessHours = append(c.BusinessHours, span)
		}
	}
	if rep, ok := r.Fields["reports"].(map[string]any); ok {
		sla, _ := rep["sla"].(map[string]any)
		for prio, v := range sla {
			m, _ := v.(map[string]any)
			respond, _ := strconv.ParseFloat(fmt.Sprint(m["respond_minutes"]), 64)
			resolve, _ := strconv.ParseFloat(fmt.Sprint(m["resolve_hours"]), 64)
			if c.TicketSLA == nil {
				c.TicketSLA = map[string]SLA{}
			}
			c.TicketSLA[prio] = SLA{Respond: time.Duration(respond * float64(time.Minute)), Resolve: time.Duration(resolve * float64(time.Hour))}
		}
	}
	if ap, ok := r.Fields["approvals"].(map[string]any); ok {
		c.Approvals.Strict, _ = ap["strict"].(bool)
	}
	if n, ok := r.Fields["max_file_size"]; ok {
		size, err := strconv.ParseInt(fmt.Sprint(n), 10, 64)
		if err == nil {
			c.MaxFileSize = size
		}
	}
	if si, ok := r.Fields["stats_import"].(map[string]any); ok {
		cols, _ := si["columns"].(map[string]any)
		for field, v := range cols {
			list, _ := v.([]any)
			for _, h := range list {
				if h, ok := h.(string); ok {
					if c.StatsImport.Columns == nil {
						c.StatsImport.Columns = map[string][]string{}
					}
					c.StatsImport.Columns[field] = append(c.StatsImport.Columns[field], h)
				}
			}
		}
	}
	return c, nil
}

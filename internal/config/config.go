// Package config reads the repository's opsbook.yaml: platform name, time
// zone, business hours and the record size cap, with defaults for all.
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
	if n, ok := r.Fields["max_file_size"]; ok {
		size, err := strconv.ParseInt(fmt.Sprint(n), 10, 64)
		if err == nil {
			c.MaxFileSize = size
		}
	}
	return c, nil
}

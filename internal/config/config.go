// Package config reads the repository's opsbook.yaml: platform name, time
// zone, business hours, the main branch, the record size cap and the column
// mapping of statistics imports, with defaults for all.
package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/opsbook/opsbook/internal/calendar"
	"github.com/opsbook/opsbook/internal/diag"
	"github.com/opsbook/opsbook/internal/layout"
	"github.com/opsbook/opsbook/internal/record"
	"github.com/opsbook/opsbook/internal/schema"
)

// Config is the repository configuration.
type Config struct {
	Platform string
	Location *time.Location
	// MainBranch is main_branch: the one branch changes are approved on
	// (merged into), executed from and recorded on; default
	// DefaultMainBranch.
	MainBranch    string
	BusinessHours []calendar.Span
	MaxFileSize   int64
	StatsImport   StatsImport
	// TicketSLA is reports.sla: response and resolution targets by ticket
	// priority (only the priorities the file sets).
	TicketSLA map[string]SLA
	// Approvals is the approvals block: how `opsbook audit approvals`
	// treats changes that were not approved by someone else's merge.
	Approvals Approvals
	// Documents is the documents block: attachment size cap and review period.
	Documents Documents
}

// Documents is the documents block of opsbook.yaml.
type Documents struct {
	// MaxAttachmentSize is the largest attachment file validate accepts, in bytes.
	MaxAttachmentSize int64
	// ReviewDays is how long a document may go unreviewed and unchanged
	// before the inventory flags it stale.
	ReviewDays int
}

// Defaults of the documents block.
const (
	DefaultMaxAttachmentSize = 50 << 20
	DefaultReviewDays        = 365
)

var sizeRe = regexp.MustCompile(`^([0-9]+(?:\.[0-9]+)?) ?([KMGT]?)(i?)B$`)

// ParseSize reads a byte count written as an integer or with a unit: 512KB,
// 50MB, 1.5GB, 2GiB (K/M/G/T are powers of 1024 either way).
func ParseSize(v any) (int64, error) {
	s := strings.TrimSpace(fmt.Sprint(v))
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, nil
	}
	m := sizeRe.FindStringSubmatch(s)
	if m == nil {
		return 0, fmt.Errorf("无法识别的大小 %q：请写字节数或带单位的大小，例如 50MB、512KB、1GB", s)
	}
	f, _ := strconv.ParseFloat(m[1], 64)
	shift := 0
	if m[2] != "" {
		shift = 10 * (strings.Index("KMGT", m[2]) + 1)
	}
	f *= float64(int64(1) << shift)
	return int64(f), nil
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

// DefaultMainBranch is the main branch of a repository whose opsbook.yaml
// does not set main_branch.
const DefaultMainBranch = "main"

// Default is the configuration of a repository without opsbook.yaml.
func Default() *Config {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		loc = time.FixedZone("CST", 8*3600) // no tzdata on the host: China has no DST
	}
	return &Config{Platform: "政务数据共享交换平台", Location: loc, MainBranch: DefaultMainBranch, BusinessHours: calendar.DefaultBusinessHours, MaxFileSize: record.DefaultMaxSize,
		Documents: Documents{MaxAttachmentSize: DefaultMaxAttachmentSize, ReviewDays: DefaultReviewDays}}
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

// file is the typed view of opsbook.yaml, decoded after the config schema
// has checked it. Pointers and any tell an absent key from a zero value
// (and keep a size or number as it was written, for ParseSize).
type file struct {
	Platform      *string `yaml:"platform"`
	Timezone      *string `yaml:"timezone"`
	MainBranch    *string `yaml:"main_branch"`
	BusinessHours *[]struct {
		Start string `yaml:"start"`
		End   string `yaml:"end"`
	} `yaml:"business_hours"`
	Reports struct {
		SLA map[string]struct {
			RespondMinutes any `yaml:"respond_minutes"`
			ResolveHours   any `yaml:"resolve_hours"`
		} `yaml:"sla"`
	} `yaml:"reports"`
	Approvals struct {
		Strict bool `yaml:"strict"`
	} `yaml:"approvals"`
	Documents struct {
		MaxAttachmentSize any `yaml:"max_attachment_size"`
		ReviewDays        any `yaml:"review_days"`
	} `yaml:"documents"`
	MaxFileSize any `yaml:"max_file_size"`
	StatsImport struct {
		Columns map[string][]any `yaml:"columns"`
	} `yaml:"stats_import"`
}

// location is the time zone r's timezone names, nil when it names none;
// an unknown zone is an *Error at its line.
func location(r *record.Record) (*time.Location, error) {
	var f file
	if err := r.Decode(&f); err != nil || f.Timezone == nil {
		return nil, err
	}
	tz := *f.Timezone
	loc, err := time.LoadLocation(tz)
	if err != nil {
		p := r.At("/timezone")
		return nil, &Error{[]diag.Violation{diag.At(layout.ConfigFile, p.Line, p.Col, "config/timezone", "未知时区 %q：请使用 IANA 名称，例如 Asia/Shanghai", tz)}}
	}
	return loc, nil
}

// LoadLocation is the repository's time zone: the timezone of
// root/opsbook.yaml, or the default (Asia/Shanghai) when the file or the
// key is absent. Only the time zone is read, for commands that need nothing
// else of the configuration (site serve, backup); an unknown zone or an
// unreadable file is an error, and the default is returned with it.
func LoadLocation(root string) (*time.Location, error) {
	def := Default().Location
	r, err := read(root)
	if err != nil || r == nil {
		return def, err
	}
	loc, err := location(r)
	if err != nil || loc == nil {
		return def, err
	}
	return loc, nil
}

// read reads root/opsbook.yaml as a record, nil when there is none.
func read(root string) (*record.Record, error) {
	file := filepath.Join(root, layout.ConfigFile)
	r, err := record.ReadFile(file, layout.ConfigFile, record.DefaultMaxSize)
	if err != nil {
		var rerr *record.Error
		if errors.As(err, &rerr) && rerr.Rule == "file/read" {
			if _, statErr := os.Stat(file); errors.Is(statErr, fs.ErrNotExist) {
				return nil, nil
			}
		}
		if errors.As(err, &rerr) {
			return nil, &Error{[]diag.Violation{diag.At(layout.ConfigFile, rerr.Line, rerr.Col, rerr.Rule, "%s", rerr.Message)}}
		}
		return nil, err
	}
	return r, nil
}

// Load reads root/opsbook.yaml, validated against the config schema.
func Load(root string, set *schema.Set) (*Config, error) {
	c := Default()
	r, err := read(root)
	if err != nil {
		return nil, err
	}
	if r == nil {
		return c, nil
	}
	if vs := set.ValidateConfig(r); len(vs) > 0 {
		return nil, &Error{vs}
	}
	var f file
	if err := r.Decode(&f); err != nil {
		return nil, err
	}
	if f.Platform != nil {
		c.Platform = *f.Platform
	}
	if loc, err := location(r); err != nil {
		return nil, err
	} else if loc != nil {
		c.Location = loc
	}
	if f.MainBranch != nil {
		b := *f.MainBranch
		if err := CheckBranchName(b); err != nil {
			p := r.At("/main_branch")
			return nil, &Error{[]diag.Violation{diag.At(layout.ConfigFile, p.Line, p.Col, "config/main-branch", "main_branch：%v", err)}}
		}
		c.MainBranch = b
	}
	if f.BusinessHours != nil {
		c.BusinessHours = nil
		for i, h := range *f.BusinessHours {
			span, err := calendar.ParseSpan(h.Start, h.End)
			if err != nil {
				p := r.At(record.Pointer("business_hours", strconv.Itoa(i)))
				return nil, &Error{[]diag.Violation{diag.At(layout.ConfigFile, p.Line, p.Col, "config/business-hours", "%v", err)}}
			}
			c.BusinessHours = append(c.BusinessHours, span)
		}
	}
	for prio, m := range f.Reports.SLA {
		respond, _ := strconv.ParseFloat(fmt.Sprint(m.RespondMinutes), 64)
		resolve, _ := strconv.ParseFloat(fmt.Sprint(m.ResolveHours), 64)
		if c.TicketSLA == nil {
			c.TicketSLA = map[string]SLA{}
		}
		c.TicketSLA[prio] = SLA{Respond: time.Duration(respond * float64(time.Minute)), Resolve: time.Duration(resolve * float64(time.Hour))}
	}
	c.Approvals.Strict = f.Approvals.Strict
	if v := f.Documents.MaxAttachmentSize; v != nil {
		size, err := ParseSize(v)
		if err == nil && size <= 0 {
			err = fmt.Errorf("大小须大于 0")
		}
		if err != nil {
			p := r.At("/documents/max_attachment_size")
			return nil, &Error{[]diag.Violation{diag.At(layout.ConfigFile, p.Line, p.Col, "config/documents", "max_attachment_size：%v", err)}}
		}
		c.Documents.MaxAttachmentSize = size
	}
	if v := f.Documents.ReviewDays; v != nil {
		if n, err := strconv.Atoi(fmt.Sprint(v)); err == nil {
			c.Documents.ReviewDays = n
		}
	}
	if n := f.MaxFileSize; n != nil {
		size, err := strconv.ParseInt(fmt.Sprint(n), 10, 64)
		if err == nil {
			c.MaxFileSize = size
		}
	}
	for field, list := range f.StatsImport.Columns {
		for _, h := range list {
			if h, ok := h.(string); ok {
				if c.StatsImport.Columns == nil {
					c.StatsImport.Columns = map[string][]string{}
				}
				c.StatsImport.Columns[field] = append(c.StatsImport.Columns[field], h)
			}
		}
	}
	return c, nil
}

// CheckBranchName says why name cannot be a local git branch name (the
// rules of git check-ref-format --branch), or nil.
func CheckBranchName(name string) error {
	switch {
	case name == "":
		return errors.New("分支名不能为空")
	case strings.HasPrefix(name, "-"):
		return fmt.Errorf("%q 不是合法的 git 分支名：不能以 - 开头", name)
	case name == "HEAD" || strings.HasPrefix(name, "refs/"):
		return fmt.Errorf("%q 不是分支名：请写分支的短名称，例如 main 或 master", name)
	}
	if plumbing.NewBranchReferenceName(name).Validate() != nil {
		return fmt.Errorf("%q 不是合法的 git 分支名（不能含空格、~ ^ : ? * [ \\、..、@{，不能以 . 或 / 开头或结尾，不能以 .lock 结尾）；请写主分支的名称，例如 main 或 master", name)
	}
	return nil
}

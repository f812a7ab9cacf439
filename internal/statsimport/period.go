package statsimport

import (
	"fmt"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/opsbook/opsbook/internal/period"
)

// ParsePeriod reads the period of an import as written on the command line:
// 2026-11 (or 2026-M11), 2026-W48 (ISO week), 2026-Q4, 2026-H2 or 2026,
// also with full-width characters and surrounding space. A stats record
// keeps only the period's dates, so its days are taken in UTC.
func ParsePeriod(s string) (period.Period, error) {
	return period.ParseAny(strings.TrimSpace(norm.NFKC.String(s)), time.UTC)
}

// RecordID is the stats record id of a period: STA-2026-M11.
func RecordID(p period.Period) string { return fmt.Sprintf("STA-%d-%s", p.Year, p.Suffix()) }

// Title is the record title of a period: 2026 年 11 月各部门资源共享统计.
func Title(p period.Period) string { return label(p) + "各部门资源共享统计" }

// label names the period in stats titles: as period.Name, but a week without
// its dates (2026 年第 48 周) and a year as 2026 年度.
func label(p period.Period) string {
	switch p.Type {
	case period.Week:
		return fmt.Sprintf("%d 年第 %d 周", p.Year, p.N)
	case period.Year:
		return fmt.Sprintf("%d 年度", p.Year)
	}
	return p.Name()
}

// tag is the period tag of stats records: 月度统计 and the like.
func tag(p period.Period) string {
	return map[period.Type]string{period.Week: "周统计", period.Month: "月度统计", period.Quarter: "季度统计",
		period.Half: "半年统计", period.Year: "年度统计"}[p.Type]
}

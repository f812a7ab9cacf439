package statsimport

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"
)

// Period is the statistics period of a record: an ISO week, a month, a
// quarter, a half-year or a year, as whole calendar days.
type Period struct {
	Type   string // week, month, quarter, half, year (schemas/stats.yaml period_type)
	Year   int    // the ISO year for weeks
	Number int    // week 1–53, month 1–12, quarter 1–4, half 1–2; 0 for a year
	// Start and End are the first and last day, at midnight UTC.
	Start, End time.Time
}

var periodForms = regexp.MustCompile(`^([0-9]{4})(?:-(?:(M)?([0-9]{1,2})|(W)([0-9]{1,2})|(Q)([1-4])|(H)([12])))?$`)

// ParsePeriod reads 2026-11 (or 2026-M11), 2026-W48 (ISO week), 2026-Q4, 2026-H2 or 2026.
func ParsePeriod(s string) (Period, error) {
	in := strings.ToUpper(strings.TrimSpace(norm.NFKC.String(s)))
	m := periodForms.FindStringSubmatch(in)
	bad := func(why string) (Period, error) {
		return Period{}, fmt.Errorf("统计周期 %q %s：可写 2026-11（月）、2026-W48（ISO 周）、2026-Q4（季度）、2026-H2（半年）或 2026（年）", s, why)
	}
	if m == nil {
		return bad("无法识别")
	}
	year, _ := strconv.Atoi(m[1])
	if year < 1900 || year > 9999 {
		return bad("年份不对")
	}
	day := func(y int, mo time.Month, d int) time.Time { return time.Date(y, mo, d, 0, 0, 0, 0, time.UTC) }
	p := Period{Year: year}
	switch {
	case m[3] != "":
		p.Type, p.Number = "month", atoi(m[3])
		if p.Number < 1 || p.Number > 12 {
			return bad("的月份应为 1–12")
		}
		p.Start = day(year, time.Month(p.Number), 1)
		p.End = p.Start.AddDate(0, 1, -1)
	case m[4] != "":
		p.Type, p.Number = "week", atoi(m[5])
		jan4 := day(year, time.January, 4)
		week1 := jan4.AddDate(0, 0, -((int(jan4.Weekday()) + 6) % 7))
		p.Start = week1.AddDate(0, 0, 7*(p.Number-1))
		p.End = p.Start.AddDate(0, 0, 6)
		if y, w := p.Start.ISOWeek(); p.Number < 1 || y != year || w != p.Number {
			return bad(fmt.Sprintf("的周数不对：%d 年（ISO）只有 %d 周", year, weeksIn(year)))
		}
	case m[6] != "":
		p.Type, p.Number = "quarter", atoi(m[7])
		p.Start = day(year, time.Month(3*p.Number-2), 1)
		p.End = p.Start.AddDate(0, 3, -1)
	case m[8] != "":
		p.Type, p.Number = "half", atoi(m[9])
		p.Start = day(year, time.Month(6*p.Number-5), 1)
		p.End = p.Start.AddDate(0, 6, -1)
	default:
		p.Type = "year"
		p.Start = day(year, time.January, 1)
		p.End = day(year, time.December, 31)
	}
	return p, nil
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

// weeksIn returns the number of ISO weeks of year (52 or 53).
func weeksIn(year int) int {
	_, w := time.Date(year, time.December, 28, 0, 0, 0, 0, time.UTC).ISOWeek()
	return w
}

// Suffix is the id suffix: W48, M11, Q4, H2, Y.
func (p Period) Suffix() string {
	switch p.Type {
	case "week":
		return fmt.Sprintf("W%02d", p.Number)
	case "month":
		return fmt.Sprintf("M%02d", p.Number)
	case "quarter":
		return fmt.Sprintf("Q%d", p.Number)
	case "half":
		return fmt.Sprintf("H%d", p.Number)
	}
	return "Y"
}

// ID is the stats record id of the period: STA-2026-M11.
func (p Period) ID() string { return fmt.Sprintf("STA-%d-%s", p.Year, p.Suffix()) }

// String is the period as ParsePeriod reads it.
func (p Period) String() string {
	switch p.Type {
	case "month":
		return fmt.Sprintf("%d-%02d", p.Year, p.Number)
	case "year":
		return strconv.Itoa(p.Year)
	}
	return fmt.Sprintf("%d-%s", p.Year, p.Suffix())
}

// Label names the period in Chinese: 2026 年 11 月, 2026 年第 48 周,
// 2026 年第四季度, 2026 年下半年, 2026 年度.
func (p Period) Label() string {
	switch p.Type {
	case "week":
		return fmt.Sprintf("%d 年第 %d 周", p.Year, p.Number)
	case "month":
		return fmt.Sprintf("%d 年 %d 月", p.Year, p.Number)
	case "quarter":
		return fmt.Sprintf("%d 年第%s季度", p.Year, []string{"", "一", "二", "三", "四"}[p.Number])
	case "half":
		return fmt.Sprintf("%d 年%s半年", p.Year, []string{"", "上", "下"}[p.Number])
	}
	return fmt.Sprintf("%d 年度", p.Year)
}

// Title is the record title: 2026 年 11 月各部门资源共享统计.
func (p Period) Title() string { return p.Label() + "各部门资源共享统计" }

// Tag is the period tag used on stats records: 月度统计 and the like.
func (p Period) Tag() string {
	return map[string]string{"week": "周统计", "month": "月度统计", "quarter": "季度统计", "half": "半年统计", "year": "年度统计"}[p.Type]
}

package obligation

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/opsbook/opsbook/internal/record"
)

// Kind is the record kind of obligations.
const Kind = "obligation"

// RuleType names how due dates are computed.
type RuleType string

// Rule types, as written in records.
const (
	EveryNDays RuleType = "every-n-days"
	Weekly     RuleType = "weekly"
	Monthly    RuleType = "monthly"
	Quarterly  RuleType = "quarterly"
	HalfYearly RuleType = "half-yearly"
	Yearly     RuleType = "yearly"
	Holiday    RuleType = "holiday"
)

var ruleLabels = map[RuleType]string{
	EveryNDays: "每隔 N 天", Weekly: "每周", Monthly: "每月", Quarterly: "每季度",
	HalfYearly: "每半年", Yearly: "每年", Holiday: "每个法定节假日",
}

// Label is the rule type's Chinese name.
func (t RuleType) Label() string { return ruleLabels[t] }

// Adjust says what happens to a due date that is not a workday.
type Adjust string

// Adjustments.
const (
	NoAdjust        Adjust = "none"
	NextWorkday     Adjust = "next-workday"
	PreviousWorkday Adjust = "previous-workday"
)

// Rule computes due dates.
type Rule struct {
	Type RuleType
	// Every is the number of days between occurrences (every-n-days), counted
	// from the obligation's start.
	Every int
	// Weekday is the day of the week (weekly).
	Weekday time.Weekday
	// Day is the calendar day of the month (monthly … yearly); negative counts
	// from the month's end (-1 = last day). Zero when Workday is used.
	Day int
	// Workday is the Nth workday of the month (monthly … yearly); negative
	// counts from the month's end (-1 = last workday). Zero when Day is used.
	Workday int
	// Month is the month within the period: 1–3 (quarterly), 1–6
	// (half-yearly), 1–12 (yearly); 1 for the other types.
	Month int
	// EveryHolidayDay makes a holiday rule fall due on every day off of each
	// holiday, not only its first day.
	EveryHolidayDay bool
	// Holidays limits a holiday rule to these holidays (names as in the
	// calendar data, e.g. 春节); empty means all.
	Holidays []string
	// Adjust moves a date that is not a workday (every-n-days, weekly and
	// day-of-month rules).
	Adjust Adjust
}

// Describe renders the rule in Chinese, e.g. 每月第 1 个工作日.
func (r Rule) Describe() string {
	var when string
	switch {
	case r.Workday > 0:
		when = fmt.Sprintf("第 %d 个工作日", r.Workday)
	case r.Workday == -1:
		when = "最后一个工作日"
	case r.Workday < 0:
		when = fmt.Sprintf("倒数第 %d 个工作日", -r.Workday)
	case r.Day == -1:
		when = "最后一天"
	case r.Day < 0:
		when = fmt.Sprintf("倒数第 %d 天", -r.Day)
	default:
		when = fmt.Sprintf(" %d 日", r.Day)
	}
	var s string
	switch r.Type {
	case EveryNDays:
		s = fmt.Sprintf("每隔 %d 天", r.Every)
	case Weekly:
		s = "每" + weekdayNames[r.Weekday]
	case Monthly:
		s = "每月" + when
	case Quarterly:
		s = fmt.Sprintf("每季度第 %d 个月%s", r.Month, when)
	case HalfYearly:
		s = fmt.Sprintf("每半年第 %d 个月%s", r.Month, when)
	case Yearly:
		s = fmt.Sprintf("每年 %d 月%s", r.Month, when)
	case Holiday:
		s = "每个法定节假日"
		if len(r.Holidays) > 0 {
			s = strings.Join(r.Holidays, "、")
		}
		if r.EveryHolidayDay {
			s += "放假的每一天"
		} else {
			s += "的第一天"
		}
	}
	switch r.Adjust {
	case NextWorkday:
		s += "（非工作日顺延）"
	case PreviousWorkday:
		s += "（非工作日提前）"
	}
	return s
}

var weekdayNames = map[time.Weekday]string{
	time.Monday: "周一", time.Tuesday: "周二", time.Wednesday: "周三", time.Thursday: "周四",
	time.Friday: "周五", time.Saturday: "周六", time.Sunday: "周日",
}

// Condition is one field condition a proof record must meet: the value at
// Field (dotted path, "*" for every array item) is one of Values.
type Condition struct {
	Field  string
	Values []string
}

// ProofSpec says which records prove an occurrence.
type ProofSpec struct {
	Kind       string      // record kind, e.g. security
	Match      []Condition // all must hold; sorted by field
	DateField  string      // dotted path of the completion date; default "date"
	AssetField string      // dotted path of the asset id(s) covered; "" = assets not checked
	// HolidayField is the dotted path of the holiday name (holiday rules):
	// it must name the occurrence's holiday.
	HolidayField string
}

// Obligation is one periodic duty.
type Obligation struct {
	ID, Title, Owner string
	Path             string         // repository-relative file
	Loc              *time.Location // dates are civil dates in this zone
	Start            time.Time      // first day due dates are counted from (midnight)
	End              time.Time      // last possible due date; zero when open-ended
	Rule             Rule
	LeadDays         int // the window opens this many days before the due date
	GraceDays        int // and closes this many days after it
	Proof            ProofSpec
	Assets           []string
}

// FieldError is a problem with one field of an obligation record.
type FieldError struct {
	Pointer string // JSON pointer of the field ("" = the record)
	Message string // Chinese, says what to do
	// Schema is true for problems the kind's schema reports as well
	// (missing fields, wrong types); validate shows only the others.
	Schema bool
}

func (e FieldError) Error() string {
	if e.Pointer == "" {
		return e.Message
	}
	return strings.TrimPrefix(strings.ReplaceAll(e.Pointer, "/", "."), ".") + "：" + e.Message
}

// Parse reads an obligation from a loaded record. Dates are civil dates in
// loc. It returns the obligation as far as it could be read and every
// problem found; use the obligation only when there are none.
func Parse(r *record.Record, loc *time.Location) (*Obligation, []FieldError) {
	p := parser{loc: loc}
	o := &Obligation{ID: r.ID(), Title: r.Title(), Path: r.Path, Loc: loc}
	f := r.Fields
	o.Owner = p.str(f, "/owner", true)
	o.Start = p.date(f, "/start", true)
	o.End = p.date(f, "/end", false)
	o.LeadDays = p.integer(f, "/lead_days", 0)
	o.GraceDays = p.integer(f, "/grace_days", 0)
	if o.LeadDays < 0 || o.GraceDays < 0 {
		p.fail("/lead_days", false, "提前天数和宽限天数不能为负数")
	}
	if a, ok := f["assets"].([]any); ok {
		for i, v := range a {
			if s, ok := v.(string); ok {
				o.Assets = append(o.Assets, s)
			} else {
				p.fail(fmt.Sprintf("/assets/%d", i), true, "资产编号应为文本")
			}
		}
	}
	if rule, ok := f["rule"].(map[string]any); ok {
		o.Rule = p.rule(rule)
	} else {
		p.fail("/rule", true, "缺少周期规则 rule")
	}
	if proof, ok := f["proof"].(map[string]any); ok {
		o.Proof = p.proof(proof, o.Rule.Type)
	} else {
		p.fail("/proof", true, "缺少证明记录 proof")
	}
	if !o.End.IsZero() && !o.Start.IsZero() && o.End.Before(o.Start) {
		p.fail("/end", true, "结束日期早于开始日期")
	}
	return o, p.errs
}

type parser struct {
	loc  *time.Location
	errs []FieldError
}

func (p *parser) fail(ptr string, schema bool, format string, args ...any) {
	p.errs = append(p.errs, FieldError{Pointer: ptr, Message: fmt.Sprintf(format, args...), Schema: schema})
}

func (p *parser) value(m map[string]any, ptr string) (any, bool) {
	v, ok := m[ptr[strings.LastIndexByte(ptr, '/')+1:]]
	return v, ok && v != nil
}

func (p *parser) str(m map[string]any, ptr string, required bool) string {
	v, ok := p.value(m, ptr)
	if !ok {
		if required {
			p.fail(ptr, true, "缺少必填字段")
		}
		return ""
	}
	s, isStr := v.(string)
	if !isStr || s == "" {
		p.fail(ptr, true, "应为非空文本")
	}
	return s
}

func (p *parser) date(m map[string]any, ptr string, required bool) time.Time {
	s := p.str(m, ptr, required)
	if s == "" {
		return time.Time{}
	}
	t, err := time.ParseInLocation(time.DateOnly, s, p.loc)
	if err != nil {
		p.fail(ptr, true, "日期 %q 应为 YYYY-MM-DD", s)
		return time.Time{}
	}
	return t
}

// integer reads an integer field, def when it is absent.
func (p *parser) integer(m map[string]any, ptr string, def int) int {
	v, ok := p.value(m, ptr)
	if !ok {
		return def
	}
	n, isNum := v.(json.Number)
	i, err := strconv.Atoi(string(n))
	if !isNum || err != nil {
		p.fail(ptr, true, "应为整数")
		return def
	}
	return i
}

func (p *parser) rule(m map[string]any) Rule {
	var r Rule
	typ := RuleType(p.str(m, "/rule/type", true))
	if _, known := ruleLabels[typ]; !known {
		if typ != "" {
			p.fail("/rule/type", true, "未知的规则类型 %q", typ)
		}
		return r
	}
	r.Type = typ
	has := func(name string) bool { _, ok := p.value(m, "/"+name); return ok }
	// Fields each type uses; any other is a mistake worth saying so.
	uses := map[RuleType][]string{
		EveryNDays: {"every_days", "adjust"},
		Weekly:     {"weekday", "adjust"},
		Monthly:    {"day", "workday", "adjust"},
		Quarterly:  {"day", "workday", "month", "adjust"},
		HalfYearly: {"day", "workday", "month", "adjust"},
		Yearly:     {"day", "workday", "month", "adjust"},
		Holiday:    {"holiday_days", "holidays"},
	}[typ]
	for _, name := range []string{"every_days", "weekday", "day", "workday", "month", "holiday_days", "holidays", "adjust"} {
		if has(name) && !slices.Contains(uses, name) {
			p.fail("/rule/"+name, false, "%s 规则（%s）不使用 %s；可用字段：%s", typ, typ.Label(), name, strings.Join(append([]string{"type"}, uses...), ", "))
		}
	}
	r.Adjust = Adjust(p.str(m, "/rule/adjust", false))
	switch r.Adjust {
	case "":
		r.Adjust = NoAdjust
	case NoAdjust, NextWorkday, PreviousWorkday:
	default:
		p.fail("/rule/adjust", true, "adjust 应为 none、next-workday 或 previous-workday")
		r.Adjust = NoAdjust
	}
	switch typ {
	case EveryNDays:
		if !has("every_days") {
			p.fail("/rule", false, "every-n-days 规则需要 every_days（间隔天数），例如 every_days: 90")
		}
		r.Every = p.integer(m, "/rule/every_days", 1)
		if r.Every < 1 {
			p.fail("/rule/every_days", false, "间隔天数至少为 1")
			r.Every = 1
		}
	case Weekly:
		wd := p.integer(m, "/rule/weekday", 1)
		if wd < 1 || wd > 7 {
			p.fail("/rule/weekday", false, "weekday 应为 1（周一）到 7（周日）")
			wd = 1
		}
		r.Weekday = time.Weekday(wd % 7)
	case Monthly, Quarterly, HalfYearly, Yearly:
		r.Day = p.integer(m, "/rule/day", 0)
		r.Workday = p.integer(m, "/rule/workday", 0)
		switch {
		case has("day") && has("workday"):
			p.fail("/rule/workday", false, "day（日历日）和 workday（第 N 个工作日）只能填一个")
			r.Day = 0
		case !has("day") && !has("workday"):
			p.fail("/rule", false, "%s 规则需要 day（每月第几天）或 workday（第几个工作日），例如 workday: 1", typ)
			r.Day = 1
		case has("day") && (r.Day == 0 || r.Day < -31 || r.Day > 31):
			p.fail("/rule/day", false, "day 应为 1–31，或 -1 到 -31（从月末倒数）")
			r.Day = 1
		case has("workday") && (r.Workday == 0 || r.Workday < -23 || r.Workday > 23):
			p.fail("/rule/workday", false, "workday 应为 1–23，或 -1 到 -23（从月末倒数）")
			r.Workday = 1
		}
		if has("workday") && r.Adjust != NoAdjust {
			p.fail("/rule/adjust", false, "按第 N 个工作日计算的日期总是工作日，不需要 adjust")
			r.Adjust = NoAdjust
		}
		limit := map[RuleType]int{Monthly: 1, Quarterly: 3, HalfYearly: 6, Yearly: 12}[typ]
		r.Month = p.integer(m, "/rule/month", 1)
		if r.Month < 1 || r.Month > limit {
			p.fail("/rule/month", false, "%s 规则的 month 应为 1–%d", typ, limit)
			r.Month = 1
		}
	case Holiday:
		switch p.str(m, "/rule/holiday_days", false) {
		case "", "first":
		case "every":
			r.EveryHolidayDay = true
		default:
			p.fail("/rule/holiday_days", true, "holiday_days 应为 first 或 every")
		}
		if hs, ok := m["holidays"].([]any); ok {
			for i, h := range hs {
				if s, ok := h.(string); ok && s != "" {
					r.Holidays = append(r.Holidays, s)
				} else {
					p.fail(fmt.Sprintf("/rule/holidays/%d", i), true, "节假日名称应为非空文本")
				}
			}
		}
	}
	return r
}

func (p *parser) proof(m map[string]any, typ RuleType) ProofSpec {
	s := ProofSpec{Kind: p.str(m, "/proof/kind", true)}
	s.DateField = p.str(m, "/proof/date_field", false)
	if s.DateField == "" {
		s.DateField = "date"
	}
	s.AssetField = p.str(m, "/proof/asset_field", false)
	s.HolidayField = p.str(m, "/proof/holiday_field", false)
	if s.HolidayField != "" && typ != Holiday && typ != "" {
		p.fail("/proof/holiday_field", false, "holiday_field 只用于 holiday 规则（每个法定节假日）")
	}
	if match, ok := m["match"].(map[string]any); ok {
		for field, v := range match {
			ptr := "/proof/match/" + record.EscapeToken(field)
			c := Condition{Field: field}
			switch x := v.(type) {
			case string:
				c.Values = []string{x}
			case []any:
				for _, item := range x {
					if s, ok := item.(string); ok {
						c.Values = append(c.Values, s)
					}
				}
			}
			if len(c.Values) == 0 || len(c.Values) != valueCount(v) {
				p.fail(ptr, true, "条件的值应为文本或文本列表")
				continue
			}
			s.Match = append(s.Match, c)
		}
		slices.SortFunc(s.Match, func(a, b Condition) int { return strings.Compare(a.Field, b.Field) })
	}
	return s
}

func valueCount(v any) int {
	if a, ok := v.([]any); ok {
		return len(a)
	}
	return 1
}

// Pointer turns a dotted field path ("period.end", "items.*.asset") into a
// JSON pointer pattern ("/period/end", "/items/*/asset").
func Pointer(field string) string {
	parts := strings.Split(field, ".")
	for i, p := range parts {
		parts[i] = record.EscapeToken(p)
	}
	return "/" + strings.Join(parts, "/")
}

package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/opsbook/opsbook/internal/calendar"
	"github.com/opsbook/opsbook/internal/obligation"
	"github.com/opsbook/opsbook/internal/termtable"
)

func init() {
	register(command{name: "due", summary: "合规日历：列出待办、逾期和已完成的定期工作（有逾期时退出码 1）", run: parsed(parseDue)})
}

type dueOptions struct {
	repo, at, format string
	days             int
}

// dueDocument is the shape of `opsbook due --format json`.
type dueDocument struct {
	Version     string               `json:"version"`
	At          string               `json:"at"`
	Days        int                  `json:"days"`
	Summary     map[string]int       `json:"summary"`
	Occurrences []obligation.Row     `json:"occurrences"`
	Problems    []obligation.Problem `json:"problems"`
}

func parseDue(env *Env, args []string) (*dueOptions, error) {
	var o dueOptions
	fs := flagSet(env, "due", "due [--at YYYY-MM-DD] [--days N] [--format text|json]", &o.repo)
	fs.StringVar(&o.at, "at", "", "以这一天为准（YYYY-MM-DD，默认：今天，按仓库时区）")
	fs.IntVar(&o.days, "days", 7, "列出前后多少天内已完成和即将到期的事项（逾期和待办总是列出）")
	fs.StringVar(&o.format, "format", "text", "输出格式：text|json")
	pos, err := parse(fs, args)
	if err != nil {
		return nil, err
	}
	if len(pos) > 0 {
		return nil, fmt.Errorf("opsbook due: 多余的参数 %q", pos)
	}
	if o.format != "text" && o.format != "json" {
		return nil, fmt.Errorf("opsbook due: 未知格式 %q；可选 text 或 json", o.format)
	}
	if o.days < 0 || o.days > 3660 {
		return nil, fmt.Errorf("opsbook due: --days %d 应在 0 到 3660 之间", o.days)
	}
	return &o, nil
}

func (o *dueOptions) run(ctx context.Context, env *Env) error {
	rp, err := openRepository(env, o.repo, "opsbook due")
	if err != nil {
		return err
	}
	loc := rp.Config.Location
	at := time.Now().In(loc)
	if o.at != "" {
		if at, err = time.ParseInLocation(time.DateOnly, o.at, loc); err != nil {
			return fmt.Errorf("opsbook due: --at %q 应为日期 YYYY-MM-DD，例如 2026-11-27", o.at)
		}
	}
	at = time.Date(at.Year(), at.Month(), at.Day(), 0, 0, 0, 0, loc)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	book := obligation.Load(rp.Index, loc, rp.Config.MaxFileSize)
	st := book.Around(rp.Rules.Calendar, at, o.days)
	for _, p := range book.Problems {
		fmt.Fprintf(env.Stderr, "警告：已跳过 %s\n", p)
	}
	if o.format == "json" {
		doc := dueDocument{Version: "opsbook.due/v1", At: at.Format(time.DateOnly), Days: o.days, Summary: map[string]int{},
			Occurrences: []obligation.Row{}, Problems: book.Problems}
		for s, n := range obligation.Count(st) {
			doc.Summary[string(s)] = n
		}
		for _, s := range st {
			doc.Occurrences = append(doc.Occurrences, s.Row())
		}
		if doc.Problems == nil {
			doc.Problems = []obligation.Problem{}
		}
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(doc); err != nil {
			return err
		}
	} else {
		label := func(kind string) string {
			if k, ok := rp.Schemas.Kinds[kind]; ok {
				return k.Label
			}
			return kind
		}
		printDue(env.Stdout, rp.Rules.Calendar, label, at, o.days, len(book.Obligations), st)
	}
	if obligation.Count(st)[obligation.Overdue] > 0 || len(book.Problems) > 0 {
		return errFound
	}
	return nil
}

var dueWeekdays = [...]string{"星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"}

// dayName is "2026-11-27（星期五，工作日）".
func dayName(cal *calendar.Calendar, t time.Time) string {
	kind := ""
	if d, err := cal.DayOf(t); err == nil {
		kind = "，" + d.Type.String()
		if d.Name != "" {
			kind = "，" + d.Name + d.Type.String()
		}
	}
	return fmt.Sprintf("%s（%s%s）", t.Format(time.DateOnly), dueWeekdays[t.Weekday()], kind)
}

func printDue(w io.Writer, cal *calendar.Calendar, kindLabel func(string) string, at time.Time, days, obligations int, st []obligation.Status) {
	if obligations == 0 {
		fmt.Fprintln(w, "没有合规事项：在 content/obligation/<年份>/ 下新建（opsbook new obligation），见 docs/使用指南.md「合规日历与值班」。")
		return
	}
	fmt.Fprintf(w, "合规日历 %s，前后 %d 天：%s\n", dayName(cal, at), days, obligation.Summary(st))
	if len(st) == 0 {
		return
	}
	fmt.Fprintln(w)
	rows := [][]string{{"状态", "到期日", "截止", "事项", "负责人", "证明记录 / 说明"}}
	var notes []string
	for _, group := range groupOverdue(st) {
		r := group[0].Row()
		state := r.StateLabel
		if r.Late {
			state += "（逾期完成）"
		}
		item := r.Obligation + " " + r.Title
		if r.Holiday != "" {
			item += " · " + r.Holiday
		}
		due, closes, detail := r.Due, shortDate(r.Closes, r.Due), dueDetail(r, kindLabel(r.ProofKind), &notes)
		if n := len(group); n > 1 {
			last := group[n-1].Row()
			due, closes = r.Due+" 起", shortDate(last.Closes, r.Due)
			var dates []string
			for _, g := range group {
				dates = append(dates, shortDate(g.Due.Format(time.DateOnly), r.Due))
			}
			list := strings.Join(dates, "、")
			if n > 6 {
				list = dates[0] + " 至 " + dates[n-1]
			}
			detail = fmt.Sprintf("共 %d 次（%s），%s", n, list, detail)
		}
		rows = append(rows, []string{state, due, closes, item, r.Owner, detail})
	}
	termtable.Write(w, rows)
	if len(notes) > 0 {
		fmt.Fprintln(w)
		for i, n := range notes {
			fmt.Fprintf(w, "注 %d：%s\n", i+1, n)
		}
	}
}

// groupOverdue merges runs of three or more overdue occurrences of one
// obligation without any proof (a daily duty missed for weeks) into one
// row, kept where the run's first occurrence is; everything else is a
// group of one.
func groupOverdue(st []obligation.Status) [][]obligation.Status {
	bare := func(s obligation.Status) bool {
		return s.State == obligation.Overdue && len(s.Proofs) == 0 && s.Note == ""
	}
	runs := map[*obligation.Obligation]int{}
	for _, s := range st {
		if bare(s) {
			runs[s.Obligation]++
		}
	}
	var out [][]obligation.Status
	first := map[*obligation.Obligation]int{}
	for _, s := range st {
		if bare(s) && runs[s.Obligation] >= 3 {
			if i, ok := first[s.Obligation]; ok {
				out[i] = append(out[i], s)
				continue
			}
			first[s.Obligation] = len(out)
		}
		out = append(out, []obligation.Status{s})
	}
	return out
}

// dueDetail is the last column: the proofs, or what is missing, and a
// reference to a note when the date is an estimate.
func dueDetail(r obligation.Row, proofLabel string, notes *[]string) string {
	var parts []string
	switch r.State {
	case obligation.Done:
		parts = append(parts, strings.Join(r.Proofs, "、"))
	case obligation.Upcoming:
		parts = append(parts, shortDate(r.Opens, r.Due)+" 起可完成")
	case obligation.Due, obligation.Overdue:
		if len(r.Proofs) == 0 {
			parts = append(parts, "缺少"+proofLabel+"记录")
		} else {
			parts = append(parts, "已有 "+strings.Join(r.Proofs, "、"))
			if len(r.Missing) > 0 {
				parts = append(parts, "未覆盖 "+strings.Join(r.Missing, "、"))
			}
		}
	}
	if r.Note != "" {
		n := -1
		for i, x := range *notes {
			if x == r.Note {
				n = i
			}
		}
		if n < 0 {
			*notes = append(*notes, r.Note)
			n = len(*notes) - 1
		}
		label := "见注"
		if r.Estimated {
			label = "日期为估算，见注"
		}
		parts = append(parts, fmt.Sprintf("%s %d", label, n+1))
	}
	return strings.Join(parts, "；")
}

// shortDate drops the year from d when it is the same as ref's.
func shortDate(d, ref string) string {
	if len(d) == 10 && len(ref) == 10 && d[:4] == ref[:4] {
		return d[5:]
	}
	return d
}

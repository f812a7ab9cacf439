package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/opsbook/opsbook/internal/calendar"
	"github.com/opsbook/opsbook/internal/duty"
	"github.com/opsbook/opsbook/internal/termtable"
)

func init() {
	register(command{name: "duty", summary: "值班：现在谁在班（now）——驻场、电话值守、备岗及电话；无人在班时退出码 1", run: runDuty})
}

type dutyOptions struct {
	repo, at, format string
}

// dutyShiftView is one shift in `opsbook duty now --format json`.
type dutyShiftView struct {
	Role      string `json:"role"`
	RoleLabel string `json:"role_label"`
	Person    string `json:"person"`
	Phone     string `json:"phone,omitempty"`
	Start     string `json:"start"`
	End       string `json:"end"`
	Roster    string `json:"roster"`
	Path      string `json:"path"`
}

type dutyDocument struct {
	Version  string          `json:"version"`
	At       string          `json:"at"`
	OnDuty   []dutyShiftView `json:"on_duty"`
	Next     []dutyShiftView `json:"next"`
	Problems []string        `json:"problems"`
}

func runDuty(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 || slices.Contains([]string{"-h", "--help", "help"}, args[0]) {
		fmt.Fprintln(env.Stderr, "用法：opsbook duty now [--at \"YYYY-MM-DD HH:MM\"] [--format text|json]\n\n子命令：\n  now      现在（或 --at 指定时刻）谁在班：驻场、电话值守、备岗及电话")
		if len(args) == 0 {
			return errTold
		}
		return nil
	}
	if args[0] != "now" {
		return fmt.Errorf("opsbook duty: 未知子命令 %q；可用：now", args[0])
	}
	return parsed(parseDutyNow)(ctx, env, args[1:])
}

func parseDutyNow(env *Env, args []string) (*dutyOptions, error) {
	var o dutyOptions
	fs := flagSet(env, "duty now", "duty now [--at \"YYYY-MM-DD HH:MM\"] [--format text|json]", &o.repo)
	fs.StringVar(&o.at, "at", "", "查询的时刻（\"YYYY-MM-DD HH:MM\"，默认：现在，按仓库时区）")
	fs.StringVar(&o.format, "format", "text", "输出格式：text|json")
	pos, err := parse(fs, args)
	if err != nil {
		return nil, err
	}
	if len(pos) > 0 {
		return nil, fmt.Errorf("opsbook duty now: 多余的参数 %q（时刻请写成 --at \"2026-11-27 10:00\"，带引号）", pos)
	}
	if o.format != "text" && o.format != "json" {
		return nil, fmt.Errorf("opsbook duty now: 未知格式 %q；可选 text 或 json", o.format)
	}
	return &o, nil
}

func (o *dutyOptions) run(ctx context.Context, env *Env) error {
	rp, err := openRepository(env, o.repo, "opsbook duty now")
	if err != nil {
		return err
	}
	loc := rp.Config.Location
	at := time.Now().In(loc)
	if o.at != "" {
		t, dateOnly, err := calendar.ParseTime(o.at, loc)
		if err != nil || dateOnly {
			return fmt.Errorf("opsbook duty now: --at %q 应为日期和时间 \"YYYY-MM-DD HH:MM\"，例如 --at \"2026-11-27 10:00\"", o.at)
		}
		at = t.In(loc)
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	shifts, problems := duty.Load(rp.Index, loc, rp.Config.MaxFileSize)
	for _, p := range problems {
		fmt.Fprintf(env.Stderr, "警告：%s\n", p)
	}
	on := duty.At(shifts, at)
	var next []duty.Shift
	if len(on) == 0 {
		next = duty.Next(shifts, at)
	}
	if o.format == "json" {
		doc := dutyDocument{Version: "opsbook.duty/v1", At: at.Format("2006-01-02 15:04"), OnDuty: dutyViews(on), Next: dutyViews(next), Problems: []string{}}
		for _, p := range problems {
			doc.Problems = append(doc.Problems, p.String())
		}
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(doc); err != nil {
			return err
		}
	} else {
		printDuty(env.Stdout, rp.Rules.Calendar, at, on, next)
	}
	if len(on) == 0 || noHotline(on) {
		return errFound
	}
	return nil
}

// noHotline reports whether neither an onsite nor an oncall shift covers
// the moment: the 7×24 hotline would go unanswered.
func noHotline(on []duty.Shift) bool { return len(duty.Missing(on, "onsite", "oncall")) == 2 }

func dutyViews(shifts []duty.Shift) []dutyShiftView {
	out := []dutyShiftView{}
	for _, s := range shifts {
		out = append(out, dutyShiftView{Role: s.Role, RoleLabel: duty.RoleLabel(s.Role), Person: s.Person, Phone: s.Phone,
			Start: s.Start.Format("2006-01-02 15:04"), End: s.End.Format("2006-01-02 15:04"), Roster: s.Roster, Path: s.Path})
	}
	return out
}

func printDuty(w io.Writer, cal *calendar.Calendar, at time.Time, on, next []duty.Shift) {
	when := dayName(cal, at)
	when = at.Format("2006-01-02 15:04") + when[len("2006-01-02"):]
	if len(on) == 0 {
		fmt.Fprintf(w, "%s没有人在班：content/duty/ 中没有覆盖这一时刻的班次。\n", when)
		if len(next) > 0 {
			fmt.Fprintf(w, "下一个班次 %s 开始：", next[0].Start.Format("2006-01-02 15:04"))
			for i, s := range next {
				if i > 0 {
					fmt.Fprint(w, "、")
				}
				fmt.Fprintf(w, "%s（%s，%s）", s.Person, duty.RoleLabel(s.Role), dutyPhone(s))
			}
			fmt.Fprintln(w)
		} else {
			fmt.Fprintln(w, "之后也没有排班。")
		}
		fmt.Fprintln(w, "请补充值班表：opsbook new duty，按班次填写 start、end、person、role、phone。")
		return
	}
	fmt.Fprintf(w, "%s在班 %d 人：\n\n", when, len(on))
	rows := [][]string{{"角色", "值班人", "电话", "班次", "值班表"}}
	for _, s := range on {
		span := s.Start.Format("01-02 15:04") + " – " + s.End.Format("01-02 15:04")
		rows = append(rows, []string{duty.RoleLabel(s.Role), s.Person, dutyPhone(s), span, s.Roster})
	}
	termtable.Write(w, rows)
	if noHotline(on) {
		fmt.Fprintln(w, "\n注意：此时既没有驻场也没有电话值守，7×24 热线无人接听；请补充值班表。")
	}
}

func dutyPhone(s duty.Shift) string {
	if s.Phone == "" {
		return "（未填电话）"
	}
	return s.Phone
}

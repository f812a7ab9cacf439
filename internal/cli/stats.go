package cli

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/opsbook/opsbook/internal/statsimport"
)

func init() {
	register(command{name: "stats", summary: "部门统计：stats import 把平台导出的部门统计（CSV/XLSX）导入为统计记录", run: runStats})
}

func runStats(ctx context.Context, env *Env, args []string) error {
	if len(args) > 0 && args[0] == "import" {
		return parsed(parseStatsImport)(ctx, env, args[1:])
	}
	fmt.Fprintln(env.Stderr, "用法：opsbook stats import FILE --period 2026-11|2026-W48|2026-Q4|2026-H2|2026 [--sheet 工作表] [--id 编号] [--source 来源] [--force]")
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
		return nil
	}
	if len(args) > 0 {
		return fmt.Errorf("opsbook stats: 未知子命令 %q", args[0])
	}
	return errTold
}

type statsImportOptions struct {
	repo, period, sheet, id, source string
	force                           bool
	file                            string // as given
}

func parseStatsImport(env *Env, args []string) (*statsImportOptions, error) {
	var o statsImportOptions
	fs := flagSet(env, "stats import", "stats import FILE --period 2026-11|2026-W48|2026-Q4|2026-H2|2026 [--sheet 工作表] [--id 编号] [--source 来源] [--force]", &o.repo)
	fs.StringVar(&o.period, "period", "", "统计周期：2026-11（月）、2026-W48（ISO 周）、2026-Q4（季度）、2026-H2（半年）或 2026（年）")
	fs.StringVar(&o.sheet, "sheet", "", "XLSX 工作表名称（默认：第一个工作表）")
	fs.StringVar(&o.id, "id", "", "记录编号（默认：按周期，例如 STA-2026-M11）")
	fs.StringVar(&o.source, "source", "", "数据来源说明（默认：平台名称和文件名）")
	fs.BoolVar(&o.force, "force", false, "替换已存在的同编号统计记录（保留其 tags 和 notes）")
	pos, err := parse(fs, args)
	if err != nil {
		return nil, err
	}
	if len(pos) != 1 {
		return nil, usage(fs, "opsbook stats import: 需要且只需要一个文件（平台导出的 CSV 或 XLSX）")
	}
	if o.period == "" {
		return nil, errors.New("opsbook stats import: 缺少 --period；例如 --period 2026-11（月）、2026-W48、2026-Q4、2026-H2 或 2026")
	}
	if _, err := statsimport.ParsePeriod(o.period); err != nil {
		return nil, fmt.Errorf("opsbook stats import: --period：%w", err)
	}
	o.file = pos[0]
	return &o, nil
}

func (o *statsImportOptions) run(ctx context.Context, env *Env) error {
	period, err := statsimport.ParsePeriod(o.period)
	if err != nil {
		return err
	}
	file := o.file
	path := file
	if !filepath.IsAbs(path) {
		path = filepath.Join(env.Dir, path)
	}
	rp, err := openRepository(env, o.repo, "opsbook stats import")
	if err != nil {
		return err
	}
	res, err := statsimport.Import(ctx, rp, statsimport.Request{File: path, Name: file, Period: period,
		Sheet: o.sheet, ID: o.id, Source: o.source, Force: o.force})
	if err != nil {
		return fmt.Errorf("opsbook stats import: %w", err)
	}
	for _, w := range res.Warnings {
		fmt.Fprintln(env.Stderr, "警告："+w)
	}
	printStatsSummary(env, res)
	if len(res.Violations) > 0 {
		fmt.Fprintln(env.Stderr, "写入的记录未通过校验：")
		for _, v := range res.Violations {
			fmt.Fprintln(env.Stderr, "  "+v.String())
		}
		return errFound
	}
	return nil
}

func printStatsSummary(env *Env, res *statsimport.Result) {
	t := res.Table
	verb := "已写入"
	if res.Replaced {
		verb = "已替换"
	}
	fmt.Fprintf(env.Stdout, "%s %s（%s）\n", verb, res.Path, res.Title)
	where := strings.ToUpper(t.Format)
	if t.Sheet != "" {
		where += " 工作表“" + t.Sheet + "”"
	}
	if t.Encoding != "" {
		where += "，" + t.Encoding + " 编码"
	}
	fmt.Fprintf(env.Stdout, "读取：%s，第 %d 行为表头", where, t.HeaderRow)
	for _, s := range t.Skipped {
		fmt.Fprintf(env.Stdout, "，跳过第 %d 行（%s）", s.Row, s.Reason)
	}
	fmt.Fprintln(env.Stdout)
	var names, idle []string
	for _, r := range t.Rows {
		name := r.Department
		if n := res.Names[r.Department]; n != "" {
			name = n
		}
		names = append(names, name)
		if r.Updated == 0 {
			idle = append(idle, name)
		}
	}
	fmt.Fprintf(env.Stdout, "部门：%d 个（%s）\n", len(t.Rows), strings.Join(names, "、"))
	sum := t.Totals()
	var parts []string
	for _, f := range statsimport.CountFields {
		parts = append(parts, fmt.Sprintf("%s %d", statsimport.FieldLabels[f], sum.Count(f)))
	}
	fmt.Fprintf(env.Stdout, "合计：%s\n", strings.Join(parts, "，"))
	if len(idle) > 0 {
		fmt.Fprintf(env.Stdout, "本期无更新的部门：%s\n", strings.Join(idle, "、"))
	}
}

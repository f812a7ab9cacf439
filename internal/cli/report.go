package cli

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/opsbook/opsbook/internal/calendar"
	"github.com/opsbook/opsbook/internal/gitrepo"
	"github.com/opsbook/opsbook/internal/kind"
	"github.com/opsbook/opsbook/internal/pdf"
	"github.com/opsbook/opsbook/internal/period"
	"github.com/opsbook/opsbook/internal/record"
	"github.com/opsbook/opsbook/internal/report"
)

func init() {
	register(command{name: "report", summary: "生成周报、月报、季报、半年报、年报（指标取自记录，可导出 PDF）", run: parsed(parseReport)})
}

type reportOptions struct {
	repo, at, author, pdf, now string
	typ                        period.Type
}

func parseReport(env *Env, args []string) (*reportOptions, error) {
	var o reportOptions
	fs := flagSet(env, "report", "report week|month|quarter|half|year [--at 2026-W48|2026-11|2026-Q4|2026-H2|2026] [--author 姓名] [--pdf FILE]", &o.repo)
	fs.StringVar(&o.at, "at", "", "报告周期（默认：最近一个已结束的周期）：2026-W48、2026-11、2026-Q4、2026-H2 或 2026")
	fs.StringVar(&o.author, "author", "", "编写人（默认：git config user.name；重新生成时保留原编写人）")
	fs.StringVar(&o.pdf, "pdf", "", "同时用无头 Chromium 导出 A4 PDF 到此文件")
	fs.StringVar(&o.now, "now", "", "以此时刻为“现在”（YYYY-MM-DD HH:MM，测试和补做报告用）")
	pos, err := parse(fs, args)
	if err != nil {
		return nil, err
	}
	if len(pos) != 1 {
		return nil, usage(fs, "opsbook report: 请指定报告类型：week（周报）、month（月报）、quarter（季报）、half（半年报）或 year（年报）")
	}
	if o.typ, err = period.ParseType(pos[0]); err != nil {
		return nil, fmt.Errorf("opsbook report: %v", err)
	}
	return &o, nil
}

func (o *reportOptions) run(ctx context.Context, env *Env) error {
	typ := o.typ
	rp, err := openRepository(env, o.repo, "opsbook report")
	if err != nil {
		return err
	}
	root := rp.Root
	loc := rp.Config.Location
	now := time.Now().In(loc)
	if o.now != "" {
		if now, _, err = calendar.ParseTime(o.now, loc); err != nil {
			return fmt.Errorf("opsbook report: --now：%v", err)
		}
	}
	p := period.Last(typ, now, loc)
	if o.at != "" {
		if p, err = period.Parse(typ, o.at, loc); err != nil {
			return fmt.Errorf("opsbook report: %v", err)
		}
	}
	if p.Start.After(now) {
		return fmt.Errorf("opsbook report: %s 还没有开始（现在是 %s）；请指定已开始的周期", p.Name(), now.Format("2006-01-02 15:04"))
	}

	author := o.author
	if author == "" {
		author = gitUserName(root)
	}
	t0 := time.Now()
	res, err := report.Generate(ctx, rp, p, report.GenerateOptions{Now: now, Author: author})
	var invalid *report.InvalidError
	if errors.As(err, &invalid) {
		return found("opsbook report: " + err.Error())
	}
	if err != nil {
		return fmt.Errorf("opsbook report: %w", err)
	}
	rpt, rel, content := res.Report, res.Rel, res.Content
	verb := "已更新"
	switch {
	case res.Created:
		verb = "已生成"
	case !res.Changed:
		verb = "无变化"
	}
	fmt.Fprintf(env.Stdout, "%s %s（%s，%s 至 %s，用时 %.1f 秒）\n", verb, rel, p.Name(), p.Start.Format("2006-01-02"), p.End.Format("2006-01-02"), time.Since(t0).Seconds())
	fmt.Fprintf(env.Stdout, "  巡检 %s 次，通过率 %s；新增异常 %s 条；变更 %s 项；工单 %s 件；优化建议 %d 条\n",
		figure(rpt, "inspection_runs"), figure(rpt, "inspection_pass_rate"), figure(rpt, "anomalies_opened"),
		figure(rpt, "changes_total"), figure(rpt, "tickets_total"), len(rpt.Suggestions))

	if o.pdf != "" {
		final, err := record.Parse(rel, content)
		if err != nil {
			return err
		}
		v, _ := kind.ReportFrom(final)
		status := map[string]string{"draft": "草稿", "final": "定稿"}[v.Status]
		doc, err := rpt.PrintHTML(v.Title, v.Author, status, final.Body)
		if err != nil {
			return err
		}
		out := o.pdf
		if !filepath.IsAbs(out) {
			out = filepath.Join(env.Dir, out)
		}
		if err := pdf.Print(ctx, doc, out, pdf.Options{Title: v.Title, PageNumbers: true}); err != nil {
			return fmt.Errorf("opsbook report: 导出 PDF 失败（报告记录已写好）：%w", err)
		}
		fmt.Fprintf(env.Stdout, "已导出 PDF：%s\n", o.pdf)
	}
	return nil
}

func figure(r *report.Report, key string) string {
	f := r.Figure(key)
	if f == nil || f.Value == nil {
		return "—"
	}
	if f.Percent() {
		return fmt.Sprintf("%.1f%%", *f.Value)
	}
	return strings.TrimSuffix(fmt.Sprintf("%.1f", *f.Value), ".0")
}

// gitUserName is the committer name git would use in root, or "opsbook".
func gitUserName(root string) string {
	if name, _ := gitrepo.User(root); name != "" {
		return name
	}
	return "opsbook"
}

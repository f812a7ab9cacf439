package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	iofs "io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/opsbook/opsbook/internal/calendar"
	"github.com/opsbook/opsbook/internal/pdf"
	"github.com/opsbook/opsbook/internal/period"
	"github.com/opsbook/opsbook/internal/record"
	"github.com/opsbook/opsbook/internal/repo"
	"github.com/opsbook/opsbook/internal/report"
	"github.com/opsbook/opsbook/internal/validate"
)

func init() {
	register(command{name: "report", summary: "生成周报、月报、季报、半年报、年报（指标取自记录，可导出 PDF）", run: runReport})
}

type reportOptions struct {
	repo, at, author, pdf, now string
}

func runReport(ctx context.Context, env *Env, args []string) int {
	var o reportOptions
	fs := flagSet(env, "report", "report week|month|quarter|half|year [--at 2026-W48|2026-11|2026-Q4|2026-H2|2026] [--author 姓名] [--pdf FILE]", &o.repo)
	fs.StringVar(&o.at, "at", "", "报告周期（默认：最近一个已结束的周期）：2026-W48、2026-11、2026-Q4、2026-H2 或 2026")
	fs.StringVar(&o.author, "author", "", "编写人（默认：git config user.name；重新生成时保留原编写人）")
	fs.StringVar(&o.pdf, "pdf", "", "同时用无头 Chromium 导出 A4 PDF 到此文件")
	fs.StringVar(&o.now, "now", "", "以此时刻为“现在”（YYYY-MM-DD HH:MM，测试和补做报告用）")
	pos, code, ok := parseOrExit(fs, args)
	if !ok {
		return code
	}
	if len(pos) != 1 {
		fmt.Fprintln(env.Stderr, "opsbook report: 请指定报告类型：week（周报）、month（月报）、quarter（季报）、half（半年报）或 year（年报）")
		fs.Usage()
		return ExitError
	}
	typ, err := period.ParseType(pos[0])
	if err != nil {
		fmt.Fprintf(env.Stderr, "opsbook report: %v\n", err)
		return ExitError
	}
	root, err := resolveRoot(env, o.repo)
	if err != nil {
		return fail(env, err)
	}
	rp, err := validate.Open(root)
	if err != nil {
		return fail(env, fmt.Errorf("opsbook report: %w", err))
	}
	loc := rp.Config.Location
	now := time.Now().In(loc)
	if o.now != "" {
		if now, _, err = calendar.ParseTime(o.now, loc); err != nil {
			fmt.Fprintf(env.Stderr, "opsbook report: --now：%v\n", err)
			return ExitError
		}
	}
	p := period.Last(typ, now, loc)
	if o.at != "" {
		if p, err = period.Parse(typ, o.at, loc); err != nil {
			fmt.Fprintf(env.Stderr, "opsbook report: %v\n", err)
			return ExitError
		}
	}
	if p.Start.After(now) {
		fmt.Fprintf(env.Stderr, "opsbook report: %s 还没有开始（现在是 %s）；请指定已开始的周期\n", p.Name(), now.Format("2006-01-02 15:04"))
		return ExitError
	}

	t0 := time.Now()
	data, err := report.Load(ctx, rp, p.Prev().Start.Year()-1, p.End.Year())
	if err != nil {
		return fail(env, fmt.Errorf("opsbook report: %w", err))
	}
	rpt := report.Compute(data, p, report.Options{Now: now, Platform: rp.Config.Platform, SLA: rp.Config.TicketSLA})

	rel := path.Join(repo.ContentDir, "report", fmt.Sprint(p.Year), report.ID(p)+".md")
	abs := filepath.Join(root, filepath.FromSlash(rel))
	var old *record.Record
	oldBytes, err := os.ReadFile(abs)
	switch {
	case err == nil:
		if old, err = record.Parse(rel, oldBytes); err != nil {
			return fail(env, fmt.Errorf("opsbook report: 已有的 %s 无法读取，未做任何修改：%w", rel, err))
		}
	case errors.Is(err, iofs.ErrNotExist):
	default:
		return fail(env, fmt.Errorf("opsbook report: %w", err))
	}
	author := o.author
	if author == "" {
		author = gitUserName(root)
	}
	generatedAt := now.Format("2006-01-02 15:04")
	content, err := rpt.Regenerate(old, author, generatedAt)
	if err != nil {
		return fail(env, fmt.Errorf("opsbook report: %s 的生成区块标记已损坏，未做任何修改：%w", rel, err))
	}
	changed := true
	if old != nil && bytes.Equal(withoutGeneratedAt(content), withoutGeneratedAt(oldBytes)) {
		changed = false // same figures and text: leave the file (and its generated_at) alone
		content = oldBytes
	}
	if changed {
		if err := writeFileAtomic(abs, content); err != nil {
			return fail(env, fmt.Errorf("opsbook report: %w", err))
		}
		if code := checkWritten(ctx, env, root, rel, abs, oldBytes, old != nil); code != ExitOK {
			return code
		}
	}
	verb := "已生成"
	switch {
	case old != nil && changed:
		verb = "已更新"
	case old != nil:
		verb = "无变化"
	}
	fmt.Fprintf(env.Stdout, "%s %s（%s，%s 至 %s，用时 %.1f 秒）\n", verb, rel, p.Name(), p.Start.Format("2006-01-02"), p.End.Format("2006-01-02"), time.Since(t0).Seconds())
	fmt.Fprintf(env.Stdout, "  巡检 %s 次，通过率 %s；新增异常 %s 条；变更 %s 项；工单 %s 件；优化建议 %d 条\n",
		figure(rpt, "inspection_runs"), figure(rpt, "inspection_pass_rate"), figure(rpt, "anomalies_opened"),
		figure(rpt, "changes_total"), figure(rpt, "tickets_total"), len(rpt.Suggestions))

	if o.pdf != "" {
		final, err := record.Parse(rel, content)
		if err != nil {
			return fail(env, err)
		}
		title, _ := final.Fields["title"].(string)
		auth, _ := final.Fields["author"].(string)
		status := map[string]string{"draft": "草稿", "final": "定稿"}[fmt.Sprint(final.Fields["status"])]
		doc, err := rpt.PrintHTML(title, auth, status, final.Body)
		if err != nil {
			return fail(env, err)
		}
		out := o.pdf
		if !filepath.IsAbs(out) {
			out = filepath.Join(env.Dir, out)
		}
		if err := pdf.Print(ctx, doc, out, pdf.Options{Title: title, PageNumbers: true}); err != nil {
			return fail(env, fmt.Errorf("opsbook report: 导出 PDF 失败（报告记录已写好）：%w", err))
		}
		fmt.Fprintf(env.Stdout, "已导出 PDF：%s\n", o.pdf)
	}
	return ExitOK
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

var generatedAtLine = regexp.MustCompile(`(?m)^generated_at: .*$`)

func withoutGeneratedAt(b []byte) []byte { return generatedAtLine.ReplaceAll(b, nil) }

// checkWritten validates the written report; on violations the previous
// content (or no file) is restored and the problems are printed.
func checkWritten(ctx context.Context, env *Env, root, rel, abs string, oldBytes []byte, hadOld bool) int {
	restore := func() {
		if hadOld {
			_ = writeFileAtomic(abs, oldBytes)
		} else {
			_ = os.Remove(abs)
		}
	}
	rp, err := validate.Open(root)
	if err != nil {
		restore()
		return fail(env, err)
	}
	res, err := rp.Check(ctx, []repo.Entry{repo.NewEntry(rel)}, 1)
	if err != nil {
		restore()
		return fail(env, err)
	}
	if len(res.Violations) > 0 {
		restore()
		fmt.Fprintf(env.Stderr, "opsbook report: 生成的 %s 未通过校验，已恢复原状：\n", rel)
		for _, v := range res.Violations {
			fmt.Fprintln(env.Stderr, "  "+v.String())
		}
		return ExitFound
	}
	return ExitOK
}

// writeFileAtomic writes data to a temporary file beside path and renames it into place.
func writeFileAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".opsbook-*.tmp")
	if err != nil {
		return err
	}
	tmp := f.Name()
	if _, err := f.Write(data); err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, 0o644)
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("写入 %s：%w", path, err)
	}
	return nil
}

// gitUserName is the committer name git would use in root, or "opsbook".
func gitUserName(root string) string {
	out, err := exec.Command("git", "-C", root, "config", "user.name").Output()
	if s := strings.TrimSpace(string(out)); err == nil && s != "" {
		return s
	}
	return "opsbook"
}

package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/opsbook/opsbook/internal/export"
	"github.com/opsbook/opsbook/internal/gitrepo"
	"github.com/opsbook/opsbook/internal/layout"
	"github.com/opsbook/opsbook/internal/record"
)

func init() {
	register(command{name: "export", summary: "导出记录为 JSON 或 CSV（供苏政源等外部系统使用）", run: parsed(parseExport)})
}

type exportOptions struct {
	repo, kind, since, format, output string
	body                              bool
}

func parseExport(env *Env, args []string) (*exportOptions, error) {
	var o exportOptions
	fs := flagSet(env, "export", "export [--kind K] [--since YYYY-MM-DD] --format json|csv [--output FILE]", &o.repo)
	fs.StringVar(&o.kind, "kind", "", "只导出此类型的记录")
	fs.StringVar(&o.since, "since", "", "只导出记录日期不早于此日期的记录（YYYY-MM-DD）")
	fs.StringVar(&o.format, "format", "json", "输出格式：json|csv")
	fs.StringVar(&o.output, "output", "", "写入文件（默认：标准输出）")
	fs.BoolVar(&o.body, "body", true, "JSON 中包含 Markdown 正文")
	pos, err := parse(fs, args)
	if err != nil {
		return nil, err
	}
	if len(pos) > 0 {
		return nil, fmt.Errorf("opsbook export: 多余的参数 %q", pos)
	}
	if o.format != "json" && o.format != "csv" {
		return nil, fmt.Errorf("opsbook export: 未知格式 %q；可选 json 或 csv", o.format)
	}
	if o.since != "" {
		if _, err := time.Parse(time.DateOnly, o.since); err != nil {
			return nil, fmt.Errorf("opsbook export: --since %q 应为日期 YYYY-MM-DD", o.since)
		}
	}
	return &o, nil
}

func (o *exportOptions) run(ctx context.Context, env *Env) error {
	rp, err := openRepository(env, o.repo, "opsbook export")
	if err != nil {
		return err
	}
	root := rp.Root
	if _, known := rp.Schemas.Kinds[o.kind]; o.kind != "" && !known {
		return fmt.Errorf("opsbook export: 未知类型 %q", o.kind)
	}
	history, err := gitrepo.History(ctx, root, layout.ContentDir+"/")
	switch {
	case errors.Is(err, gitrepo.ErrShallowHistory):
		fmt.Fprintf(env.Stderr, "警告：%v；本次导出不含 git 作者和时间\n", err)
	case err != nil && !errors.Is(err, gitrepo.ErrNotRepository):
		return fmt.Errorf("opsbook export: 读取 git 历史：%w", err)
	}
	var recs []export.Record
	skipped := 0
	for _, e := range rp.Index.Entries {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		k, ok := rp.Schemas.Kinds[e.Kind]
		if !ok || (o.kind != "" && e.Kind != o.kind) {
			continue
		}
		r, err := record.ReadFile(rp.Index.Abs(e.Path), e.Path, rp.Config.MaxFileSize)
		if err != nil {
			skipped++
			fmt.Fprintf(env.Stderr, "跳过 %s：%v\n", e.Path, err)
			continue
		}
		x := export.Record{ID: r.ID(), Kind: k.Name, KindLabel: k.Label, Title: r.Title(), Path: e.Path,
			Date: export.DateOf(r.Fields), Fields: r.Fields, Git: history[e.Path]}
		if o.body {
			x.Body = r.Body
		}
		if o.since != "" && (x.Date == "" || x.Date[:10] < o.since) {
			continue
		}
		recs = append(recs, x)
	}
	export.Sort(recs)
	err = writeOutput(o.output, env.Stdout, func(w io.Writer) error {
		if o.format == "csv" {
			return export.WriteCSV(w, recs)
		}
		return export.WriteJSON(w, export.Document{GeneratedAt: time.Now().In(rp.Config.Location), Platform: rp.Config.Platform, Records: recs})
	})
	if err != nil {
		return fmt.Errorf("opsbook export: %w", err)
	}
	fmt.Fprintf(env.Stderr, "导出 %d 条记录", len(recs))
	if skipped > 0 {
		fmt.Fprintf(env.Stderr, "，%d 个文件无法读取（运行 opsbook validate 查看）", skipped)
	}
	fmt.Fprintln(env.Stderr)
	if skipped > 0 {
		return errFound
	}
	return nil
}

// writeOutput writes to stdout, or to file through a temporary file renamed
// into place so a reader never sees half an export.
func writeOutput(file string, stdout io.Writer, write func(io.Writer) error) error {
	if file == "" {
		bw := bufio.NewWriter(stdout)
		if err := write(bw); err != nil {
			return err
		}
		return bw.Flush()
	}
	tmp, err := os.CreateTemp(filepath.Dir(file), "."+filepath.Base(file)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	bw := bufio.NewWriter(tmp)
	if err := write(bw); err != nil {
		tmp.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), file)
}

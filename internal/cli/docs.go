package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/opsbook/opsbook/internal/atomicfile"
	"github.com/opsbook/opsbook/internal/attachment"
	"github.com/opsbook/opsbook/internal/gitrepo"
	"github.com/opsbook/opsbook/internal/inventory"
	"github.com/opsbook/opsbook/internal/layout"
	"github.com/opsbook/opsbook/internal/repofile"
	"github.com/opsbook/opsbook/internal/store"
	"github.com/opsbook/opsbook/internal/workspace"
)

func init() {
	register(command{name: "docs", summary: "项目文档：文件清单（inventory）、登记附件的 SHA-256 和大小（hash）", run: runDocs})
}

const docsUsage = "用法：\n  opsbook docs inventory [--format md|csv|json] [--project 项目编号] [--output FILE] [--at YYYY-MM-DD]\n  opsbook docs hash 文档编号… [--add] | --all [--add]"

func runDocs(ctx context.Context, env *Env, args []string) error {
	if len(args) > 0 {
		switch args[0] {
		case "inventory":
			return parsed(parseDocsInventory)(ctx, env, args[1:])
		case "hash":
			return parsed(parseDocsHash)(ctx, env, args[1:])
		}
	}
	fmt.Fprintln(env.Stderr, docsUsage)
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
		return nil
	}
	if len(args) > 0 {
		return fmt.Errorf("opsbook docs: 未知子命令 %q", args[0])
	}
	return errTold
}

type docsInventoryOptions struct {
	repo, format, project, output, at string
}

func parseDocsInventory(env *Env, args []string) (*docsInventoryOptions, error) {
	var o docsInventoryOptions
	fs := flagSet(env, "docs inventory", "docs inventory [--format md|csv|json] [--project 项目编号] [--output FILE] [--at YYYY-MM-DD]", &o.repo)
	fs.StringVar(&o.format, "format", "md", "输出格式：md（Markdown）|csv（每个附件一行，带 BOM）|json")
	fs.StringVar(&o.project, "project", "", "只列出此项目的文档（项目编号）")
	fs.StringVar(&o.output, "output", "", "写入文件（原子写入；默认：标准输出）")
	fs.StringVar(&o.at, "at", "", "按这一天判断是否待复核（YYYY-MM-DD，默认：今天，按仓库时区）")
	pos, err := parse(fs, args)
	if err != nil {
		return nil, err
	}
	if len(pos) > 0 {
		return nil, fmt.Errorf("opsbook docs inventory: 多余的参数 %q", pos)
	}
	if !slices.Contains([]string{"md", "csv", "json"}, o.format) {
		return nil, fmt.Errorf("opsbook docs inventory: 未知格式 %q；可选 md、csv 或 json", o.format)
	}
	return &o, nil
}

func (o *docsInventoryOptions) run(ctx context.Context, env *Env) error {
	rp, err := openRepository(env, o.repo, "opsbook docs inventory")
	if err != nil {
		return err
	}
	root := rp.Root
	now := time.Now().In(rp.Config.Location)
	if o.at != "" {
		d, err := time.ParseInLocation(time.DateOnly, o.at, rp.Config.Location)
		if err != nil {
			return fmt.Errorf("opsbook docs inventory: --at %q 应为日期 YYYY-MM-DD，例如 2026-11-27", o.at)
		}
		now = d.Add(12 * time.Hour)
	}
	history, err := gitrepo.AuditTrail(ctx, root, "", layout.ContentDir+"/document/")
	switch {
	case errors.Is(err, gitrepo.ErrShallowHistory):
		fmt.Fprintf(env.Stderr, "警告：%v；本次清单不含最近修改时间和修改人\n", err)
		history = nil
	case errors.Is(err, gitrepo.ErrNotRepository):
		history = nil
	case err != nil:
		return fmt.Errorf("opsbook docs inventory: 读取 git 历史：%w", err)
	}
	inv, err := inventory.Build(rp, inventory.Options{Project: o.project, Now: now, History: history})
	if err != nil {
		return fmt.Errorf("opsbook docs inventory: %w", err)
	}
	var buf bytes.Buffer
	switch o.format {
	case "md":
		err = inv.WriteMarkdown(&buf)
	case "csv":
		err = inv.WriteCSV(&buf)
	default:
		err = inv.WriteJSON(&buf)
	}
	if err == nil {
		if o.output != "" {
			err = atomicfile.Write(o.output, buf.Bytes())
		} else {
			_, err = io.Copy(env.Stdout, &buf)
		}
	}
	if err != nil {
		return fmt.Errorf("opsbook docs inventory: %w", err)
	}
	t := inv.Totals()
	fmt.Fprintf(env.Stderr, "文档 %d 份，附件 %d 个（%s），待复核 %d 份", t.Documents, t.Files, attachment.FormatSize(t.Bytes), t.Stale)
	if t.FileProblems > 0 {
		fmt.Fprintf(env.Stderr, "，附件异常 %d 个（运行 opsbook validate 查看）", t.FileProblems)
	}
	if o.output != "" {
		fmt.Fprintf(env.Stderr, "；已写入 %s", o.output)
	}
	fmt.Fprintln(env.Stderr)
	return nil
}

type docsHashOptions struct {
	repo     string
	add, all bool
	ids      []string
}

func parseDocsHash(env *Env, args []string) (*docsHashOptions, error) {
	var o docsHashOptions
	fs := flagSet(env, "docs hash", "docs hash 文档编号… [--add] | --all [--add]", &o.repo)
	fs.BoolVar(&o.add, "add", false, "把附件目录中尚未登记的文件也登记进 files")
	fs.BoolVar(&o.all, "all", false, "处理所有带附件目录的记录")
	ids, err := parse(fs, args)
	if err != nil {
		return nil, err
	}
	if len(ids) == 0 && !o.all {
		return nil, usage(fs, "opsbook docs hash: 需要文档编号（例如 DOC-2026-001），或 --all")
	}
	o.ids = ids
	return &o, nil
}

func (o *docsHashOptions) run(ctx context.Context, env *Env) error {
	ids := o.ids
	rp, err := openRepository(env, o.repo, "opsbook docs hash")
	if err != nil {
		return err
	}
	var entries []layout.Entry
	takes := func(e layout.Entry) bool {
		k, ok := rp.Schemas.Kinds[e.Kind]
		return ok && k.Attachments && e.Ext == k.Ext() && store.CheckLayout(e.Path) == nil
	}
	if o.all {
		for _, e := range rp.Index.Entries {
			if takes(e) {
				entries = append(entries, e)
			}
		}
	}
	for _, id := range ids {
		var matched []layout.Entry
		for _, e := range rp.Index.Lookup(id) {
			if takes(e) {
				matched = append(matched, e)
			}
		}
		if len(matched) != 1 {
			return fmt.Errorf("opsbook docs hash: 没有可登记附件的记录 %s（例如 content/document/2026/%s.md）", id, id)
		}
		entries = append(entries, matched[0])
	}
	problems := 0
	for _, e := range entries {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		n, err := hashRecord(env, rp, e, o.add)
		if err != nil {
			return fmt.Errorf("opsbook docs hash: %w", err)
		}
		problems += n
	}
	if problems > 0 {
		return found(fmt.Sprintf("%d 个附件无法登记；请按上面的提示处理后重新运行", problems))
	}
	return nil
}

// hashRecord fills in sha256 and size of one record's attachments (and,
// with add, lists unlisted files) through internal/attachment, and has the
// record store rewrite the record atomically when anything changed. It
// returns how many attachments it could not read.
func hashRecord(env *Env, rp *workspace.Workspace, e layout.Entry, add bool) (int, error) {
	data, err := repofile.ReadFile(rp.Root, e.Path)
	if err != nil {
		return 0, err
	}
	var unlisted []string
	if add {
		for _, a := range rp.Index.AttachmentsIn(layout.AttachmentDir(e.Path)) {
			unlisted = append(unlisted, a.Name)
		}
	}
	h, err := attachment.Hash(rp.Root, e.Path, e.Stem, data, rp.Config.Documents.MaxAttachmentSize, unlisted)
	if h == nil {
		return 0, err
	}
	for _, p := range h.Problems {
		fmt.Fprintln(env.Stderr, p)
	}
	if err != nil {
		return len(h.Problems), err
	}
	if h.Content == nil {
		fmt.Fprintf(env.Stdout, "%s：%d 个附件的登记已是最新\n", h.ID, h.Listed)
		return len(h.Problems), nil
	}
	// Only the files block changed; validate checks the record as a whole.
	if err := store.New(rp.Root, rp.Rules).Write(store.File{Path: e.Path, Content: h.Content}, store.Replace); err != nil {
		return len(h.Problems), err
	}
	var what []string
	if h.Updated > 0 {
		what = append(what, fmt.Sprintf("更新 %d 个", h.Updated))
	}
	if h.Added > 0 {
		what = append(what, fmt.Sprintf("新增 %d 个", h.Added))
	}
	fmt.Fprintf(env.Stdout, "%s：附件登记%s（%s）\n", h.ID, strings.Join(what, "、"), e.Path)
	return len(h.Problems), nil
}

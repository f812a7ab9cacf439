package cli

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/opsbook/opsbook/internal/publish"
)

func init() {
	register(command{name: "publish", summary: "发布构建好的站点：上传到 sftp://用户@主机/路径 或复制到本机目录，原子切换", run: parsed(parsePublish)})
}

type publishOptions struct {
	repo, dir, identity, knownHosts string
	keep                            int
	allowRestricted                 bool
	target                          string // as given
}

func parsePublish(env *Env, args []string) (*publishOptions, error) {
	var o publishOptions
	fs := flagSet(env, "publish", "publish sftp://用户@主机[:端口]/路径 | 本机目录 [--dir public] [--identity 私钥文件] [--known-hosts 文件] [--keep 3] [--allow-restricted]", &o.repo)
	fs.StringVar(&o.dir, "dir", "", "要发布的站点目录（默认：仓库下的 public/，即 opsbook site build 的输出）")
	fs.StringVar(&o.identity, "identity", "", "SSH 私钥文件（无口令；有口令的私钥请 ssh-add 给 ssh-agent）；不指定时用 ssh-agent（SSH_AUTH_SOCK）或 ~/.ssh/id_*")
	fs.StringVar(&o.knownHosts, "known-hosts", "", "known_hosts 文件，必须记录服务器的主机密钥（默认：~/.ssh/known_hosts）")
	fs.IntVar(&o.keep, "keep", publish.DefaultKeep, "保留最近几个版本（含当前版本），更早的删除")
	fs.BoolVar(&o.allowRestricted, "allow-restricted", false, "站点含受控内容时仍然发布（仅当目标 Web 服务器自己按用户组控制访问时使用）")
	pos, err := parse(fs, args)
	if err != nil {
		return nil, err
	}
	if len(pos) != 1 {
		return nil, usage(fs, "opsbook publish: 需要且只需要一个发布目标，例如 sftp://deploy@10.32.1.20/srv/www/opsbook 或 /var/www/opsbook")
	}
	o.target = pos[0]
	return &o, nil
}

func (o *publishOptions) run(ctx context.Context, env *Env) error {
	pos := []string{o.target}
	arg := pos[0]
	if !strings.Contains(arg, ":") && !filepath.IsAbs(arg) {
		// A local directory, relative to the working directory. Not
		// filepath.Join: it would clean away the "." and ".." segments
		// ParseTarget refuses.
		arg = strings.TrimSuffix(env.Dir, string(filepath.Separator)) + string(filepath.Separator) + arg
	}
	target, err := publish.ParseTarget(arg)
	if err != nil {
		return fmt.Errorf("opsbook publish: %w", err)
	}
	if o.keep < 1 {
		return fmt.Errorf("opsbook publish: --keep %d：至少保留 1 个版本（建议不少于 2 以便回退）", o.keep)
	}
	src := o.dir
	switch {
	case src == "":
		root, err := resolveRoot(env, o.repo)
		if err != nil {
			return fmt.Errorf("opsbook publish: %w；或用 --dir 指定站点目录", err)
		}
		src = filepath.Join(root, "public")
	case !filepath.IsAbs(src):
		src = filepath.Join(env.Dir, src)
	}

	// Decided from the files present, not from the manifest: a site built
	// with --omit-restricted holds no restricted file and names none.
	found, err := publish.FindRestricted(src)
	if err != nil {
		return fmt.Errorf("opsbook publish: %w", err)
	}
	if n := len(found.Files); n > 0 {
		what := fmt.Sprintf("要发布的站点含 %d 个受控文件（%d 个受控页面及其附件、受控搜索索引；%d 个受控项目），例如 %s，普通 Web 服务器会把它们提供给任何能访问的人",
			n, found.Pages, len(found.Projects), found.Files[0])
		if !o.allowRestricted {
			return fmt.Errorf("opsbook publish: %s，未发布：请用 opsbook site build --omit-restricted 重新构建后再发布，"+
				"或只通过 opsbook site serve --access 提供该站点；目标服务器自己按用户组控制访问时加 --allow-restricted", what)
		}
		fmt.Fprintf(env.Stderr, "警告：%s；已按 --allow-restricted 发布，请确认目标服务器的访问控制。\n", what)
	}
	tty := isTerminal(env.Stderr)
	var lastDraw time.Time
	started := false
	res, err := publish.Publish(ctx, publish.Options{
		Source: src, Target: target, Keep: o.keep,
		Identity: o.identity, KnownHosts: o.knownHosts,
		Log: env.Stderr,
		Progress: func(p publish.Progress) {
			if !started {
				started = true
				fmt.Fprintf(env.Stderr, "上传 %d 个文件（%s）到 %s\n", p.TotalFiles, publishSize(p.TotalBytes), target)
			}
			if tty && (p.Files == p.TotalFiles || time.Since(lastDraw) > 100*time.Millisecond) {
				lastDraw = time.Now()
				fmt.Fprintf(env.Stderr, "\r已上传 %d/%d 个文件，%s / %s", p.Files, p.TotalFiles, publishSize(p.Bytes), publishSize(p.TotalBytes))
			}
		},
	})
	if tty && started {
		fmt.Fprintln(env.Stderr)
	}
	if err != nil {
		return fmt.Errorf("opsbook publish: %w", err)
	}
	fmt.Fprintf(env.Stderr, "已发布 %s → %s：%d 个文件，%s，用时 %s\n", src, res.Target, res.Files, publishSize(res.Bytes), res.Duration.Round(time.Millisecond))
	fmt.Fprintf(env.Stderr, "  当前版本：%s（%s）\n", res.Release, res.Dir)
	if res.Previous != "" {
		fmt.Fprintf(env.Stderr, "  上一版本：%s（回退方法见 docs/使用指南.md 的“发布站点”）\n", res.Previous)
	}
	fmt.Fprintf(env.Stderr, "  保留 %d 个版本：%s", len(res.Kept), strings.Join(res.Kept, "、"))
	if len(res.Pruned) > 0 {
		fmt.Fprintf(env.Stderr, "；已删除旧版本 %s", strings.Join(res.Pruned, "、"))
	}
	fmt.Fprintln(env.Stderr)
	return nil
}

func publishSize(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d 字节", n)
}

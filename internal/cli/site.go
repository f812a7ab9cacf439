package cli

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/opsbook/opsbook/internal/site"
)

func init() {
	register(command{name: "site", summary: "构建（build）、预览（preview）或发布服务（serve）静态站点", run: runSite})
}

func runSite(ctx context.Context, env *Env, args []string) int {
	var repoDir, out, addr, lang string
	fs := flagSet(env, "site", "site build|preview|serve [--out DIR] [--addr 127.0.0.1:1313]", &repoDir)
	fs.StringVar(&out, "out", "", "输出目录（默认：仓库下的 public/）")
	fs.StringVar(&addr, "addr", "127.0.0.1:1313", "preview/serve 的监听地址")
	fs.StringVar(&lang, "lang", "zh-cn", "界面语言：zh-cn 或 en")
	pos, code, ok := parseOrExit(fs, args)
	if !ok {
		return code
	}
	if len(pos) != 1 || (pos[0] != "build" && pos[0] != "preview" && pos[0] != "serve") {
		fs.Usage()
		return ExitError
	}
	root, err := resolveRoot(env, repoDir)
	if err != nil {
		return fail(env, err)
	}
	if out == "" {
		out = filepath.Join(root, "public")
	}
	build := func() bool {
		res, err := site.Build(ctx, site.Options{Root: root, Out: out, Log: env.Stderr, Language: lang})
		if err != nil {
			fmt.Fprintf(env.Stderr, "opsbook site: 构建失败（原站点保持不变）：%v\n", err)
			return false
		}
		fmt.Fprintf(env.Stderr, "站点已构建：%d 条记录，用时 %s，输出 %s；搜索索引 %d 个文件片 %d KB（gzip %d KB）\n",
			res.Records, res.Duration.Round(1e6), res.Out, res.Search.Shards, res.Search.Bytes/1024, res.Search.GzipBytes/1024)
		return true
	}
	switch pos[0] {
	case "build":
		if !build() {
			return ExitError
		}
		return ExitOK
	case "preview":
		if !build() {
			return ExitError
		}
		go site.Watch(ctx, root, func() { fmt.Fprintln(env.Stderr, "检测到修改，重新构建……"); build() })
	}
	if err := site.Serve(ctx, out, addr, env.Stderr); err != nil {
		return fail(env, fmt.Errorf("opsbook site: %w", err))
	}
	return ExitOK
}

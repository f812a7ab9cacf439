package cli

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/opsbook/opsbook/internal/access"
	"github.com/opsbook/opsbook/internal/config"
	"github.com/opsbook/opsbook/internal/site"
)

func init() {
	register(command{name: "site", summary: "构建（build）、预览（preview）或发布服务（serve）静态站点", run: parsed(parseSite)})
}

type siteOptions struct {
	repo, out, addr, lang, access string
	omit                          bool
	action                        string // build, preview or serve
}

func parseSite(env *Env, args []string) (*siteOptions, error) {
	var o siteOptions
	fs := flagSet(env, "site", "site build|preview|serve [--out DIR] [--addr 127.0.0.1:1313] [--access FILE] [--omit-restricted]", &o.repo)
	fs.StringVar(&o.out, "out", "", "输出目录（默认：仓库下的 public/）")
	fs.StringVar(&o.addr, "addr", "127.0.0.1:1313", "preview/serve 的监听地址")
	fs.StringVar(&o.lang, "lang", "zh-cn", "界面语言：zh-cn 或 en")
	fs.StringVar(&o.access, "access", "", "preview/serve：访问控制文件（登录、按路径授权、受控项目；示例见 access.example.yaml）")
	fs.BoolVar(&o.omit, "omit-restricted", false, "构建时不含受控项目和受控文档（页面、附件、受控索引），适合以纯静态文件发布的站点")
	pos, err := parse(fs, args)
	if err != nil {
		return nil, err
	}
	if len(pos) != 1 || (pos[0] != "build" && pos[0] != "preview" && pos[0] != "serve") {
		return nil, usage(fs, "")
	}
	o.action = pos[0]
	if o.access != "" && o.action == "build" {
		return nil, errors.New("opsbook site: --access 只用于 preview 和 serve（build 只生成文件）")
	}
	return &o, nil
}

func (o *siteOptions) run(ctx context.Context, env *Env) error {
	repoDir, out, addr, lang, accessFile, omit := o.repo, o.out, o.addr, o.lang, o.access, o.omit
	pos := []string{o.action}
	root, err := resolveRoot(env, repoDir)
	if err != nil {
		return err
	}
	if out == "" {
		out = filepath.Join(root, "public")
	}
	var policy *access.Policy
	var loc *time.Location
	if pos[0] != "build" {
		// The access log writes the repository's local time.
		if loc, err = config.LoadLocation(root); err != nil {
			return fmt.Errorf("opsbook site: %w", err)
		}
	}
	if accessFile != "" {
		if !filepath.IsAbs(accessFile) {
			accessFile = filepath.Join(env.Dir, accessFile)
		}
		if policy, err = access.Load(accessFile); err != nil {
			return fmt.Errorf("opsbook site: %w", err)
		}
	}
	build := func() bool {
		res, err := site.Build(ctx, site.Options{Root: root, Out: out, Log: env.Stderr, Language: lang, OmitRestricted: omit})
		if err != nil {
			fmt.Fprintf(env.Stderr, "opsbook site: 构建失败（原站点保持不变）：%v\n", err)
			return false
		}
		fmt.Fprintf(env.Stderr, "站点已构建：%d 条记录，用时 %s，输出 %s；搜索索引 %d 个分片，%d KB\n",
			res.Records, res.Duration.Round(1e6), res.Out, res.Search.Shards, res.Search.Bytes/1024)
		switch {
		case res.Restricted > 0 && omit:
			fmt.Fprintf(env.Stderr, "受控内容：%d 条受控记录未发布（--omit-restricted），只显示占位\n", res.Restricted)
		case res.Restricted > 0:
			fmt.Fprintf(env.Stderr, "受控内容：%d 条受控记录，%d 个项目受控搜索索引；请只用 opsbook site serve --access 提供本站点，直接发布 public/ 会公开受控文件\n",
				res.Restricted, res.RestrictedIndexes)
		}
		return true
	}
	switch pos[0] {
	case "build":
		if !build() {
			return errTold
		}
		return nil
	case "preview":
		if !build() {
			return errTold
		}
		go site.Watch(ctx, root, func() { fmt.Fprintln(env.Stderr, "检测到修改，重新构建……"); build() })
	}
	so := site.ServeOptions{Access: policy, Preview: pos[0] == "preview", Log: env.Stderr, Location: loc}
	if err := site.ServeWith(ctx, out, addr, so); err != nil {
		return fmt.Errorf("opsbook site: %w", err)
	}
	return nil
}

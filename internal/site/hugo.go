package site

import (
	"fmt"
	"io"

	"github.com/gohugoio/hugo/common/loggers"
	"github.com/gohugoio/hugo/config"
	"github.com/gohugoio/hugo/config/allconfig"
	"github.com/gohugoio/hugo/deps"
	"github.com/gohugoio/hugo/hugofs"
	"github.com/gohugoio/hugo/hugolib"
	"github.com/spf13/afero"
)

// hugoBuild runs Hugo in-process on the site in dir on disk (which holds
// hugo.toml, content/, data/, themes/) and writes the output to dir/public.
func hugoBuild(dir string, logw io.Writer) error {
	return hugoBuildFS(afero.NewOsFs(), afero.NewOsFs(), dir, logw)
}

// hugoBuildFS runs Hugo in-process on the staged site that src holds under
// dir (hugo.toml, content/, data/, themes/) and writes the output to
// dir/public in dest (the disk, or a splicer over it). Site builds stage in
// memory, so the pages Hugo reads never touch the disk. Static files are not
// copied by HugoSites.Build; the caller does that.
func hugoBuildFS(src, dest afero.Fs, dir string, logw io.Writer) error {
	logger := loggers.New(loggers.Options{StdOut: logw, StdErr: logw, Level: logLevelWarn()})
	flags := config.New()
	flags.Set("workingDir", dir)
	res, err := allconfig.LoadConfig(allconfig.ConfigSourceDescriptor{Fs: src, Flags: flags, Logger: logger, Environ: []string{}})
	if err != nil {
		return fmt.Errorf("加载站点配置：%w", err)
	}
	base := res.LoadingInfo.BaseConfig
	dirs := config.New()
	dirs.Set("workingDir", base.WorkingDir)
	dirs.Set("publishDir", base.PublishDir)
	fs := hugofs.NewFromSourceAndDestination(src, dest, dirs)
	sites, err := hugolib.NewHugoSites(deps.DepsCfg{Configs: res, Fs: fs, LogLevel: logger.Level(), StdErr: logger.StdErr()})
	if err != nil {
		return fmt.Errorf("初始化 Hugo：%w", err)
	}
	defer sites.Close()
	if err := sites.Build(hugolib.BuildCfg{}); err != nil {
		return fmt.Errorf("Hugo 构建失败：%w", err)
	}
	return nil
}

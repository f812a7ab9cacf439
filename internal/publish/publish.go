package publish

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// DefaultKeep is how many releases stay on the server by default: the
// current one and two to roll back to.
const DefaultKeep = 3

// LockStale is the age after which a lock left by a killed publish is
// broken (with a warning) instead of refusing.
const LockStale = time.Hour

// Options say what to publish where.
type Options struct {
	Source string // the built site (public/); must hold index.html
	Target Target
	Keep   int // releases to keep, at least 1; 0 means DefaultKeep

	Identity   string // SFTP: private key file (unencrypted, or held by the ssh-agent)
	KnownHosts string // SFTP: known_hosts file; "" means ~/.ssh/known_hosts

	// Progress, when set, is called after each uploaded file (from one
	// goroutine at a time).
	Progress func(Progress)
	Log      io.Writer        // warnings (a broken stale lock, failed clean-ups); nil discards
	Now      func() time.Time // release names; nil means time.Now
	Location *time.Location   // zone of release names; nil means Asia/Shanghai
	Workers  int              // concurrent uploads; 0 means 8
}

// Progress is how far an upload is.
type Progress struct {
	Files, TotalFiles int
	Bytes, TotalBytes int64
}

// Result describes a finished publish.
type Result struct {
	Target   string   // the target as given
	Link     string   // the path readers use (absolute)
	Release  string   // the new release's name
	Dir      string   // the new release's directory
	Previous string   // where the link pointed before ("" on the first publish)
	Files    int      // files uploaded
	Bytes    int64    // bytes uploaded
	Kept     []string // releases left on the target, oldest first, the new one last
	Pruned   []string // releases deleted
	Duration time.Duration
}

// Suffixes of the sibling directory holding releases, an upload in
// progress, and the lock.
const (
	releasesSuffix = ".releases"
	partialSuffix  = ".partial"
	lockName       = ".publish.lock"
)

var releaseName = regexp.MustCompile(`^\d{8}-\d{6}(-\d+)?$`)

// Publish uploads o.Source to o.Target as a new release and switches the
// target's link to it atomically; see the package documentation. Errors
// are in Chinese and say what to do; on an error before the switch the
// target is unchanged.
func Publish(ctx context.Context, o Options) (*Result, error) {
	start := time.Now()
	if o.Keep == 0 {
		o.Keep = DefaultKeep
	}
	if o.Keep < 1 {
		return nil, fmt.Errorf("--keep %d：至少保留 1 个版本（默认 %d，建议不少于 2 以便回退）", o.Keep, DefaultKeep)
	}
	if o.Workers <= 0 {
		o.Workers = 8
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Location == nil {
		o.Location = shanghai()
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	site, err := scan(o.Source)
	if err != nil {
		return nil, err
	}

	var t tree
	if o.Target.SFTP {
		st, err := dialSFTP(ctx, o.Target, o)
		if err != nil {
			return nil, err
		}
		t = st
	} else {
		t = localTree{}
	}
	defer t.Close()

	link := o.Target.Path
	if rest, ok := strings.CutPrefix(link, "~/"); ok {
		st := t.(*sftpTree)
		home, err := st.c.RealPath(".")
		if err != nil {
			return nil, fmt.Errorf("%s：无法取得登录目录：%v", o.Target, err)
		}
		link = path.Join(home, rest)
	}
	p := &publisher{o: o, t: t, site: site, link: link, where: o.Target.String()}
	res, err := p.run(ctx)
	if err != nil {
		return nil, err
	}
	res.Duration = time.Since(start)
	return res, nil
}

type publisher struct {
	o     Options
	t     tree
	site  *siteFiles
	link  string // absolute path of the link
	where string // the target, for messages
}

func (p *publisher) run(ctx context.Context) (*Result, error) {
	parent, base := path.Dir(p.link), path.Base(p.link)
	releases := p.link + releasesSuffix
	res := &Result{Target: p.where, Link: p.link}

	// Everything that can be checked before uploading is checked first.
	if fi, err := p.t.Lstat(parent); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("%s：上级目录 %s 不存在或不是目录；请检查路径，或先在服务器上创建它（mkdir -p %s）", p.where, parent, parent)
	}
	prev, err := p.current()
	if err != nil {
		return nil, err
	}
	res.Previous = prev
	if st, ok := p.t.(*sftpTree); ok {
		if _, ok := st.c.HasExtension(posixRename); !ok {
			return nil, fmt.Errorf("%s：SFTP 服务器不支持 %s 扩展，无法原子地切换站点；请使用 OpenSSH 的 sftp-server/internal-sftp，或在服务器上用本机目录模式（opsbook publish 目录）发布", p.where, posixRename)
		}
	}
	if err := p.t.Mkdir(releases, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("%s：创建版本目录 %s 失败：%v；请检查登录用户对 %s 的写权限", p.where, releases, pathErr(err), parent)
	}
	if fi, err := p.t.Lstat(releases); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("%s：%s 应是存放历史版本的目录，但它不是；请把它移走后重试", p.where, releases)
	}
	unlock, err := p.lock(releases)
	if err != nil {
		return nil, err
	}
	defer unlock()

	name, err := p.newRelease(releases)
	if err != nil {
		return nil, err
	}
	partial := path.Join(releases, name+partialSuffix)
	if err := p.upload(ctx, partial); err != nil {
		p.removeAll(partial, true)
		return nil, err
	}
	dir := path.Join(releases, name)
	if err := p.t.Replace(partial, dir); err != nil {
		p.removeAll(partial, true)
		return nil, fmt.Errorf("%s：把 %s 改名为 %s 失败：%v", p.where, partial, dir, err)
	}
	res.Release, res.Dir = name, dir
	res.Files, res.Bytes = len(p.site.files), p.site.bytes

	// The switch: a new link under a temporary name, renamed over the old.
	rel := base + releasesSuffix + "/" + name
	tmp := path.Join(parent, "."+base+".switch-"+randomHex())
	if err := p.t.Symlink(rel, tmp); err != nil {
		return nil, fmt.Errorf("%s：创建符号链接 %s 失败：%v；版本 %s 已上传，站点未切换", p.where, tmp, err, dir)
	}
	if err := p.t.Replace(tmp, p.link); err != nil {
		p.t.Remove(tmp, false)
		return nil, fmt.Errorf("%s：切换 %s 失败：%v；版本 %s 已上传，站点仍是原来的版本", p.where, p.link, err, dir)
	}
	if got, err := p.t.ReadLink(p.link); err != nil || got != rel {
		return nil, fmt.Errorf("%s：切换后 %s 指向 %q 而不是 %q（%v）；请检查是否有其他程序同时修改它", p.where, p.link, got, rel, err)
	}
	res.Kept, res.Pruned = p.prune(releases, name)
	return res, nil
}

// current returns where the link points now ("" when it does not exist),
// and refuses a link that is a real directory or file.
func (p *publisher) current() (string, error) {
	fi, err := p.t.Lstat(p.link)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", nil
	case err != nil:
		return "", fmt.Errorf("%s：读取 %s 失败：%v", p.where, p.link, pathErr(err))
	case fi.Mode()&fs.ModeSymlink != 0:
		return p.t.ReadLink(p.link)
	}
	kind := "文件"
	if fi.IsDir() {
		kind = "目录"
	}
	aside := p.link + ".bak"
	how := fmt.Sprintf("mv %s %s", p.link, aside)
	if p.o.Target.SFTP {
		how = fmt.Sprintf("ssh -p %d %s@%s mv %s %s", p.o.Target.Port, p.o.Target.User, p.o.Target.Host, p.link, aside)
	}
	return "", fmt.Errorf("%s：%s 是一个真实的%s，不是符号链接。opsbook 发布时把新版本放在 %s%s/ 下，再原子地替换符号链接 %s，"+
		"所以它不能是%s。请先把它移开（%s），Web 服务器的配置无需修改，然后重新发布；确认新站点正常后再删除 %s",
		p.where, p.link, kind, p.link, releasesSuffix, p.link, kind, how, aside)
}

// lock takes the releases directory's lock; a lock older than LockStale
// was left by a killed run and is broken with a warning.
func (p *publisher) lock(releases string) (func(), error) {
	lock := path.Join(releases, lockName)
	for attempt := 0; ; attempt++ {
		err := p.t.Mkdir(lock, 0o755)
		if err == nil {
			return func() {
				if err := p.t.Remove(lock, true); err != nil {
					fmt.Fprintf(p.o.Log, "警告：未能删除发布锁 %s：%v；下次发布前请手工删除\n", lock, err)
				}
			}, nil
		}
		fi, serr := p.t.Lstat(lock)
		if !errors.Is(err, fs.ErrExist) || serr != nil {
			return nil, fmt.Errorf("%s：创建发布锁 %s 失败：%v；请检查登录用户对 %s 的写权限", p.where, lock, pathErr(err), releases)
		}
		age := p.o.Now().Sub(fi.ModTime())
		if age < LockStale || attempt > 0 {
			return nil, fmt.Errorf("%s：另一个发布正在进行（发布锁 %s 创建于 %s）；请等它结束后再发布。如确认没有发布在运行（例如上次被强行中止），删除该目录后重试",
				p.where, lock, fi.ModTime().In(p.o.Location).Format("2006-01-02 15:04:05"))
		}
		fmt.Fprintf(p.o.Log, "警告：发布锁 %s 已存在 %s，视为上次中止的发布遗留，已清除\n", lock, age.Round(time.Minute))
		if err := p.t.Remove(lock, true); err != nil {
			return nil, fmt.Errorf("%s：清除过期的发布锁 %s 失败：%v；请手工删除后重试", p.where, lock, err)
		}
	}
}

// newRelease picks the new release's name and creates its partial
// directory. The name is the time to the second; it must sort after every
// release already there (so pruning never removes the newest), hence -2,
// -3… within one second, and the newest name plus a suffix when the clock
// is behind it.
func (p *publisher) newRelease(releases string) (string, error) {
	stamp := p.o.Now().In(p.o.Location).Format("20060102-150405")
	infos, err := p.t.ReadDir(releases)
	if err != nil {
		return "", fmt.Errorf("%s：列出 %s 失败：%v", p.where, releases, pathErr(err))
	}
	newest := ""
	for _, fi := range infos {
		n := strings.TrimSuffix(fi.Name(), partialSuffix)
		if releaseName.MatchString(n) && (newest == "" || compareReleases(n, newest) > 0) {
			newest = n
		}
	}
	name := stamp
	if newest != "" && compareReleases(name, newest) <= 0 {
		base, n := splitRelease(newest)
		name = base + "-" + strconv.Itoa(n+1)
	}
	err = p.t.Mkdir(path.Join(releases, name+partialSuffix), 0o755)
	if err != nil {
		return "", fmt.Errorf("%s：创建版本目录 %s 失败：%v", p.where, path.Join(releases, name+partialSuffix), pathErr(err))
	}
	return name, nil
}

// upload copies the site into dir: directories first, then the files by
// o.Workers goroutines.
func (p *publisher) upload(ctx context.Context, dir string) error {
	for _, d := range p.site.dirs {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("%s：发布被取消：%v", p.where, context.Cause(ctx))
		}
		if err := p.t.Mkdir(path.Join(dir, d), 0o755); err != nil {
			return fmt.Errorf("%s：创建目录 %s 失败：%v", p.where, path.Join(dir, d), pathErr(err))
		}
	}
	var (
		mu       sync.Mutex
		progress = Progress{TotalFiles: len(p.site.files), TotalBytes: p.site.bytes}
		firstErr error
		next     = make(chan siteFile)
		wg       sync.WaitGroup
	)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for range min(p.o.Workers, max(1, len(p.site.files))) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for f := range next {
				var sent int64
				err := p.t.Put(ctx, filepath.Join(p.site.root, filepath.FromSlash(f.rel)), path.Join(dir, f.rel), 0o644, func(n int64) {
					sent += n
				})
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = fmt.Errorf("%s：上传 %s 失败：%v", p.where, f.rel, pathErr(err))
					cancel()
				}
				if err == nil {
					progress.Files++
					progress.Bytes += sent
					if p.o.Progress != nil {
						p.o.Progress(progress)
					}
				}
				mu.Unlock()
			}
		}()
	}
feed:
	for _, f := range p.site.files {
		select {
		case next <- f:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if firstErr == nil && ctx.Err() != nil {
		firstErr = fmt.Errorf("%s：发布被取消：%v；站点未切换", p.where, context.Cause(ctx))
	}
	return firstErr
}

// prune keeps the newest o.Keep complete releases (always the new one)
// and removes older releases and the partial uploads of interrupted runs.
// Failures are warnings: the site is already switched.
func (p *publisher) prune(releases, current string) (kept, pruned []string) {
	infos, err := p.t.ReadDir(releases)
	if err != nil {
		fmt.Fprintf(p.o.Log, "警告：列出 %s 失败，未清理旧版本：%v\n", releases, err)
		return []string{current}, nil
	}
	var names []string
	for _, fi := range infos {
		n := fi.Name()
		switch {
		case !fi.IsDir():
		case releaseName.MatchString(n):
			names = append(names, n)
		case strings.HasSuffix(n, partialSuffix) && releaseName.MatchString(strings.TrimSuffix(n, partialSuffix)):
			// Left by an interrupted run; we hold the lock, so no run is writing it.
			p.removeAll(path.Join(releases, n), false)
		}
	}
	slices.SortFunc(names, compareReleases)
	keep := max(0, len(names)-p.o.Keep)
	for i, n := range names {
		if i >= keep || n == current {
			kept = append(kept, n)
			continue
		}
		if p.removeAll(path.Join(releases, n), false) {
			pruned = append(pruned, n)
		} else {
			kept = append(kept, n)
		}
	}
	return kept, pruned
}

// compareReleases orders release names by time, then by their -N suffix.
func compareReleases(a, b string) int {
	as, an := splitRelease(a)
	bs, bn := splitRelease(b)
	if c := strings.Compare(as, bs); c != 0 {
		return c
	}
	return an - bn
}

func splitRelease(s string) (string, int) {
	if len(s) > 15 && s[15] == '-' {
		n, _ := strconv.Atoi(s[16:])
		return s[:15], n
	}
	return s, 1
}

// removeAll deletes the tree at root, files concurrently, and reports
// whether it succeeded; a failure is logged unless quiet.
func (p *publisher) removeAll(root string, quiet bool) bool {
	var dirs []string
	var files []string
	var walk func(d string) error
	walk = func(d string) error {
		dirs = append(dirs, d)
		infos, err := p.t.ReadDir(d)
		if err != nil {
			return err
		}
		for _, fi := range infos {
			if fi.IsDir() {
				if err := walk(path.Join(d, fi.Name())); err != nil {
					return err
				}
			} else {
				files = append(files, path.Join(d, fi.Name()))
			}
		}
		return nil
	}
	err := walk(root)
	if err == nil {
		err = parallel(p.o.Workers, files, func(f string) error { return p.t.Remove(f, false) })
	}
	for i := len(dirs) - 1; err == nil && i >= 0; i-- {
		err = p.t.Remove(dirs[i], true)
	}
	if err != nil && !quiet {
		fmt.Fprintf(p.o.Log, "警告：删除 %s 失败：%v；可稍后手工删除\n", root, err)
	}
	return err == nil
}

// parallel runs fn on every item with n goroutines and returns the first error.
func parallel(n int, items []string, fn func(string) error) error {
	var (
		mu       sync.Mutex
		firstErr error
		wg       sync.WaitGroup
		next     = make(chan string)
	)
	for range min(n, max(1, len(items))) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for it := range next {
				if err := fn(it); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
				}
			}
		}()
	}
	for _, it := range items {
		next <- it
	}
	close(next)
	wg.Wait()
	return firstErr
}

// siteFiles is the local site to upload.
type siteFiles struct {
	root  string
	dirs  []string // relative, slash-separated, parents first
	files []siteFile
	bytes int64
}

type siteFile struct {
	rel  string
	size int64
}

// checkSite refuses a root that is not a directory holding index.html,
// and returns it with symbolic links resolved (a walk does not descend
// into a root that is a link, such as a published site's).
func checkSite(root string) (string, error) {
	fi, err := os.Stat(root)
	if err != nil || !fi.IsDir() {
		return "", fmt.Errorf("站点目录 %s 不存在或不是目录；请先运行 opsbook site build，或用 --dir 指定构建好的站点目录", root)
	}
	if _, err := os.Stat(filepath.Join(root, "index.html")); err != nil {
		return "", fmt.Errorf("站点目录 %s 中没有 index.html，不像构建好的站点；请先运行 opsbook site build，或用 --dir 指定正确的目录", root)
	}
	resolved, err := filepath.EvalSymlinks(root)
	if err != nil {
		return "", fmt.Errorf("站点目录 %s：%w", root, err)
	}
	return resolved, nil
}

// scan lists the built site; it must be a directory holding index.html.
func scan(root string) (*siteFiles, error) {
	root, err := checkSite(root)
	if err != nil {
		return nil, err
	}
	s := &siteFiles{root: root}
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil || rel == "." {
			return err
		}
		rel = filepath.ToSlash(rel)
		switch {
		case d.IsDir():
			s.dirs = append(s.dirs, rel)
		case d.Type().IsRegular():
			info, err := d.Info()
			if err != nil {
				return err
			}
			s.files = append(s.files, siteFile{rel: rel, size: info.Size()})
			s.bytes += info.Size()
		default:
			return fmt.Errorf("站点目录中的 %s 不是普通文件或目录（符号链接等），不能发布；请重新构建站点", p)
		}
		return nil
	})
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("读取站点目录 %s 失败：%v", pe.Path, pe.Err)
		}
		return nil, err
	}
	return s, nil
}

func randomHex() string {
	b := make([]byte, 6)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func shanghai() *time.Location {
	if loc, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return loc
	}
	return time.Local
}

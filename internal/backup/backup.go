// Package backup writes and checks backups of a whole git repository as git
// bundles, with the real git CLI (go-git cannot read or write bundles).
//
// Create streams `git bundle create - --all` (every branch, tag, note and
// other ref with the history reachable from it; reflogs, local configuration,
// hooks and uncommitted work are not part of a repository's history and are
// not included) into a hidden temporary file in the destination's directory
// while hashing it, syncs it, verifies it like Verify does, writes the
// SHA-256 sidecar (`<bundle>.sha256`, the format `sha256sum -c` reads) and
// only then renames the bundle to its name: a reader, or a crash at any
// moment, sees a complete verified bundle or none. A temporary file left by
// a SIGKILL keeps its hidden name and is reported by the next backup.
//
// Verify checks a bundle: the sidecar checksum (a missing sidecar is a
// warning), the bundle header, `git bundle verify` (no prerequisites: it is a
// full backup), a mirror clone into a temporary directory, `git fsck --full`
// of the clone, and that the clone holds exactly the bundle's refs; with
// Against it compares every ref's object id with a repository, which proves
// identical history.
//
// git runs with no system or global configuration, no inherited GIT_*
// variables and no hooks; a machine without git gets ErrNoGit.
package backup

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"
	"unicode"

	"github.com/opsbook/opsbook/internal/atomicfile"
)

// ChecksumExt is appended to a bundle's path to name its SHA-256 sidecar.
const ChecksumExt = ".sha256"

// tempPattern names the temporary bundle while it is written; hidden, and
// never matching *.bundle, so nothing mistakes it for a finished backup.
const tempPattern = ".opsbook-backup-*.tmp"

// Options say what to back up and where.
type Options struct {
	// Repo is the repository: a work tree (or a directory in it) or a bare repository.
	Repo string
	// Dest is the bundle file to write (replaced if it exists), or an
	// existing directory, where the bundle is named
	// opsbook-<repository>-<YYYYMMDD-HHMM>.bundle after Now.
	Dest string
	// Now names the bundle in a directory; zero means time.Now().
	Now time.Time
}

// Result describes a backup that was written and verified.
type Result struct {
	Path         string // the bundle
	ChecksumPath string // its SHA-256 sidecar
	SHA256       string // hex
	Size         int64  // bytes
	Refs         []Ref  // every ref in the bundle, sorted by name
	Commits      int    // commits in the bundle
	Repo         string // the repository's work tree, or its git directory when bare
	// Uncommitted lists the work tree's uncommitted changes (git status
	// --porcelain lines: "XY path"), which are not in the bundle.
	Uncommitted []string
	Duration    time.Duration
	Report      *Report  // the verification that ran before the bundle got its name
	Warnings    []string // Chinese
}

// VerifyError means the bundle just written did not pass verification; it
// was deleted and nothing was left at the destination.
type VerifyError struct{ Report *Report }

func (e *VerifyError) Error() string {
	return "新生成的备份未通过校验，已删除，目标位置没有留下任何文件：" + strings.Join(e.Report.Problems(), "；")
}

// testHookWritten, when set, runs after the temporary bundle was written and
// synced, before it is verified and renamed (tests: failures and kills there).
var testHookWritten func(tmp string) error

// Create writes a verified bundle of the whole repository; see the package doc.
func Create(ctx context.Context, o Options) (*Result, error) {
	start := time.Now()
	g, err := lookGit()
	if err != nil {
		return nil, err
	}
	rp, err := openRepo(ctx, g, o.Repo, true)
	if err != nil {
		return nil, err
	}
	now := o.Now
	if now.IsZero() {
		now = start
	}
	dest, err := target(o.Dest, rp.name, now)
	if err != nil {
		return nil, err
	}
	dir := filepath.Dir(dest)
	res := &Result{Path: dest, ChecksumPath: dest + ChecksumExt, Repo: rp.dir}
	if left, _ := filepath.Glob(filepath.Join(dir, tempPattern)); len(left) > 0 {
		res.Warnings = append(res.Warnings, fmt.Sprintf("%s 中有 %d 个中断的备份留下的临时文件（%s）；确认没有备份正在运行后可以删除",
			dir, len(left), strings.Join(baseNames(left), "、")))
	}
	if inside(rp.dir, dir) {
		res.Warnings = append(res.Warnings, fmt.Sprintf("备份目标 %s 在仓库 %s 之内：备份与仓库在同一位置、同一磁盘上，且会成为未跟踪的文件；建议放到仓库之外（最好是另一块磁盘或另一台主机）", dir, rp.dir))
	}
	if !rp.bare {
		if res.Uncommitted, err = uncommitted(ctx, g, rp.dir); err != nil {
			return nil, err
		}
	}

	tmp, sum, size, err := writeBundle(ctx, g, rp.dir, dir)
	if err != nil {
		return nil, err
	}
	placed := false
	defer func() {
		if !placed {
			os.Remove(tmp)
		}
	}()
	if testHookWritten != nil {
		if err := testHookWritten(tmp); err != nil {
			return nil, err
		}
	}

	rep := &Report{File: tmp, Size: size, SHA256: sum}
	if err := verifyBundle(ctx, g, tmp, rep); err != nil {
		return nil, err
	}
	if !rep.OK() {
		return nil, &VerifyError{Report: rep}
	}
	// Refs may move while the bundle is written (a runner committing); the
	// bundle is still consistent, the new commits go into the next backup.
	if now, err := listRefs(ctx, g, rp.dir); err == nil {
		if diffs := compareRefs(rep.Refs, now); len(diffs) > 0 {
			res.Warnings = append(res.Warnings, "备份期间仓库的引用有变化（新的提交将在下一次备份中）："+strings.Join(diffs, "；"))
		}
	}

	line := sum + "  " + filepath.Base(dest) + "\n"
	if err := atomicfile.Write(res.ChecksumPath, []byte(line)); err != nil {
		return nil, fmt.Errorf("写入校验文件：%w", err)
	}
	if err := os.Rename(tmp, dest); err != nil {
		os.Remove(res.ChecksumPath)
		return nil, fmt.Errorf("把备份放到 %s：%w", dest, err)
	}
	placed = true
	syncDir(dir)
	rep.File = dest
	rep.ChecksumFile = res.ChecksumPath
	res.Report, res.SHA256, res.Size, res.Refs, res.Commits = rep, sum, size, rep.Refs, rep.Commits
	res.Duration = time.Since(start)
	return res, nil
}

// repository is what Create needs to know about the repository.
type repository struct {
	dir  string // work tree top level, or the git directory when bare
	bare bool
	name string // for the bundle's file name
}

// openRepo finds the repository at dir; for a backup it must be complete
// (not shallow) and hold at least one ref.
func openRepo(ctx context.Context, g *git, dir string, forBackup bool) (*repository, error) {
	if dir == "" {
		dir = "."
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if st, err := os.Stat(abs); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("仓库目录 %s 不存在或不是目录", abs)
	}
	out, err := g.output(ctx, abs, "rev-parse", "--is-bare-repository", "--is-shallow-repository", "--absolute-git-dir")
	if err != nil {
		var ge *GitError
		if errors.As(err, &ge) && strings.Contains(ge.Stderr, "not a git repository") {
			return nil, fmt.Errorf("%s 不是 git 仓库：请在运维仓库内运行，或用 --repo 指定仓库目录", abs)
		}
		return nil, fmt.Errorf("读取仓库 %s：%w", abs, err)
	}
	f := strings.Fields(out)
	if len(f) != 3 {
		return nil, fmt.Errorf("git rev-parse 的输出无法识别：%q", out)
	}
	rp := &repository{bare: f[0] == "true", dir: f[2]}
	if f[1] == "true" && forBackup {
		return nil, fmt.Errorf("%s 是浅克隆（shallow clone），缺少早期历史，无法完整备份：请先运行 git fetch --unshallow，或在完整的仓库上备份", abs)
	}
	if rp.bare {
		rp.name = strings.TrimSuffix(filepath.Base(rp.dir), ".git")
	} else {
		top, err := g.output(ctx, abs, "rev-parse", "--show-toplevel")
		if err != nil {
			return nil, err
		}
		rp.dir = strings.TrimSpace(top)
		rp.name = filepath.Base(rp.dir)
	}
	rp.name = fileNamePart(rp.name)
	if !forBackup {
		return rp, nil
	}
	refs, err := g.output(ctx, rp.dir, "for-each-ref", "--count=1", "--format=%(refname)")
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(refs) == "" {
		return nil, fmt.Errorf("仓库 %s 还没有任何提交，没有可备份的内容", rp.dir)
	}
	return rp, nil
}

// fileNamePart keeps letters, digits, '-', '_' and '.' of a repository name.
func fileNamePart(name string) string {
	s := strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_' || r == '.' {
			return r
		}
		return '-'
	}, name)
	if s = strings.Trim(s, "-."); s == "" {
		return "repo"
	}
	return s
}

// target resolves Dest to the bundle's path.
func target(dest, name string, now time.Time) (string, error) {
	if dest == "" {
		return "", errors.New("需要备份目标：一个目录（自动命名）或一个 .bundle 文件路径")
	}
	abs, err := filepath.Abs(dest)
	if err != nil {
		return "", err
	}
	st, err := os.Stat(abs)
	switch {
	case err == nil && st.IsDir():
		base := filepath.Join(abs, fmt.Sprintf("opsbook-%s-%s", name, now.Format("20060102-1504")))
		for i := 1; ; i++ {
			p := base + ".bundle"
			if i > 1 {
				p = fmt.Sprintf("%s-%d.bundle", base, i)
			}
			if !exists(p) && !exists(p+ChecksumExt) {
				return p, nil
			}
		}
	case err == nil && !st.Mode().IsRegular():
		return "", fmt.Errorf("备份目标 %s 既不是目录也不是普通文件", abs)
	case err == nil:
		return abs, nil // replaced atomically
	case !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR):
		return "", fmt.Errorf("无法访问备份目标 %s：%w", abs, err)
	case strings.HasSuffix(dest, "/") || strings.HasSuffix(dest, string(filepath.Separator)):
		return "", fmt.Errorf("备份目录 %s 不存在：请先创建（mkdir -p %s）", abs, abs)
	}
	parent := filepath.Dir(abs)
	pst, err := os.Stat(parent)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", fmt.Errorf("备份目录 %s 不存在：请先创建（mkdir -p %s）", parent, parent)
	case err != nil:
		return "", fmt.Errorf("无法访问备份目录 %s：%w", parent, err)
	case !pst.IsDir():
		return "", fmt.Errorf("%s 不是目录，不能在其中写入备份", parent)
	}
	return abs, nil
}

// inside reports whether dir is root or below it, symbolic links resolved.
func inside(root, dir string) bool {
	if r, err := filepath.EvalSymlinks(root); err == nil {
		root = r
	}
	if d, err := filepath.EvalSymlinks(dir); err == nil {
		dir = d
	}
	rel, err := filepath.Rel(root, dir)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

func exists(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}

// uncommitted lists the work tree's changes, untracked files included.
func uncommitted(ctx context.Context, g *git, dir string) ([]string, error) {
	out, err := g.output(ctx, dir, "status", "--porcelain=v1", "-z", "--untracked-files=all")
	if err != nil {
		return nil, err
	}
	var lines []string
	fields := strings.Split(out, "\x00")
	for i := 0; i < len(fields); i++ {
		f := fields[i]
		if len(f) < 4 {
			continue
		}
		lines = append(lines, f)
		if f[0] == 'R' || f[0] == 'C' {
			i++ // the rename's source path
		}
	}
	return lines, nil
}

// writeBundle streams the bundle into a temporary file in dir, hashing it
// on the way, and syncs it. On any error the temporary file is removed.
func writeBundle(ctx context.Context, g *git, repoDir, dir string) (tmp, sum string, size int64, err error) {
	f, err := os.CreateTemp(dir, tempPattern)
	if err != nil {
		return "", "", 0, fmt.Errorf("无法在 %s 中写入备份：%w（检查目录权限和剩余空间）", dir, err)
	}
	tmp = f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	h := sha256.New()
	cw := &countingWriter{w: io.MultiWriter(f, h)}
	if err = g.run(ctx, repoDir, cw, "bundle", "create", "--quiet", "-", "--all"); err != nil {
		if cw.err != nil {
			err = cw.err
		}
		return "", "", 0, fmt.Errorf("写入备份 %s：%w", tmp, err)
	}
	if err = f.Sync(); err != nil {
		return "", "", 0, fmt.Errorf("写入备份 %s：%w", tmp, err)
	}
	if err = f.Close(); err != nil {
		return "", "", 0, fmt.Errorf("写入备份 %s：%w", tmp, err)
	}
	return tmp, hex.EncodeToString(h.Sum(nil)), cw.n, nil
}

// countingWriter counts bytes and keeps the first write error (a full disk).
type countingWriter struct {
	w   io.Writer
	n   int64
	err error
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	if err != nil && c.err == nil {
		c.err = err
	}
	return n, err
}

// syncDir makes a rename in dir durable; file systems that cannot sync a
// directory are left alone.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

func baseNames(paths []string) []string {
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = filepath.Base(p)
	}
	slices.Sort(out)
	return out
}

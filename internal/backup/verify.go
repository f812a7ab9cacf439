package backup

import (
	"bufio"
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
	"strconv"
	"strings"
)

// State is the outcome of one check.
type State int

// States of a check.
const (
	Passed State = iota // the check passed
	Warned              // the check could not be done fully; not a problem with the bundle
	Failed              // the bundle has a problem
)

// Check is one step of a verification, named for the user (Chinese).
type Check struct {
	Name   string
	State  State
	Detail string // Chinese: what was found, and for a failure, what it means
}

// Ref is one ref of a bundle.
type Ref struct {
	Name    string // refs/heads/main, refs/tags/v1.0, …
	Object  string // the id it points to (the tag object for an annotated tag)
	Type    string // commit, tag, tree or blob
	Commit  string // the commit it leads to; "" when it leads to none
	Commits int    // commits reachable from it; -1 when not counted
}

// Report is the result of verifying one bundle.
type Report struct {
	File         string
	ChecksumFile string // the sidecar read, "" when there was none
	Size         int64
	SHA256       string
	Version      int    // bundle format: 2 or 3
	Head         string // the id HEAD had in the bundle, "" when it has none
	Refs         []Ref  // sorted by name, HEAD not included
	Commits      int    // commits reachable from all refs
	Against      string // the repository compared with, if any
	Checks       []Check
}

// OK reports whether no check failed.
func (r *Report) OK() bool { return len(r.Problems()) == 0 }

// Problems are the details of the failed checks.
func (r *Report) Problems() []string { return r.details(Failed) }

// Warnings are the details of the checks with a warning.
func (r *Report) Warnings() []string { return r.details(Warned) }

func (r *Report) details(s State) []string {
	var out []string
	for _, c := range r.Checks {
		if c.State == s {
			out = append(out, c.Name+"："+c.Detail)
		}
	}
	return out
}

func (r *Report) add(name string, s State, format string, args ...any) {
	r.Checks = append(r.Checks, Check{Name: name, State: s, Detail: fmt.Sprintf(format, args...)})
}

// Names of the checks.
const (
	CheckChecksum = "SHA-256 校验"
	CheckFormat   = "bundle 格式"
	CheckBundle   = "git bundle verify"
	CheckClone    = "克隆"
	CheckFsck     = "git fsck --full"
	CheckRefs     = "引用"
	CheckAgainst  = "与仓库对比"
)

// VerifyOptions adjust Verify.
type VerifyOptions struct {
	// Against is a repository (work tree or bare) whose refs must equal the bundle's.
	Against string
}

// countRefsLimit caps per-ref commit counting (one git call per ref).
const countRefsLimit = 200

// Verify checks the bundle at file; see the package doc. An error means the
// verification could not run (git missing, file unreadable, no temporary
// directory); problems with the bundle are failed checks in the report.
func Verify(ctx context.Context, file string, o VerifyOptions) (*Report, error) {
	g, err := lookGit()
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(file)
	if err != nil {
		return nil, err
	}
	st, err := os.Stat(abs)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("备份文件 %s 不存在", abs)
	case err != nil:
		return nil, fmt.Errorf("无法读取备份文件 %s：%w", abs, err)
	case !st.Mode().IsRegular():
		return nil, fmt.Errorf("%s 不是普通文件：请给出 .bundle 文件的路径", abs)
	}
	rep := &Report{File: abs}
	if rep.SHA256, rep.Size, err = hashFile(abs); err != nil {
		return nil, fmt.Errorf("无法读取备份文件 %s：%w", abs, err)
	}
	checkSidecar(rep)
	if err := verifyBundle(ctx, g, abs, rep); err != nil {
		return nil, err
	}
	if o.Against != "" {
		if err := against(ctx, g, o.Against, rep); err != nil {
			return nil, err
		}
	}
	return rep, nil
}

func hashFile(path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// checkSidecar compares the file's hash with <file>.sha256.
func checkSidecar(rep *Report) {
	side := rep.File + ChecksumExt
	data, err := os.ReadFile(side)
	if errors.Is(err, fs.ErrNotExist) {
		rep.add(CheckChecksum, Warned, "缺少校验文件 %s，无法确认备份自生成后未被改动；以下仍用 git 完整校验（SHA-256 为 %s）",
			filepath.Base(side), rep.SHA256)
		return
	}
	if err != nil {
		rep.add(CheckChecksum, Warned, "无法读取校验文件 %s：%v；以下仍用 git 完整校验", side, err)
		return
	}
	rep.ChecksumFile = side
	line, _, _ := strings.Cut(string(data), "\n")
	f := strings.Fields(line)
	if len(f) == 0 || len(f[0]) != 64 || !isHex(f[0]) {
		rep.add(CheckChecksum, Failed, "校验文件 %s 第 1 行应为“<64 位十六进制 SHA-256>  <文件名>”（sha256sum 的格式），实际为 %q",
			filepath.Base(side), line)
		return
	}
	if !strings.EqualFold(f[0], rep.SHA256) {
		rep.add(CheckChecksum, Failed, "SHA-256 不符：%s 记录 %s，文件实际为 %s——备份在生成后被改动或已损坏（传输不完整、磁盘错误）",
			filepath.Base(side), strings.ToLower(f[0]), rep.SHA256)
		return
	}
	detail := "与 " + filepath.Base(side) + " 一致"
	if len(f) > 1 && strings.TrimPrefix(f[1], "*") != filepath.Base(rep.File) {
		detail += fmt.Sprintf("（校验文件中记录的文件名是 %s，备份已改名）", strings.TrimPrefix(f[1], "*"))
	}
	rep.add(CheckChecksum, Passed, "%s", detail)
}

func isHex(s string) bool {
	_, err := hex.DecodeString(s)
	return err == nil
}

// verifyBundle runs the git checks on file: header, bundle verify, clone,
// fsck, refs. It fills rep; an error means a check could not run at all.
func verifyBundle(ctx context.Context, g *git, file string, rep *Report) error {
	h, err := readHeader(file)
	if err != nil {
		return fmt.Errorf("无法读取备份文件 %s：%w", file, err)
	}
	if h.problem != "" {
		rep.add(CheckFormat, Failed, "%s", h.problem)
		return nil
	}
	rep.Version = h.version
	if h.prereqs > 0 {
		rep.add(CheckFormat, Failed, "这是增量 bundle，依赖 %d 个不在其中的提交，不是完整备份", h.prereqs)
		return nil
	}
	rep.add(CheckFormat, Passed, "git bundle v%d，%d 个引用", h.version, h.refs)

	tmp, err := os.MkdirTemp("", "opsbook-backup-verify-*")
	if err != nil {
		return fmt.Errorf("无法创建临时目录（检查 $TMPDIR 的空间和权限）：%w", err)
	}
	defer os.RemoveAll(tmp)

	empty := filepath.Join(tmp, "empty.git")
	if err := g.run(ctx, tmp, nil, "init", "--quiet", "--bare", "--template=", empty); err != nil {
		return err
	}
	if err := g.run(ctx, empty, nil, "bundle", "verify", file); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		msg := gitDetail(err)
		if strings.Contains(msg, "prerequisite") {
			rep.add(CheckBundle, Failed, "这是增量 bundle，依赖不在其中的提交，不是完整备份（%s）", msg)
		} else {
			rep.add(CheckBundle, Failed, "未通过：%s——备份文件已损坏", msg)
		}
		return nil
	}
	rep.add(CheckBundle, Passed, "文件头和引用列表完好，不依赖其他提交（完整备份）")

	heads, err := g.output(ctx, tmp, "bundle", "list-heads", file)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		rep.add(CheckBundle, Failed, "无法列出引用：%s——备份文件已损坏", gitDetail(err))
		return nil
	}
	bundleRefs := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(heads), "\n") {
		if oid, name, ok := strings.Cut(l, " "); ok {
			if name == "HEAD" {
				rep.Head = oid
			} else {
				bundleRefs[name] = oid
			}
		}
	}

	clone := filepath.Join(tmp, "clone.git")
	if err := g.run(ctx, tmp, nil, "clone", "--quiet", "--mirror", "--template=", file, clone); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		rep.add(CheckClone, Failed, "无法从备份克隆：%s——备份文件已损坏或不完整（例如被截断）", gitDetail(err))
		return nil
	}
	rep.add(CheckClone, Passed, "已克隆到临时目录")

	if out, err := g.output(ctx, clone, "fsck", "--full", "--no-dangling", "--no-progress"); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		msg := gitDetail(err)
		if o := strings.TrimSpace(out); o != "" {
			msg = firstLines(o, 3) + "；" + msg
		}
		rep.add(CheckFsck, Failed, "发现问题：%s", msg)
	} else {
		rep.add(CheckFsck, Passed, "所有对象完整")
	}

	refs, err := listRefs(ctx, g, clone)
	if err != nil {
		return err
	}
	var diffs []string
	for _, r := range refs {
		if oid, ok := bundleRefs[r.Name]; !ok || oid != r.Object {
			diffs = append(diffs, r.Name)
		}
		delete(bundleRefs, r.Name)
	}
	for name := range bundleRefs {
		diffs = append(diffs, name)
	}
	if out, err := g.output(ctx, clone, "rev-list", "--all", "--count"); err == nil {
		rep.Commits, _ = strconv.Atoi(strings.TrimSpace(out))
	} else if ctx.Err() != nil {
		return ctx.Err()
	}
	for i := range refs {
		refs[i].Commits = -1
		if refs[i].Commit != "" && len(refs) <= countRefsLimit {
			if out, err := g.output(ctx, clone, "rev-list", "--count", refs[i].Commit); err == nil {
				refs[i].Commits, _ = strconv.Atoi(strings.TrimSpace(out))
			}
		}
	}
	rep.Refs = refs
	if len(diffs) > 0 {
		slices.Sort(diffs)
		rep.add(CheckRefs, Failed, "克隆得到的引用与 bundle 中列出的不一致：%s", strings.Join(diffs, "、"))
		return nil
	}
	if len(refs) == 0 {
		rep.add(CheckRefs, Failed, "备份中没有任何分支或标签")
		return nil
	}
	rep.add(CheckRefs, Passed, "%s，%d 个提交", describeRefs(refs), rep.Commits)
	return nil
}

// describeRefs says "N 个引用（分支 a、标签 b、其他 c）".
func describeRefs(refs []Ref) string {
	var heads, tags, other int
	for _, r := range refs {
		switch {
		case strings.HasPrefix(r.Name, "refs/heads/"):
			heads++
		case strings.HasPrefix(r.Name, "refs/tags/"):
			tags++
		default:
			other++
		}
	}
	s := fmt.Sprintf("%d 个引用（分支 %d、标签 %d", len(refs), heads, tags)
	if other > 0 {
		s += fmt.Sprintf("、其他 %d", other)
	}
	return s + "）"
}

// header is what the bundle's header says.
type header struct {
	version int
	refs    int
	prereqs int    // commits the bundle needs but does not hold (an incremental bundle)
	problem string // Chinese; "" when the header is well formed
}

// maxHeader caps the header read (a ref line is ~100 bytes).
const maxHeader = 64 << 20

// readHeader reads and checks the bundle header: the signature line, one
// line per prerequisite ("-<id>"), capability ("@…", v3) or ref ("<id>
// <name>"), a blank line, then the pack's "PACK" signature.
func readHeader(file string) (header, error) {
	var h header
	f, err := os.Open(file)
	if err != nil {
		return h, err
	}
	defer f.Close()
	r := bufio.NewReader(io.LimitReader(f, maxHeader))
	name := filepath.Base(file)
	for n := 1; ; n++ {
		line, err := r.ReadString('\n')
		if errors.Is(err, io.EOF) {
			if n == 1 {
				h.problem = fmt.Sprintf("%s 不是 git bundle 文件（开头应为“# v2 git bundle”或“# v3 git bundle”）", name)
			} else {
				h.problem = fmt.Sprintf("%s 的文件头不完整：在第 %d 行中断——文件被截断", name, n)
			}
			return h, nil
		}
		if err != nil {
			return h, err
		}
		line = strings.TrimSuffix(line, "\n")
		switch {
		case n == 1 && line == "# v2 git bundle":
			h.version = 2
		case n == 1 && line == "# v3 git bundle":
			h.version = 3
		case n == 1:
			h.problem = fmt.Sprintf("%s 不是 git bundle 文件（开头应为“# v2 git bundle”或“# v3 git bundle”）", name)
			return h, nil
		case line == "":
			var magic [4]byte
			if _, err := io.ReadFull(r, magic[:]); err != nil || string(magic[:]) != "PACK" {
				h.problem = fmt.Sprintf("%s 的文件头之后没有 pack 数据——文件被截断或已损坏", name)
			} else if h.refs == 0 {
				h.problem = fmt.Sprintf("%s 中没有任何分支或标签", name)
			}
			return h, nil
		case h.version == 3 && strings.HasPrefix(line, "@"):
		case strings.HasPrefix(line, "-"):
			h.prereqs++
		default:
			oid, ref, ok := strings.Cut(line, " ")
			if !ok || (len(oid) != 40 && len(oid) != 64) || !isHex(oid) || ref == "" {
				h.problem = fmt.Sprintf("%s 的文件头第 %d 行无法识别（应为“<提交编号> <引用名>”）：%q——文件已损坏", name, n, line)
				return h, nil
			}
			if ref != "HEAD" {
				h.refs++
			}
		}
	}
}

// listRefs lists every ref under refs/ of the repository at dir.
func listRefs(ctx context.Context, g *git, dir string) ([]Ref, error) {
	out, err := g.output(ctx, dir, "for-each-ref",
		"--format=%(objectname)%09%(objecttype)%09%(refname)%09%(*objectname)%09%(*objecttype)")
	if err != nil {
		return nil, err
	}
	var refs []Ref
	for _, l := range strings.Split(out, "\n") {
		f := strings.Split(l, "\t")
		if len(f) != 5 {
			continue
		}
		r := Ref{Object: f[0], Type: f[1], Name: f[2]}
		switch {
		case r.Type == "commit":
			r.Commit = r.Object
		case r.Type == "tag" && f[4] == "commit":
			r.Commit = f[3]
		case r.Type == "tag" && f[4] == "tag": // a tag of a tag
			if c, err := g.output(ctx, dir, "rev-parse", "--verify", "--quiet", r.Object+"^{commit}"); err == nil {
				r.Commit = strings.TrimSpace(c)
			}
		}
		refs = append(refs, r)
	}
	slices.SortFunc(refs, func(a, b Ref) int { return strings.Compare(a.Name, b.Name) })
	return refs, nil
}

// compareRefs describes every difference between a bundle's refs and a
// repository's, in Chinese; none means identical history.
func compareRefs(bundle, repo []Ref) []string {
	in := map[string]Ref{}
	for _, r := range repo {
		in[r.Name] = r
	}
	var diffs []string
	for _, b := range bundle {
		r, ok := in[b.Name]
		delete(in, b.Name)
		switch {
		case !ok:
			diffs = append(diffs, fmt.Sprintf("%s 在备份中（%s），仓库中已没有", b.Name, short(b.Object)))
		case r.Object != b.Object:
			diffs = append(diffs, fmt.Sprintf("%s 在备份中是 %s，仓库中是 %s", b.Name, short(b.Object), short(r.Object)))
		}
	}
	var extra []string
	for name, r := range in {
		extra = append(extra, fmt.Sprintf("%s（%s）在仓库中，不在备份中", name, short(r.Object)))
	}
	slices.Sort(extra)
	return append(diffs, extra...)
}

func short(id string) string { return id[:min(len(id), 10)] }

// against compares the bundle's refs with the repository at dir.
func against(ctx context.Context, g *git, dir string, rep *Report) error {
	rp, err := openRepo(ctx, g, dir, false)
	if err != nil {
		return fmt.Errorf("--against：%w", err)
	}
	rep.Against = rp.dir
	if rep.Refs == nil && !rep.OK() {
		rep.add(CheckAgainst, Warned, "备份无法读出引用，未与仓库对比")
		return nil
	}
	refs, err := listRefs(ctx, g, rp.dir)
	if err != nil {
		return err
	}
	if diffs := compareRefs(rep.Refs, refs); len(diffs) > 0 {
		rep.add(CheckAgainst, Failed, "与仓库 %s 有 %d 处不同：%s", rp.dir, len(diffs), strings.Join(diffs, "；"))
		return nil
	}
	rep.add(CheckAgainst, Passed, "%d 个引用与仓库 %s 完全一致（提交编号相同，历史相同）", len(refs), rp.dir)
	return nil
}

// gitDetail is git's own message for a failed command.
func gitDetail(err error) string {
	var ge *GitError
	if errors.As(err, &ge) {
		if m := gitMessage(ge.Stderr); m != "" {
			return m
		}
		return ge.Err.Error()
	}
	return err.Error()
}

func firstLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = append(lines[:n], "…")
	}
	return strings.Join(lines, "；")
}

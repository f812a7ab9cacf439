package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/opsbook/opsbook/internal/backup"
	"github.com/opsbook/opsbook/internal/config"
)

func init() {
	register(command{name: "backup", summary: "把整个仓库备份为校验过的 git bundle；backup verify 校验已有备份", run: runBackup})
}

const backupUsage = "backup DEST [--repo DIR]\n       opsbook backup verify FILE [--against DIR]"

// maxListed caps the uncommitted changes listed by name.
const maxListed = 10

func runBackup(ctx context.Context, env *Env, args []string) error {
	if len(args) > 0 && args[0] == "verify" {
		return parsed(parseBackupVerify)(ctx, env, args[1:])
	}
	return parsed(parseBackup)(ctx, env, args)
}

type backupOptions struct {
	repo, dest string
}

func parseBackup(env *Env, args []string) (*backupOptions, error) {
	var o backupOptions
	fs := flagSet(env, "backup", backupUsage, &o.repo)
	pos, err := parse(fs, args)
	if err != nil {
		return nil, err
	}
	if len(pos) != 1 {
		return nil, errors.New("opsbook backup: 需要且只需要一个备份目标：已有的目录（自动命名为 opsbook-<仓库>-<日期-时间>.bundle）或 .bundle 文件路径；校验已有备份用 opsbook backup verify FILE")
	}
	o.dest = pos[0]
	return &o, nil
}

func (o *backupOptions) run(ctx context.Context, env *Env) error {
	root, err := resolveRoot(env, o.repo)
	if err != nil {
		return fmt.Errorf("opsbook backup: %w", err)
	}
	loc := backupLocation(root)
	res, err := backup.Create(ctx, backup.Options{Repo: root, Dest: envPath(env, o.dest), Now: time.Now().In(loc)})
	var verr *backup.VerifyError
	if errors.As(err, &verr) {
		fmt.Fprintln(env.Stderr, "opsbook backup: 新生成的备份未通过校验，已删除，目标位置没有留下任何文件")
		printChecks(env.Stderr, verr.Report)
		return errFound
	}
	if err != nil {
		return fmt.Errorf("opsbook backup: %w", err)
	}

	w := env.Stdout
	fmt.Fprintf(w, "已备份 %s\n", res.Repo)
	fmt.Fprintf(w, "  备份文件：%s\n", res.Path)
	fmt.Fprintf(w, "  引用：%s\n", refSummary(res.Refs))
	fmt.Fprintf(w, "  提交：%d 个\n", res.Commits)
	fmt.Fprintf(w, "  大小：%s（%d 字节）\n", publishSize(res.Size), res.Size)
	fmt.Fprintf(w, "  SHA-256：%s（校验文件 %s）\n", res.SHA256, filepath.Base(res.ChecksumPath))
	fmt.Fprintf(w, "  完成时间：%s，用时 %.1f 秒\n", time.Now().In(loc).Format("2006-01-02 15:04:05"), res.Duration.Seconds())
	var passed []string
	for _, c := range res.Report.Checks {
		passed = append(passed, c.Name)
	}
	fmt.Fprintf(w, "  校验：%s 均通过\n", strings.Join(passed, "、"))
	fmt.Fprintf(w, "  恢复：git clone %s <新目录>\n", res.Path)

	if n := len(res.Uncommitted); n > 0 {
		fmt.Fprintf(env.Stderr, "警告：工作区有 %d 处未提交的改动，不在本次备份中（提交后再备份才会包含）：\n", n)
		for _, l := range res.Uncommitted[:min(n, maxListed)] {
			fmt.Fprintf(env.Stderr, "  %s\n", l)
		}
		if n > maxListed {
			fmt.Fprintf(env.Stderr, "  …另有 %d 处（git status 查看全部）\n", n-maxListed)
		}
	}
	for _, wn := range res.Warnings {
		fmt.Fprintf(env.Stderr, "警告：%s\n", wn)
	}
	return nil
}

type backupVerifyOptions struct {
	repo, against, file string
}

func parseBackupVerify(env *Env, args []string) (*backupVerifyOptions, error) {
	var o backupVerifyOptions
	fs := flagSet(env, "backup verify", "backup verify FILE [--against DIR]", &o.repo)
	fs.Lookup("repo").Usage = "不用于校验；与仓库对比请用 --against DIR"
	fs.StringVar(&o.against, "against", "", "与此仓库（工作目录或裸仓库）逐个对比引用的提交编号，确认历史完全相同")
	pos, err := parse(fs, args)
	if err != nil {
		return nil, err
	}
	if len(pos) != 1 {
		return nil, errors.New("opsbook backup verify: 需要且只需要一个备份文件（.bundle）")
	}
	if o.repo != "" {
		return nil, errors.New("opsbook backup verify: 校验不读取仓库；与仓库对比请用 --against DIR")
	}
	o.file = pos[0]
	return &o, nil
}

func (o *backupVerifyOptions) run(ctx context.Context, env *Env) error {
	against := o.against
	if against != "" {
		against = envPath(env, against)
	}
	rep, err := backup.Verify(ctx, envPath(env, o.file), backup.VerifyOptions{Against: against})
	if err != nil {
		return fmt.Errorf("opsbook backup verify: %w", err)
	}
	w := env.Stdout
	fmt.Fprintf(w, "校验 %s（%s，SHA-256 %s）\n", rep.File, publishSize(rep.Size), rep.SHA256)
	printChecks(w, rep)
	if len(rep.Refs) > 0 {
		fmt.Fprintln(w, "引用：")
		width := 0
		for _, r := range rep.Refs {
			width = max(width, len(r.Name))
		}
		for _, r := range rep.Refs {
			fmt.Fprintf(w, "  %-*s  %s\n", width, r.Name, refLine(r))
		}
		if rep.Head != "" {
			fmt.Fprintf(w, "  %-*s  %s\n", width, "HEAD", short(rep.Head))
		}
		fmt.Fprintf(w, "共 %d 个提交\n", rep.Commits)
	}
	if problems := rep.Problems(); len(problems) > 0 {
		fmt.Fprintf(w, "结果：备份有 %d 项问题，不能用于恢复\n", len(problems))
		return errFound
	}
	if rep.Against != "" {
		fmt.Fprintf(w, "结果：备份完好，历史与 %s 完全相同（恢复：git clone %s <新目录>）\n", rep.Against, rep.File)
	} else {
		fmt.Fprintf(w, "结果：备份完好（恢复：git clone %s <新目录>）\n", rep.File)
	}
	return nil
}

func printChecks(w io.Writer, rep *backup.Report) {
	for _, c := range rep.Checks {
		mark := "通过"
		switch c.State {
		case backup.Warned:
			mark = "警告"
		case backup.Failed:
			mark = "失败"
		}
		fmt.Fprintf(w, "  [%s] %s：%s\n", mark, c.Name, c.Detail)
	}
}

// refLine describes one ref: what it points to and how many commits it reaches.
func refLine(r backup.Ref) string {
	s := short(r.Object)
	switch {
	case r.Type == "tag" && r.Commit != "":
		s += "  附注标签 → " + short(r.Commit)
	case r.Type != "commit":
		s += "  " + r.Type
	}
	if r.Commits >= 0 {
		s += fmt.Sprintf("  %d 个提交", r.Commits)
	}
	return s
}

// refSummary counts branches, tags and other refs.
func refSummary(refs []backup.Ref) string {
	var heads, tags int
	for _, r := range refs {
		switch {
		case strings.HasPrefix(r.Name, "refs/heads/"):
			heads++
		case strings.HasPrefix(r.Name, "refs/tags/"):
			tags++
		}
	}
	s := fmt.Sprintf("%d 个（分支 %d、标签 %d", len(refs), heads, tags)
	if other := len(refs) - heads - tags; other > 0 {
		s += fmt.Sprintf("、其他 %d", other)
	}
	return s + "）"
}

// envPath makes a command-line path relative to the command's working
// directory, keeping a trailing separator (a directory that must exist).
func envPath(env *Env, p string) string {
	if filepath.IsAbs(p) || env.Dir == "" {
		return p
	}
	j := filepath.Join(env.Dir, p)
	if strings.HasSuffix(p, "/") || strings.HasSuffix(p, string(filepath.Separator)) {
		j += string(filepath.Separator)
	}
	return j
}

// backupLocation is the repository's time zone for the bundle's name: the
// timezone in opsbook.yaml if it reads, else the default. A backup must not
// depend on the repository being valid, so the error is dropped.
func backupLocation(root string) *time.Location {
	loc, _ := config.LoadLocation(root)
	return loc
}

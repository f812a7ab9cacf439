package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/term"

	"github.com/opsbook/opsbook/internal/access"
)

func init() {
	register(command{name: "access", summary: "站点访问控制：生成密码哈希（hash）、检查访问控制文件（check）", run: runAccess})
}

// Password input: tests replace them; production reads the terminal
// without echo, or one line of a pipe.
var (
	accessStdin      io.Reader = os.Stdin
	accessIsTerminal           = stdinIsTerminal
	accessReadSecret           = func() ([]byte, error) { return term.ReadPassword(int(os.Stdin.Fd())) }
)

func runAccess(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintln(env.Stderr, "用法：\n  opsbook access hash            输入密码（不回显，输入两次），输出 bcrypt 哈希，粘贴到访问控制文件 users[].password\n  opsbook access check FILE [--site DIR]  检查访问控制文件；--site 对照已构建站点的受控项目（默认：仓库下的 public/）")
		if len(args) == 0 {
			return errTold
		}
		return nil
	}
	switch args[0] {
	case "hash":
		return parsed(parseAccessHash)(ctx, env, args[1:])
	case "check":
		return parsed(parseAccessCheck)(ctx, env, args[1:])
	}
	return fmt.Errorf("opsbook access: 未知子命令 %q；可用：hash、check", args[0])
}

type accessHashOptions struct {
	repo string // accepted like everywhere, not used
}

func parseAccessHash(env *Env, args []string) (*accessHashOptions, error) {
	var o accessHashOptions
	fs := flagSet(env, "access hash", "access hash", &o.repo)
	pos, err := parse(fs, args)
	if err != nil {
		return nil, err
	}
	if len(pos) > 0 {
		return nil, errors.New("opsbook access hash: 不接受参数：密码不能写在命令行上（会留在 shell 历史和进程列表中），请在提示后输入，或从管道传入")
	}
	return &o, nil
}

// run prints the bcrypt hash of a password typed twice without echo, or
// read as one line from a pipe.
func (o *accessHashOptions) run(ctx context.Context, env *Env) error {
	var pw []byte
	if accessIsTerminal() {
		fmt.Fprint(env.Stderr, "输入密码（不回显）：")
		first, err := accessReadSecret()
		fmt.Fprintln(env.Stderr)
		if err != nil {
			return fmt.Errorf("opsbook access hash: 读取密码：%w", err)
		}
		fmt.Fprint(env.Stderr, "再次输入：")
		second, err := accessReadSecret()
		fmt.Fprintln(env.Stderr)
		if err != nil {
			return fmt.Errorf("opsbook access hash: 读取密码：%w", err)
		}
		if string(first) != string(second) {
			return errors.New("opsbook access hash: 两次输入的密码不一致，请重新运行")
		}
		pw = first
	} else {
		line, err := bufio.NewReader(io.LimitReader(accessStdin, 4096)).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("opsbook access hash: 读取密码：%w", err)
		}
		pw = []byte(strings.TrimRight(line, "\r\n"))
	}
	h, err := access.HashPassword(pw)
	if err != nil {
		return fmt.Errorf("opsbook access hash: %v", err)
	}
	fmt.Fprintln(env.Stdout, h)
	return nil
}

type accessCheckOptions struct {
	repo, site string
	file       string // as given
}

func parseAccessCheck(env *Env, args []string) (*accessCheckOptions, error) {
	var o accessCheckOptions
	fs := flagSet(env, "access check", "access check FILE [--site DIR]", &o.repo)
	fs.StringVar(&o.site, "site", "", "已构建的站点目录（默认：仓库下的 public/，不存在则不对照）")
	pos, err := parse(fs, args)
	if err != nil {
		return nil, err
	}
	if len(pos) != 1 {
		return nil, usage(fs, "")
	}
	o.file = pos[0]
	return &o, nil
}

// run checks an access file without writing anything, and, against a
// built site, that every restricted project is granted to somebody.
func (o *accessCheckOptions) run(ctx context.Context, env *Env) error {
	repoDir, siteDir, pos := o.repo, o.site, []string{o.file}
	file := pos[0]
	if !filepath.IsAbs(file) {
		file = filepath.Join(env.Dir, file)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("opsbook access check: 读取 %s：%w", pos[0], err)
	}
	p, err := access.Parse(pos[0], data)
	if err != nil {
		return found(err.Error())
	}
	if st, err := os.Stat(file); err == nil && st.Mode().Perm()&0o004 != 0 {
		fmt.Fprintf(env.Stderr, "警告：%s 所有用户可读（权限 %v）：其中有密码哈希，建议 chmod 600\n", pos[0], st.Mode().Perm())
	}
	if siteDir == "" {
		if root, err := resolveRoot(env, repoDir); err == nil {
			siteDir = filepath.Join(root, "public")
		}
	} else if !filepath.IsAbs(siteDir) {
		siteDir = filepath.Join(env.Dir, siteDir)
	}
	problems := 0
	if siteDir != "" {
		if data, err := os.ReadFile(filepath.Join(siteDir, filepath.FromSlash(access.ManifestPath))); err == nil {
			m, err := access.ParseManifest(data)
			if err != nil {
				return fmt.Errorf("opsbook access check: %w", err)
			}
			seen := map[string]bool{}
			for _, proj := range m.Prefixes {
				if !seen[proj] && proj != "" && len(p.Projs[proj]) == 0 {
					fmt.Fprintf(env.Stderr, "%s：站点的受控项目 %s 没有在 projects 中授权任何组：其受控内容任何人都无法访问；如需开放，在 projects 下添加 %s: [组名]\n", pos[0], proj, proj)
					problems++
				}
				seen[proj] = true
			}
		}
	}
	fmt.Fprintf(env.Stdout, "访问控制文件有效：%d 个用户，%d 条规则，%d 个匿名路径，%d 个项目授权", len(p.Users), len(p.Rules), len(p.Anon), len(p.Projs))
	if p.TrustedHeader != "" {
		fmt.Fprintf(env.Stdout, "，单点登录头 %s（%d 个可信代理网段）", p.TrustedHeader, len(p.TrustedProxies))
	}
	fmt.Fprintln(env.Stdout)
	if problems > 0 {
		return errFound
	}
	return nil
}

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

func runAccess(ctx context.Context, env *Env, args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintln(env.Stderr, "用法：\n  opsbook access hash            输入密码（不回显，输入两次），输出 bcrypt 哈希，粘贴到访问控制文件 users[].password\n  opsbook access check FILE [--site DIR]  检查访问控制文件；--site 对照已构建站点的受控项目（默认：仓库下的 public/）")
		if len(args) == 0 {
			return ExitError
		}
		return ExitOK
	}
	switch args[0] {
	case "hash":
		return runAccessHash(env, args[1:])
	case "check":
		return runAccessCheck(env, args[1:])
	}
	fmt.Fprintf(env.Stderr, "opsbook access: 未知子命令 %q；可用：hash、check\n", args[0])
	return ExitError
}

// runAccessHash prints the bcrypt hash of a password typed twice without
// echo, or read as one line from a pipe.
func runAccessHash(env *Env, args []string) int {
	var repoDir string
	fs := flagSet(env, "access hash", "access hash", &repoDir)
	pos, code, ok := parseOrExit(fs, args)
	if !ok {
		return code
	}
	if len(pos) > 0 {
		fmt.Fprintln(env.Stderr, "opsbook access hash: 不接受参数：密码不能写在命令行上（会留在 shell 历史和进程列表中），请在提示后输入，或从管道传入")
		return ExitError
	}
	var pw []byte
	if accessIsTerminal() {
		fmt.Fprint(env.Stderr, "输入密码（不回显）：")
		first, err := accessReadSecret()
		fmt.Fprintln(env.Stderr)
		if err != nil {
			return fail(env, fmt.Errorf("opsbook access hash: 读取密码：%w", err))
		}
		fmt.Fprint(env.Stderr, "再次输入：")
		second, err := accessReadSecret()
		fmt.Fprintln(env.Stderr)
		if err != nil {
			return fail(env, fmt.Errorf("opsbook access hash: 读取密码：%w", err))
		}
		if string(first) != string(second) {
			fmt.Fprintln(env.Stderr, "opsbook access hash: 两次输入的密码不一致，请重新运行")
			return ExitError
		}
		pw = first
	} else {
		line, err := bufio.NewReader(io.LimitReader(accessStdin, 4096)).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return fail(env, fmt.Errorf("opsbook access hash: 读取密码：%w", err))
		}
		pw = []byte(strings.TrimRight(line, "\r\n"))
	}
	h, err := access.HashPassword(pw)
	if err != nil {
		fmt.Fprintf(env.Stderr, "opsbook access hash: %v\n", err)
		return ExitError
	}
	fmt.Fprintln(env.Stdout, h)
	return ExitOK
}

// runAccessCheck checks an access file without writing anything, and,
// against a built site, that every restricted project is granted to
// somebody.
func runAccessCheck(env *Env, args []string) int {
	var repoDir, siteDir string
	fs := flagSet(env, "access check", "access check FILE [--site DIR]", &repoDir)
	fs.StringVar(&siteDir, "site", "", "已构建的站点目录（默认：仓库下的 public/，不存在则不对照）")
	pos, code, ok := parseOrExit(fs, args)
	if !ok {
		return code
	}
	if len(pos) != 1 {
		fs.Usage()
		return ExitError
	}
	file := pos[0]
	if !filepath.IsAbs(file) {
		file = filepath.Join(env.Dir, file)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return fail(env, fmt.Errorf("opsbook access check: 读取 %s：%w", pos[0], err))
	}
	p, err := access.Parse(pos[0], data)
	if err != nil {
		fmt.Fprintln(env.Stderr, err)
		return ExitFound
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
				return fail(env, fmt.Errorf("opsbook access check: %w", err))
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
		return ExitFound
	}
	return ExitOK
}

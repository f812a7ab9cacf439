package publish

import (
	"fmt"
	"net"
	"net/url"
	"os/user"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Target is where a site is published.
type Target struct {
	SFTP bool   // false: a directory on this machine
	User string // SFTP login user
	Host string // SFTP host name or address
	Port int    // SFTP port (22 unless given)
	// Path is the link readers use: an absolute path (slash-separated), or
	// for SFTP one starting with "~/", relative to the login directory.
	Path string
}

// Address is host:port for an SFTP target.
func (t Target) Address() string { return net.JoinHostPort(t.Host, strconv.Itoa(t.Port)) }

// String is the target as the user would write it.
func (t Target) String() string {
	if !t.SFTP {
		return filepath.FromSlash(t.Path)
	}
	host := t.Host
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if t.Port != 22 {
		host += ":" + strconv.Itoa(t.Port)
	}
	p := t.Path
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	return "sftp://" + t.User + "@" + host + p
}

// ParseTarget reads "sftp://user@host[:port]/path" (path absolute, or
// "/~/dir" for a directory under the login directory) or a local directory
// path, which is made absolute against the working directory.
//
// A path holding a "." or ".." segment is refused, not cleaned: written
// plainly, percent-encoded (%2e%2e), or produced by an encoded slash (%2f)
// or a backslash, it could name a directory outside the one the reader of
// the command sees (sftp://host/srv/www/%2e%2e/x is /srv/x).
func ParseTarget(s string) (Target, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Target{}, fmt.Errorf("缺少发布目标：写成 sftp://用户@主机[:端口]/路径，或本机目录")
	}
	scheme, _, hasScheme := strings.Cut(s, "://")
	if !hasScheme {
		if i := strings.Index(s, ":"); i > 0 && strings.Contains(s[:i], "@") {
			return Target{}, fmt.Errorf("发布目标 %q 像 scp 的写法；请写成 sftp://%s/%s", s, s[:i], strings.TrimPrefix(s[i+1:], "/"))
		}
		if seg, bad := dotSegment(s); bad {
			return Target{}, dotSegmentError(s, seg)
		}
		return localTarget(s)
	}
	if scheme != "sftp" {
		return Target{}, fmt.Errorf("发布目标 %q：不支持 %s://；请写成 sftp://用户@主机[:端口]/路径，或本机目录", s, scheme)
	}
	u, err := url.Parse(s)
	if err != nil {
		return Target{}, fmt.Errorf("发布目标 %q 不是合法的 URL：%v；应写成 sftp://用户@主机[:端口]/路径", s, err)
	}
	if _, has := u.User.Password(); has {
		return Target{}, fmt.Errorf("发布目标 %q 含有口令：口令不能写在命令行里（会留在 shell 历史和进程列表中）；请用 --identity 私钥文件或 ssh-agent 登录", redactURL(u))
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return Target{}, fmt.Errorf("发布目标 %q 不应带 ? 或 # 部分", s)
	}
	if seg, bad := dotSegment(u.EscapedPath()); bad {
		return Target{}, dotSegmentError(redactURL(u), seg)
	}
	t := Target{SFTP: true, Host: u.Hostname(), Port: 22, User: u.User.Username()}
	if t.Host == "" {
		return Target{}, fmt.Errorf("发布目标 %q 缺少主机名；应写成 sftp://用户@主机[:端口]/路径", s)
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return Target{}, fmt.Errorf("发布目标 %q 的端口 %q 应为 1–65535 的整数", s, p)
		}
		t.Port = n
	}
	if t.User == "" {
		cur, err := user.Current()
		if err != nil {
			return Target{}, fmt.Errorf("发布目标 %q 没有写用户名，且无法得知当前用户：%v；请写成 sftp://用户@主机/路径", s, err)
		}
		t.User = cur.Username
	}
	p := u.Path
	if rest, ok := strings.CutPrefix(p, "/~/"); ok {
		p = "~/" + path.Clean("/" + rest)[1:]
	} else {
		p = path.Clean(p)
	}
	if p == "/" || p == "." || p == "~/" || p == "~" || !strings.HasPrefix(p, "/") && !strings.HasPrefix(p, "~/") {
		return Target{}, fmt.Errorf("发布目标 %q 缺少站点路径；应写成 sftp://%s@%s/srv/www/opsbook 这样的绝对路径（/~/目录 表示登录目录下）", s, t.User, t.Host)
	}
	t.Path = p
	return t, nil
}

// dotSegment reports the first segment of p, as written, that is or holds
// a "." or ".." segment, split at slashes and backslashes, as written or
// percent-decoded any number of times (%252e too: decoding only shortens,
// so this ends).
func dotSegment(p string) (string, bool) {
	for _, raw := range strings.FieldsFunc(p, isSlash) {
		seg := raw
		for {
			if slices.ContainsFunc(strings.FieldsFunc(seg, isSlash), isDots) {
				return raw, true
			}
			dec, err := url.PathUnescape(seg)
			if err != nil || dec == seg {
				break
			}
			seg = dec
		}
	}
	return "", false
}

func isSlash(r rune) bool { return r == '/' || r == '\\' }

func isDots(s string) bool { return s == "." || s == ".." }

func dotSegmentError(target, seg string) error {
	return fmt.Errorf("发布目标 %q 的路径含有 %q，它是或包含 \".\"/\"..\" 路径段（含 %%2e、%%2f 等编码或反斜杠写法）："+
		"opsbook 不会替你化简它，以免发布到所写目录之外；请写出不含 . 和 .. 的完整路径，例如 /srv/www/opsbook", target, seg)
}

func localTarget(s string) (Target, error) {
	abs, err := filepath.Abs(s)
	if err != nil {
		return Target{}, fmt.Errorf("发布目录 %s：%v", s, err)
	}
	if filepath.Dir(abs) == abs {
		return Target{}, fmt.Errorf("不能发布到根目录 %s；请指定站点目录，例如 /var/www/opsbook", abs)
	}
	return Target{Path: filepath.ToSlash(abs)}, nil
}

func redactURL(u *url.URL) string {
	c := *u
	if c.User != nil {
		c.User = url.UserPassword(c.User.Username(), "xxxxx")
	}
	return c.String()
}

package access

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/bmatcuk/doublestar/v4"
	"go.yaml.in/yaml/v3"
	"golang.org/x/crypto/bcrypt"
)

// Policy is a loaded access file.
type Policy struct {
	File string // the access file, for messages

	Users  map[string]*User     // by name
	Groups map[string][]string  // group → members, from the groups section
	Rules  []Rule               // first match decides
	Anon   []string             // patterns open to everyone
	Projs  map[string][]string  // project id → groups allowed to read its restricted content
	member map[string][]string  // user → groups from users[].groups and groups
	fixed  map[string]*userHash // user → password data, for sessions

	TrustedHeader  string // e.g. X-Remote-User; "" = no single sign-on
	GroupsHeader   string // e.g. X-Remote-Groups (comma-separated)
	TrustedProxies []netip.Prefix

	Secret       []byte        // session HMAC key (≥ 32 bytes)
	SessionTTL   time.Duration // default 8h
	CookieSecure bool          // Secure cookies (default true)

	MaxFailures   int           // failures of one user name before lock-out (default 5)
	Lockout       time.Duration // lock-out time (default 15m)
	IPPerMinute   int           // sign-in attempts per client address per minute (default 20)
	IPMaxFailures int           // failures from one address before it is locked out (default 20)
	FailureDelay  time.Duration // every failed sign-in is answered after this (default 1s)

	AccessLog string // file for the access log (relative to the access file); "-" = stderr; "" = none
}

// User is a local account.
type User struct {
	Name   string
	Hash   []byte   // bcrypt; nil for an account that signs in only through the proxy
	Groups []string // as listed under the user
}

type userHash struct{ fingerprint string }

// Rule grants the groups read access to paths matching any pattern.
type Rule struct {
	Paths     []string
	Groups    []string // "*" = any signed-in user
	Anonymous bool
}

// file is the YAML shape of an access file.
type file struct {
	Session struct {
		Secret       string `yaml:"secret"`
		SecretFile   string `yaml:"secret_file"`
		TTL          string `yaml:"ttl"`
		CookieSecure *bool  `yaml:"cookie_secure"`
	} `yaml:"session"`
	Login struct {
		MaxFailures   *int   `yaml:"max_failures"`
		Lockout       string `yaml:"lockout"`
		IPPerMinute   *int   `yaml:"ip_attempts_per_minute"`
		IPMaxFailures *int   `yaml:"ip_max_failures"`
		FailureDelay  string `yaml:"failure_delay"`
	} `yaml:"login"`
	AccessLog string `yaml:"access_log"`
	Users     []struct {
		Name     string   `yaml:"name"`
		Password string   `yaml:"password"`
		Groups   []string `yaml:"groups"`
	} `yaml:"users"`
	Groups         map[string][]string `yaml:"groups"`
	TrustedHeader  string              `yaml:"trusted_header"`
	GroupsHeader   string              `yaml:"groups_header"`
	TrustedProxies []string            `yaml:"trusted_proxies"`
	Anonymous      []string            `yaml:"anonymous"`
	Rules          []struct {
		Paths     []string `yaml:"paths"`
		Groups    []string `yaml:"groups"`
		Anonymous bool     `yaml:"anonymous"`
	} `yaml:"rules"`
	Projects map[string][]string `yaml:"projects"`
}

// Error is an invalid access file: every problem, each at file:line:col.
type Error struct {
	File     string
	Problems []string
}

func (e *Error) Error() string {
	return "访问控制文件无效：\n  " + strings.Join(e.Problems, "\n  ")
}

var (
	nameRE   = regexp.MustCompile(`^[\p{L}\p{N}][\p{L}\p{N}._@-]{0,63}$`)
	headerRE = regexp.MustCompile(`^[A-Za-z0-9-]{1,64}$`)
)

// Load reads and checks an access file. A session secret is taken from the
// file, else from session.secret_file (default: .opsbook-session.key beside
// the access file), which is generated (32 random bytes, mode 0600) when it
// does not exist yet.
func Load(path string) (*Policy, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("读取访问控制文件 %s：%w", path, err)
	}
	return loadBytes(path, data)
}

// loadBytes is Load of the file's contents, already read.
func loadBytes(path string, data []byte) (*Policy, error) {
	p, err := Parse(path, data)
	if err != nil {
		return nil, err
	}
	if p.Secret == nil {
		name := secretFileOf(path, data)
		if p.Secret, err = loadSecret(name); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// secretFileOf is session.secret_file resolved against the access file.
func secretFileOf(path string, data []byte) string {
	var f file
	_ = yaml.Unmarshal(data, &f)
	name := f.Session.SecretFile
	if name == "" {
		name = ".opsbook-session.key"
	}
	if !filepath.IsAbs(name) {
		name = filepath.Join(filepath.Dir(path), name)
	}
	return name
}

// loadSecret reads a session secret file, or creates one.
func loadSecret(name string) ([]byte, error) {
	data, err := os.ReadFile(name)
	if errors.Is(err, fs.ErrNotExist) {
		secret := make([]byte, 32)
		if _, err := rand.Read(secret); err != nil {
			return nil, err
		}
		err := writePrivate(name, []byte(hex.EncodeToString(secret)+"\n"))
		if errors.Is(err, fs.ErrExist) {
			return loadSecret(name) // another server made it meanwhile
		}
		if err != nil {
			return nil, fmt.Errorf("保存会话密钥 %s：%w", name, err)
		}
		return secret, nil
	}
	if err != nil {
		return nil, fmt.Errorf("读取会话密钥 %s：%w", name, err)
	}
	if st, err := os.Stat(name); err == nil && st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("会话密钥 %s 的权限为 %v，其他用户可读：请执行 chmod 600 %s", name, st.Mode().Perm(), name)
	}
	secret, err := hex.DecodeString(strings.TrimSpace(string(data)))
	if err != nil || len(secret) < 32 {
		return nil, fmt.Errorf("会话密钥 %s 不是 64 位以上的十六进制串：删除它，opsbook 会重新生成（已登录的用户需重新登录）", name)
	}
	return secret, nil
}

// writePrivate writes data to name with mode 0600, atomically (temporary
// file beside it, then rename), never replacing an existing file.
func writePrivate(name string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(name), ".opsbook-key-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Link(tmp, name)
}

// Parse checks an access file's content; name is used in messages. The
// session secret stays nil unless the file sets session.secret.
func Parse(name string, data []byte) (*Policy, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, &Error{File: name, Problems: []string{yamlMessage(name, err)}}
	}
	var f file
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) { // io.EOF: an empty file
		return nil, &Error{File: name, Problems: []string{yamlMessage(name, err)}}
	}
	v := &checker{name: name, root: &root}
	p := &Policy{File: name, Users: map[string]*User{}, Groups: map[string][]string{}, Projs: map[string][]string{},
		member: map[string][]string{}, fixed: map[string]*userHash{}}

	// Session.
	if s := f.Session.Secret; s != "" {
		if len(s) < 32 {
			v.add(v.at("session", "secret"), "session.secret 太短（%d 个字符）：至少 32 个字符；或删去它，让 opsbook 生成并保存到 session.secret_file", len(s))
		}
		p.Secret = []byte(s)
	}
	p.SessionTTL = v.duration(f.Session.TTL, 8*time.Hour, "session", "ttl")
	p.CookieSecure = f.Session.CookieSecure == nil || *f.Session.CookieSecure

	// Sign-in limits.
	p.MaxFailures = v.positive(f.Login.MaxFailures, 5, "login", "max_failures")
	p.Lockout = v.duration(f.Login.Lockout, 15*time.Minute, "login", "lockout")
	p.IPPerMinute = v.positive(f.Login.IPPerMinute, 20, "login", "ip_attempts_per_minute")
	p.IPMaxFailures = v.positive(f.Login.IPMaxFailures, 20, "login", "ip_max_failures")
	p.FailureDelay = v.duration(f.Login.FailureDelay, time.Second, "login", "failure_delay")
	if f.Login.FailureDelay == "0" || f.Login.FailureDelay == "0s" {
		p.FailureDelay = 0
	}
	p.AccessLog = f.AccessLog

	// Users.
	for i, u := range f.Users {
		at := v.at("users", i)
		if !nameRE.MatchString(u.Name) {
			v.add(at, "users 第 %d 项：用户名 %q 无效：以字母或数字开头，只含字母、数字和 . _ @ -，不超过 64 个字符", i+1, u.Name)
			continue
		}
		if _, dup := p.Users[u.Name]; dup {
			v.add(at, "用户 %s 重复定义：每个用户只写一次", u.Name)
			continue
		}
		usr := &User{Name: u.Name, Groups: u.Groups}
		if u.Password != "" {
			if _, err := bcrypt.Cost([]byte(u.Password)); err != nil {
				v.add(v.at("users", i, "password"), "用户 %s 的 password 不是 bcrypt 哈希：用 opsbook access hash 生成，再把输出整行粘贴进来（要加引号）", u.Name)
			} else {
				usr.Hash = []byte(u.Password)
				p.fixed[u.Name] = &userHash{fingerprint: passwordFingerprint(usr.Hash)}
			}
		} else if f.TrustedHeader == "" {
			v.add(at, "用户 %s 没有 password：本地登录需要 bcrypt 哈希（opsbook access hash 生成）", u.Name)
		}
		for j, g := range u.Groups {
			if !nameRE.MatchString(g) {
				v.add(v.at("users", i, "groups", j), "用户 %s 的组名 %q 无效", u.Name, g)
			}
		}
		p.Users[u.Name] = usr
		p.member[u.Name] = append(p.member[u.Name], u.Groups...)
	}
	for g, members := range f.Groups {
		if !nameRE.MatchString(g) {
			v.add(v.at("groups", g), "组名 %q 无效：以字母或数字开头，只含字母、数字和 . _ @ -", g)
		}
		p.Groups[g] = members
		for _, m := range members {
			p.member[m] = append(p.member[m], g)
		}
	}

	// Single sign-on.
	p.TrustedHeader, p.GroupsHeader = f.TrustedHeader, f.GroupsHeader
	if p.TrustedHeader != "" && !headerRE.MatchString(p.TrustedHeader) {
		v.add(v.at("trusted_header"), "trusted_header %q 不是有效的 HTTP 头名称", p.TrustedHeader)
	}
	if p.GroupsHeader != "" && (p.TrustedHeader == "" || !headerRE.MatchString(p.GroupsHeader)) {
		v.add(v.at("groups_header"), "groups_header 须是有效的 HTTP 头名称，且要与 trusted_header 一起使用")
	}
	for i, c := range f.TrustedProxies {
		pr, err := parsePrefix(c)
		if err != nil {
			v.add(v.at("trusted_proxies", i), "trusted_proxies 第 %d 项 %q 不是 IP 地址或网段（例如 10.1.2.3 或 10.1.2.0/24）", i+1, c)
			continue
		}
		p.TrustedProxies = append(p.TrustedProxies, pr)
	}
	if p.TrustedHeader != "" && len(p.TrustedProxies) == 0 {
		v.add(v.at("trusted_header"), "设置了 trusted_header 却没有 trusted_proxies：只有来自单点登录代理的请求才能信任该头，请列出代理的地址")
	}
	if p.TrustedHeader == "" && len(p.Users) == 0 {
		v.add(v.at(), "没有任何用户：在 users 下添加用户（密码哈希用 opsbook access hash 生成），或配置 trusted_header 使用单点登录")
	}

	// Paths.
	for i, pat := range f.Anonymous {
		if v.pattern(pat, "anonymous", i) {
			p.Anon = append(p.Anon, pat)
		}
	}
	for i, r := range f.Rules {
		if len(r.Paths) == 0 {
			v.add(v.at("rules", i), "rules 第 %d 条没有 paths：写出它管辖的路径，例如 [\"report/**\"]", i+1)
		}
		if len(r.Groups) == 0 && !r.Anonymous {
			v.add(v.at("rules", i), "rules 第 %d 条既没有 groups 也没有 anonymous: true：写出允许访问的组（\"*\" 表示任何已登录用户）", i+1)
		}
		rule := Rule{Groups: r.Groups, Anonymous: r.Anonymous}
		for j, pat := range r.Paths {
			if v.pattern(pat, "rules", i, "paths", j) {
				rule.Paths = append(rule.Paths, pat)
			}
		}
		p.Rules = append(p.Rules, rule)
	}
	for id, groups := range f.Projects {
		if len(groups) == 0 {
			v.add(v.at("projects", id), "项目 %s 没有授权任何组：写出可访问其受控内容的组；不写该项目则无人可访问", id)
		}
		if slices.Contains(groups, "*") {
			v.add(v.at("projects", id), "项目 %s：受控内容不能授权给 \"*\"（所有已登录用户）；请列出具体的组", id)
		}
		p.Projs[id] = groups
	}
	if len(v.problems) > 0 {
		sort.SliceStable(v.problems, func(i, j int) bool { return lineOf(v.problems[i], name) < lineOf(v.problems[j], name) })
		return nil, &Error{File: name, Problems: v.problems}
	}
	return p, nil
}

// lineOf is the line of a problem "name:line:col：…".
func lineOf(problem, name string) int {
	rest := strings.TrimPrefix(problem, name+":")
	n, _ := strconv.Atoi(rest[:max(0, strings.IndexByte(rest, ':'))])
	return n
}

func parsePrefix(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		return p.Masked(), err
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	return netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()), nil
}

// yamlMessage turns a yaml.v3 error into Chinese at name:line:col.
func yamlMessage(name string, err error) string {
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "yaml: ")
	msg = strings.ReplaceAll(msg, "unmarshal errors:\n  ", "")
	if m := regexp.MustCompile(`line (\d+): field (\S+) not found in type \S+`).FindStringSubmatch(msg); m != nil {
		return fmt.Sprintf("%s:%s:1：未知字段 %s（可用字段见 access.example.yaml 或 docs/使用指南.md 的“统一访问与授权”）", name, m[1], m[2])
	}
	if m := regexp.MustCompile(`line (\d+): (.*)`).FindStringSubmatch(msg); m != nil {
		return fmt.Sprintf("%s:%s:1：YAML 格式错误：%s", name, m[1], m[2])
	}
	return name + "：YAML 格式错误：" + msg
}

// checker collects problems with their positions.
type checker struct {
	name     string
	root     *yaml.Node
	problems []string
}

func (c *checker) add(pos string, format string, args ...any) {
	c.problems = append(c.problems, pos+"："+fmt.Sprintf(format, args...))
}

// at is name:line:col of the node at path (map keys and list indexes), or
// of the nearest ancestor that exists.
func (c *checker) at(path ...any) string {
	n := c.root
	if n != nil && n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	line, col := 1, 1
	if n != nil {
		line, col = n.Line, n.Column
	}
	for _, step := range path {
		if n == nil {
			break
		}
		var next *yaml.Node
		switch s := step.(type) {
		case string:
			if n.Kind == yaml.MappingNode {
				for i := 0; i+1 < len(n.Content); i += 2 {
					if n.Content[i].Value == s {
						next = n.Content[i+1]
						break
					}
				}
			}
		case int:
			if n.Kind == yaml.SequenceNode && s < len(n.Content) {
				next = n.Content[s]
			}
		}
		if next == nil {
			break
		}
		n = next
		line, col = n.Line, n.Column
	}
	return c.name + ":" + strconv.Itoa(line) + ":" + strconv.Itoa(col)
}

func (c *checker) duration(s string, def time.Duration, path ...any) time.Duration {
	if s == "" {
		return def
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		c.add(c.at(path...), "%s 的值 %q 不是时长：写成 30s、15m、8h 这样的形式", strings.Join(pathNames(path), "."), s)
		return def
	}
	return d
}

func (c *checker) positive(n *int, def int, path ...any) int {
	if n == nil {
		return def
	}
	if *n < 1 {
		c.add(c.at(path...), "%s 须为正整数", strings.Join(pathNames(path), "."))
		return def
	}
	return *n
}

func (c *checker) pattern(pat string, path ...any) bool {
	if pat == "" || strings.HasPrefix(pat, "/") || !doublestar.ValidatePattern(pat) {
		c.add(c.at(path...), "路径模式 %q 无效：写站点内的相对路径，例如 report/** 或 index.html（不以 / 开头）", pat)
		return false
	}
	return true
}

func pathNames(path []any) []string {
	var out []string
	for _, p := range path {
		out = append(out, fmt.Sprint(p))
	}
	return out
}

// passwordFingerprint identifies a password hash without keeping it:
// sessions note it, so a new password ends the old sessions.
func passwordFingerprint(hash []byte) string {
	return hex.EncodeToString(hmacSum([]byte("opsbook-password-tag"), hash))
}

// GroupsOf lists the groups of a local user (users[].groups and the groups
// section).
func (p *Policy) GroupsOf(user string) []string {
	return slices.Clone(p.member[user])
}

// HashPassword returns the bcrypt hash of a password for an access file.
func HashPassword(password []byte) (string, error) {
	if len(password) < 8 {
		return "", errors.New("密码太短：至少 8 个字符")
	}
	if len(password) > 72 {
		return "", errors.New("密码太长：bcrypt 只用前 72 个字节，请不超过 72 个字节")
	}
	h, err := bcrypt.GenerateFromPassword(password, 12)
	return string(h), err
}

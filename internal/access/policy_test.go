package access

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

// The example in the repository is a valid access file.
func TestExampleFileParses(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "access.example.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := Parse("access.example.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Users) < 4 || len(p.Projs) < 2 || len(p.Rules) < 3 || len(p.Anon) == 0 {
		t.Errorf("example: %d users, %d projects, %d rules, %d anonymous patterns", len(p.Users), len(p.Projs), len(p.Rules), len(p.Anon))
	}
	if !p.CookieSecure || p.MaxFailures != 5 || p.Lockout.Minutes() != 15 {
		t.Errorf("example: secure %v, max_failures %d, lockout %v", p.CookieSecure, p.MaxFailures, p.Lockout)
	}
	// Its placeholder hashes match no password.
	for _, u := range p.Users {
		if bcrypt.CompareHashAndPassword(u.Hash, []byte("")) == nil || bcrypt.CompareHashAndPassword(u.Hash, []byte("password")) == nil {
			t.Errorf("example user %s has a usable password", u.Name)
		}
	}
	if d := p.Decide(nil, "index.html", nil); !d.Allow {
		t.Errorf("example: the home page is not anonymous: %+v", d)
	}
	if d := p.Decide(&Identity{User: "wangjun", Groups: p.GroupsOf("wangjun")}, "report/RPT-2026-W48/index.html", nil); !d.Allow {
		t.Errorf("example: leader wangjun cannot read reports: %+v", d)
	}
}

// Invalid files are refused with every problem at file:line:col and what
// to do.
func TestPolicyErrors(t *testing.T) {
	good := hashOf(t, "some-password")
	for name, c := range map[string]struct{ yaml, want string }{
		"unknown field":        {"users:\n  - {name: a, password: '" + good + "'}\nrule: []\n", "access.yaml:3:1：未知字段 rule"},
		"not bcrypt":           {"users:\n  - name: a\n    password: secret123\n", "access.yaml:3:15：用户 a 的 password 不是 bcrypt 哈希：用 opsbook access hash 生成"},
		"duplicate user":       {"users:\n  - {name: a, password: '" + good + "'}\n  - {name: a, password: '" + good + "'}\n", "access.yaml:3:5：用户 a 重复定义"},
		"bad user name":        {"users:\n  - {name: '../x', password: '" + good + "'}\n", "用户名 \"../x\" 无效"},
		"bad CIDR":             {"trusted_header: X-Remote-User\ntrusted_proxies: [10.0.0.0/33]\n", "access.yaml:2:19：trusted_proxies 第 1 项 \"10.0.0.0/33\" 不是 IP 地址或网段"},
		"header, no proxies":   {"trusted_header: X-Remote-User\n", "access.yaml:1:17：设置了 trusted_header 却没有 trusted_proxies"},
		"no users":             {"anonymous: [index.html]\n", "没有任何用户"},
		"bad pattern":          {"users:\n  - {name: a, password: '" + good + "'}\nrules:\n  - {paths: ['report/[x'], groups: [g]}\n", "access.yaml:4:14：路径模式 \"report/[x\" 无效"},
		"absolute pattern":     {"users:\n  - {name: a, password: '" + good + "'}\nanonymous: [/index.html]\n", "access.yaml:3:13：路径模式 \"/index.html\" 无效"},
		"rule without groups":  {"users:\n  - {name: a, password: '" + good + "'}\nrules:\n  - paths: ['**']\n", "rules 第 1 条既没有 groups 也没有 anonymous: true"},
		"project to everybody": {"users:\n  - {name: a, password: '" + good + "'}\nprojects:\n  prj-a: ['*']\n", "项目 prj-a：受控内容不能授权给 \"*\""},
		"bad duration":         {"users:\n  - {name: a, password: '" + good + "'}\nlogin:\n  lockout: 15 minutes\n", "access.yaml:4:12：login.lockout 的值 \"15 minutes\" 不是时长"},
		"short secret":         {"users:\n  - {name: a, password: '" + good + "'}\nsession:\n  secret: short\n", "session.secret 太短"},
		"yaml syntax":          {"users: [\n", "YAML 格式错误"},
	} {
		_, err := Parse("access.yaml", []byte(c.yaml))
		var pe *Error
		if !errors.As(err, &pe) {
			t.Errorf("%s: error %v, want *Error", name, err)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v\nwant it to contain %q", name, err, c.want)
		}
	}
}

// Without a secret in the file, one is generated once, kept with mode
// 0600, and used again; a readable one is refused.
func TestSessionSecretFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "access.yaml")
	if err := os.WriteFile(file, []byte("users:\n  - {name: a, password: '"+hashOf(t, "some-password")+"'}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	p1, err := Load(file)
	if err != nil {
		t.Fatal(err)
	}
	key := filepath.Join(dir, ".opsbook-session.key")
	st, err := os.Stat(key)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("secret file: %v, mode %v; want 0600", err, st.Mode().Perm())
	}
	p2, err := Load(file)
	if err != nil {
		t.Fatal(err)
	}
	if len(p1.Secret) != 32 || string(p1.Secret) != string(p2.Secret) {
		t.Errorf("secret not kept: %d bytes, same %v", len(p1.Secret), string(p1.Secret) == string(p2.Secret))
	}
	os.Chmod(key, 0o644)
	if _, err := Load(file); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("a world-readable secret file: %v, want a refusal saying chmod 600", err)
	}
}

func TestHashPassword(t *testing.T) {
	h, err := HashPassword([]byte("correct horse"))
	if err != nil {
		t.Fatal(err)
	}
	if c, _ := bcrypt.Cost([]byte(h)); c != 12 || bcrypt.CompareHashAndPassword([]byte(h), []byte("correct horse")) != nil {
		t.Errorf("hash %q: cost %d", h, c)
	}
	if _, err := HashPassword([]byte("short")); err == nil {
		t.Error("a 5-character password was hashed")
	}
}

func TestSafeNext(t *testing.T) {
	for n, want := range map[string]string{
		"document/DOC-2026-001/": "document/DOC-2026-001/", "": "", "search/": "search/",
		"//evil": "", "/x": "", "https://e/": "", "a/../../b": "", "a\\b": "", ".git/config": "", "_access/login": "",
		"javascript:alert(1)": "", "a?b": "", "a//b": "",
	} {
		if got := safeNext(n); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", n, got, want)
		}
	}
}

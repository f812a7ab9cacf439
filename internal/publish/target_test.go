package publish

import (
	"os/user"
	"strings"
	"testing"
)

func TestParseTarget(t *testing.T) {
	cur, _ := user.Current()
	for in, want := range map[string]Target{
		"sftp://deploy@10.32.1.20/srv/www/opsbook":       {SFTP: true, User: "deploy", Host: "10.32.1.20", Port: 22, Path: "/srv/www/opsbook"},
		"sftp://deploy@web.example.gov:2222/srv/www/ob/": {SFTP: true, User: "deploy", Host: "web.example.gov", Port: 2222, Path: "/srv/www/ob"},
		"sftp://deploy@[fe80::1]:2200/~/public_html":     {SFTP: true, User: "deploy", Host: "fe80::1", Port: 2200, Path: "~/public_html"},
		"sftp://10.32.1.20/srv/www":                      {SFTP: true, User: cur.Username, Host: "10.32.1.20", Port: 22, Path: "/srv/www"},
		"/var/www/opsbook/":                              {Path: "/var/www/opsbook"},
	} {
		got, err := ParseTarget(in)
		if err != nil || got != want {
			t.Errorf("ParseTarget(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for in, msg := range map[string]string{
		"sftp://deploy:pw@host/srv/www": "口令",
		"sftp://deploy@host":            "缺少站点路径",
		"sftp://deploy@host/":           "缺少站点路径",
		"sftp://deploy@host/~/":         "缺少站点路径",
		"sftp://deploy@host:0/srv":      "端口",
		"sftp://deploy@:22/srv":         "主机名",
		"ftp://host/srv":                "不支持",
		"deploy@host:/srv/www":          "sftp://deploy@host/srv/www",
		"/":                             "根目录",
		"":                              "缺少发布目标",
	} {
		if _, err := ParseTarget(in); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("ParseTarget(%q) error %v, want it to mention %q", in, err, msg)
		}
	}
	if strings.Contains(func() string { _, err := ParseTarget("sftp://deploy:hunter2@host/srv"); return err.Error() }(), "hunter2") {
		t.Errorf("password echoed in the error")
	}
	tg, _ := ParseTarget("sftp://deploy@web:2222/srv/www")
	if tg.String() != "sftp://deploy@web:2222/srv/www" {
		t.Errorf("String() = %s", tg)
	}
}

// Dot segments are refused, never cleaned: cleaning sftp://host/srv/www/%2e%2e/x
// published to /srv/x, outside the directory the command names.
func TestParseTargetRefusesDotSegments(t *testing.T) {
	for _, in := range []string{
		"sftp://deploy@host/srv/www/../x",
		"sftp://deploy@host/srv/www/./x",
		"sftp://deploy@host/srv/www/..",
		"sftp://deploy@host/srv/www/.",
		"sftp://deploy@host/srv/www/../",
		"sftp://deploy@host/../etc",
		"sftp://deploy@host/srv/www/%2e%2e/x",
		"sftp://deploy@host/srv/www/%2E%2E/x",
		"sftp://deploy@host/srv/www/%2e%2E/x",
		"sftp://deploy@host/srv/www/.%2e/x",
		"sftp://deploy@host/srv/www/%2e./x",
		"sftp://deploy@host/srv/www/%2e/x",
		"sftp://deploy@host/srv/www/%2e%2e",
		"sftp://deploy@host/srv/www/%2e%2e%2fx",
		"sftp://deploy@host/srv/www/..%2fx",
		"sftp://deploy@host/srv/www/..%2Fx",
		"sftp://deploy@host/srv/www/x%2f..",
		"sftp://deploy@host/srv/www/x%2f%2e%2e%2fy",
		"sftp://deploy@host/srv/www/..%5cx",
		"sftp://deploy@host/srv/www/..%5Cx",
		"sftp://deploy@host/srv/www/x%5c..",
		`sftp://deploy@host/srv/www/..\x`,
		"sftp://deploy@host/srv/www/%252e%252e/x",
		"sftp://deploy@host/srv/www/%25252e%25252e/x",
		"sftp://deploy@host:2222/~/../x",
		"sftp://deploy@host/~/%2e%2e/x",
		"sftp://deploy@host/~/./www",
		"sftp://deploy@[::1]:2222/srv/%2e%2e",
		"sftp://host/srv//www/../x",
		"/var/www/../x",
		"/var/www/./x",
		"/var/www/..",
		"/var/www/.",
		"/var/www/%2e%2e/x",
		"/var/www/%2E%2E/x",
		"/var/www/..%2fx",
		`/var/www/..\x`,
		`/var/www\..\x`,
		"www/../x",
		"./www",
		"..",
		".",
		"../www",
	} {
		got, err := ParseTarget(in)
		if err == nil {
			t.Errorf("ParseTarget(%q) = %+v, want a refusal", in, got)
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, `"."/".."`) || !strings.Contains(msg, "不含 . 和 .. 的完整路径") {
			t.Errorf("ParseTarget(%q) error %q, want it to name the dot segment and the fix", in, msg)
		}
	}
	// Names that merely contain dots, and percent signs that decode to
	// nothing dangerous, are ordinary names.
	for in, want := range map[string]string{
		"sftp://deploy@host/srv/www/.well-known": "/srv/www/.well-known",
		"sftp://deploy@host/srv/www/...":         "/srv/www/...",
		"sftp://deploy@host/srv/www/..x":         "/srv/www/..x",
		"sftp://deploy@host/srv/www/x..":         "/srv/www/x..",
		"sftp://deploy@host/srv/www/%2e%2e%2e":   "/srv/www/...",
		"sftp://deploy@host/srv/www/ops%20book":  "/srv/www/ops book",
		"sftp://deploy@host/srv/www/opsbook.v2/": "/srv/www/opsbook.v2",
		"sftp://deploy@host/~/www.site":          "~/www.site",
		"/var/www/.opsbook":                      "/var/www/.opsbook",
		"/var/www/opsbook..old":                  "/var/www/opsbook..old",
		"/var/www//opsbook/":                     "/var/www/opsbook",
		"/var/www/100%":                          "/var/www/100%",
	} {
		got, err := ParseTarget(in)
		if err != nil || got.Path != want {
			t.Errorf("ParseTarget(%q) = %q, %v; want %q", in, got.Path, err, want)
		}
	}
	// A password never reaches the refusal.
	if _, err := ParseTarget("sftp://deploy:hunter2@host/srv/%2e%2e/x"); err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("refusal of a URL with a password: %v", err)
	}
}

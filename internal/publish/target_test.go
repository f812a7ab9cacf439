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

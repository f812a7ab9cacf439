package alert

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestTypesRegistered(t *testing.T) {
	if got, want := Types(), []string{"dingtalk", "feishu", "smtp", "webhook", "wecom"}; !slices.Equal(got, want) {
		t.Errorf("Types() = %v, want %v", got, want)
	}
}

func TestNewValidates(t *testing.T) {
	const canary = "CANARY-VALUE-9"
	cases := []struct {
		name  string
		cfg   map[string]any
		field string
		want  string
	}{
		{"no type", map[string]any{"webhook": "https://x"}, "type", "必填"},
		{"unknown type", map[string]any{"type": "slack"}, "type", "未知的告警类型"},
		{"wecom no webhook", map[string]any{"type": "wecom"}, "webhook", "必填"},
		{"wecom bad scheme", map[string]any{"type": "wecom", "webhook": "ftp://h/?key=" + canary}, "webhook", "http(s)"},
		{"wecom not a URL", map[string]any{"type": "wecom", "webhook": canary}, "webhook", "http(s)"},
		{"unexpanded", map[string]any{"type": "dingtalk", "webhook": "${DINGTALK_WEBHOOK}"}, "webhook", "未展开"},
		{"typo", map[string]any{"type": "feishu", "webhook": "https://h/" + canary, "secrte": canary}, "secrte", "未知字段"},
		{"secret not text", map[string]any{"type": "feishu", "webhook": "https://h/x", "secret": []any{canary}}, "secret", "应为文本"},
		{"webhook no url", map[string]any{"type": "webhook"}, "url", "必填"},
		{"header name", map[string]any{"type": "webhook", "url": "https://h", "headers": map[string]any{"Bad Header": canary}}, "headers.Bad Header", "HTTP 头"},
		{"header newline", map[string]any{"type": "webhook", "url": "https://h", "headers": map[string]any{"X-A": canary + "\r\nX-B: 1"}}, "headers.X-A", "换行"},
		{"headers not a map", map[string]any{"type": "webhook", "url": "https://h", "headers": "X-A: 1"}, "headers", "键值映射"},
		{"smtp no address", map[string]any{"type": "smtp", "from": "a@b.cn", "to": "c@d.cn"}, "address", "必填"},
		{"smtp no port", map[string]any{"type": "smtp", "address": "mail.example.gov.cn", "from": "a@b.cn", "to": "c@d.cn"}, "address", "主机:端口"},
		{"smtp no to", map[string]any{"type": "smtp", "address": "h:25", "from": "a@b.cn"}, "to", "至少一项"},
		{"smtp empty to", map[string]any{"type": "smtp", "address": "h:25", "from": "a@b.cn", "to": []any{}}, "to", "至少一项"},
		{"smtp bad to", map[string]any{"type": "smtp", "address": "h:25", "from": "a@b.cn", "to": []any{"c@d.cn", "not an address"}}, "to[1]", "邮件地址"},
		{"smtp bad from", map[string]any{"type": "smtp", "address": "h:25", "from": "x\r\nBcc: e@f.cn", "to": "c@d.cn"}, "from", "邮件地址"},
		{"smtp password alone", map[string]any{"type": "smtp", "address": "h:25", "from": "a@b.cn", "to": "c@d.cn", "password": canary}, "username", "password"},
		{"smtp tls and starttls", map[string]any{"type": "smtp", "address": "h:465", "from": "a@b.cn", "to": "c@d.cn", "tls": true, "starttls": true}, "starttls", "不能同时"},
		{"smtp starttls not bool", map[string]any{"type": "smtp", "address": "h:25", "from": "a@b.cn", "to": "c@d.cn", "starttls": "yes"}, "starttls", "true 或 false"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := New(c.cfg)
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v, want a ConfigError", err)
			}
			if ce.Field != c.field || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "字段 "+c.field) {
				t.Errorf("err = %q (field %q), want field %q and %q", err, ce.Field, c.field, c.want)
			}
			if ce.Ref != (c.name == "unexpanded") {
				t.Errorf("Ref = %v", ce.Ref)
			}
			if strings.Contains(err.Error(), canary) {
				t.Errorf("error repeats a value: %q", err)
			}
		})
	}
}

func TestNewAccepts(t *testing.T) {
	for _, cfg := range []map[string]any{
		{"type": "wecom", "webhook": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k", "name": "值班群"},
		{"type": "dingtalk", "webhook": "https://oapi.dingtalk.com/robot/send?access_token=t", "secret": "SEC1"},
		{"type": "feishu", "webhook": "https://open.feishu.cn/open-apis/bot/v2/hook/x"},
		{"type": "webhook", "url": "http://10.1.2.3:8080/hook", "headers": map[string]any{"Authorization": "Bearer t"}},
		{"type": "smtp", "address": "mail.example.gov.cn:25", "from": "a@b.cn", "to": []any{"c@d.cn"}, "username": "u", "password": "p", "starttls": true},
		{"type": "smtp", "address": "mail.example.gov.cn:465", "from": "a@b.cn", "to": "c@d.cn", "tls": true},
	} {
		if _, err := New(cfg); err != nil {
			t.Errorf("New(%v): %v", cfg["type"], err)
		}
	}
}

func TestNewAll(t *testing.T) {
	ns, err := NewAll([]map[string]any{
		{"type": "wecom", "webhook": "https://a/x"},
		{"type": "wecom", "webhook": "https://b/x"},
		{"type": "wecom", "webhook": "https://c/x", "name": "领导群"},
		{"type": "smtp"},
	})
	var names []string
	for _, n := range ns {
		names = append(names, n.Name())
	}
	if !slices.Equal(names, []string{"wecom", "wecom-2", "领导群"}) {
		t.Errorf("names = %v", names)
	}
	if err == nil || !strings.Contains(err.Error(), "alerts[3]：告警配置（smtp）字段 address：必填") {
		t.Errorf("err = %v", err)
	}
}

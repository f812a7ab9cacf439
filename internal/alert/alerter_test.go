package alert

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/opsbook/opsbook/internal/secret"
)

func envOf(m map[string]string) secret.Source {
	return secret.Source{Env: func(k string) (string, bool) { v, ok := m[k]; return v, ok }}
}

func TestAlerterExpandsAndFills(t *testing.T) {
	rc := newReceiver(t, ok)
	a, err := NewAlerter([]map[string]any{{"type": "wecom", "webhook": "${WECOM_WEBHOOK}"}}, AlerterOptions{
		Platform: "南通市政务数据共享交换平台", Location: time.UTC,
		Secrets: envOf(map[string]string{"WECOM_WEBHOOK": rc.URL + "/send?key=EXPANDED-KEY-1"}),
	})
	if err != nil {
		t.Fatal(err)
	}
	e := sampleEvent()
	e.Platform = ""
	if err := a.Alert(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	r := rc.next(t)
	if r.URL.Query().Get("key") != "EXPANDED-KEY-1" {
		t.Errorf("the ${WECOM_WEBHOOK} reference was not expanded: %v", r.URL)
	}
	content := string(r.Body)
	for _, want := range []string{"平台：南通市政务数据共享交换平台", "发现时间：2026-11-27 00:30:05（UTC）"} {
		if !strings.Contains(content, want) {
			t.Errorf("message lacks %q:\n%s", want, content)
		}
	}
}

func TestAlerterMissingSecret(t *testing.T) {
	_, err := NewAlerter([]map[string]any{
		{"type": "wecom", "webhook": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"},
		{"type": "dingtalk", "webhook": "${DINGTALK_WEBHOOK}"},
	}, AlerterOptions{Secrets: envOf(nil)})
	if err == nil || !strings.Contains(err.Error(), "alerts[1]") || !strings.Contains(err.Error(), "DINGTALK_WEBHOOK") {
		t.Errorf("err = %v, want alerts[1] naming DINGTALK_WEBHOOK", err)
	}
}

func TestAlerterRedactsErrors(t *testing.T) {
	rc := newReceiver(t, echo(500))
	a, err := NewAlerter([]map[string]any{{"type": "webhook", "url": rc.URL + "/hook", "headers": map[string]any{"X-Token": "${HOOK_TOKEN}"}}},
		AlerterOptions{Secrets: envOf(map[string]string{"HOOK_TOKEN": "tokvalue"}), Dispatch: Options{RetryDelay: time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	ds, err := a.Send(context.Background(), sampleEvent())
	if err == nil || strings.Contains(err.Error(), "tokvalue") || strings.Contains(ds[0].Err.Error(), "tokvalue") {
		t.Errorf("err = %v", err)
	}
	var ae *Error
	if !errors.As(err, &ae) || ae.Status != 500 {
		t.Errorf("the error chain was lost: %#v", ae)
	}
}

func TestSecurityEvent(t *testing.T) {
	e := sampleEvent()
	e.Security = true
	if !strings.HasPrefix(e.Title(), "【安全告警】") {
		t.Errorf("title = %q", e.Title())
	}
	if text := renderText(newMessage(e)); !strings.Contains(text, "性质：疑似安全事件") {
		t.Errorf("text:\n%s", text)
	}
	if p := NewPayload(e); !p.Security {
		t.Error("payload security = false")
	}
}

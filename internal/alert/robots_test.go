package alert

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

const wantWeCom = `**【运维告警】共享交换平台日常巡检：门户首页（portal-web）检查失败**

> 平台：南通市政务数据共享交换平台
> 级别：重要
> 发现时间：2026-11-27 08:30:05（北京时间）
> 运行手册：共享交换平台日常巡检（platform-daily）
> 检查项：门户首页（portal）
> 资产：portal-web

未通过的条件：
- ［STATUS］ == 200，实际值：500
- ［RESPONSE_TIME］ ＜ 2s，实际值：3.2s

异常编号：ANO-2026-031
详情：[查看异常记录](https://ops.example.gov.cn/anomaly/2026/ANO-2026-031/)

请及时处理，并在异常记录中填写原因和处理过程。

—— opsbook 运维台账自动发送`

func TestWeComMessage(t *testing.T) {
	rc := newReceiver(t, ok)
	n := mustNew(t, map[string]any{"type": "wecom", "webhook": rc.URL + "/cgi-bin/webhook/send?key=K-123"})
	if err := n.Notify(context.Background(), sampleEvent()); err != nil {
		t.Fatal(err)
	}
	r := rc.next(t)
	if got := r.URL.Query().Get("key"); got != "K-123" {
		t.Errorf("key = %q, want the webhook's own", got)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type = %q", ct)
	}
	body := decodeObject(t, r.Body)
	if k := keys(body); !slices.Equal(k, []string{"markdown", "msgtype"}) || body["msgtype"] != "markdown" {
		t.Fatalf("body = %s", r.Body)
	}
	if k := keys(body["markdown"]); !slices.Equal(k, []string{"content"}) {
		t.Fatalf("markdown keys = %v", k)
	}
	if got := body["markdown"].(map[string]any)["content"]; got != wantWeCom {
		t.Errorf("content:\n%s\nwant:\n%s", got, wantWeCom)
	}
}

func TestDingTalkSigned(t *testing.T) {
	const secret = "SEC0123456789abcdef"
	rc := newReceiver(t, ok)
	n := mustNew(t, map[string]any{"type": "dingtalk", "webhook": rc.URL + "/robot/send?access_token=TOKEN42", "secret": secret})
	before := time.Now().UnixMilli()
	if err := n.Notify(context.Background(), sampleEvent()); err != nil {
		t.Fatal(err)
	}
	after := time.Now().UnixMilli()
	r := rc.next(t)
	q := r.URL.Query()
	if q.Get("access_token") != "TOKEN42" {
		t.Errorf("access_token lost: %v", r.URL.RawQuery)
	}
	ts, err := strconv.ParseInt(q.Get("timestamp"), 10, 64)
	if err != nil || ts < before || ts > after {
		t.Fatalf("timestamp %q not milliseconds between %d and %d", q.Get("timestamp"), before, after)
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(q.Get("timestamp") + "\n" + secret))
	if want := base64.StdEncoding.EncodeToString(mac.Sum(nil)); q.Get("sign") != want {
		t.Errorf("sign = %q, want %q", q.Get("sign"), want)
	}
	// The sign is URL-encoded in the query: + and / and = must be escaped.
	if raw := r.URL.RawQuery; strings.Contains(raw, "sign=") && strings.ContainsAny(raw[strings.Index(raw, "sign="):], "+/") {
		t.Errorf("sign not URL-encoded: %s", raw)
	}
	body := decodeObject(t, r.Body)
	if k := keys(body); !slices.Equal(k, []string{"markdown", "msgtype"}) || body["msgtype"] != "markdown" {
		t.Fatalf("body = %s", r.Body)
	}
	md := body["markdown"].(map[string]any)
	if k := keys(md); !slices.Equal(k, []string{"text", "title"}) {
		t.Fatalf("markdown keys = %v", k)
	}
	if md["title"] != sampleEvent().Title() {
		t.Errorf("title = %q", md["title"])
	}
	text := md["text"].(string)
	for _, want := range []string{"> 级别：重要\n\n> 发现时间：", "- ［STATUS］ == 200，实际值：500\n\n- ［RESPONSE_TIME］"} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q (DingTalk lines are separated by blank lines):\n%s", want, text)
		}
	}
}

func TestDingTalkUnsigned(t *testing.T) {
	rc := newReceiver(t, ok)
	n := mustNew(t, map[string]any{"type": "dingtalk", "webhook": rc.URL + "/robot/send?access_token=T"})
	if err := n.Notify(context.Background(), sampleEvent()); err != nil {
		t.Fatal(err)
	}
	if q := rc.next(t).URL.Query(); q.Has("sign") || q.Has("timestamp") || q.Get("access_token") != "T" {
		t.Errorf("unsigned query = %v", q)
	}
}

func TestFeishuSigned(t *testing.T) {
	const secret = "feishu-secret-xyz"
	rc := newReceiver(t, func(int, *http.Request) (int, string) {
		return 200, `{"code":0,"data":{},"msg":"success"}`
	})
	n := mustNew(t, map[string]any{"type": "feishu", "webhook": rc.URL + "/open-apis/bot/v2/hook/0b1c2d3e-aaaa-bbbb-cccc-0123456789ab", "secret": secret})
	before := time.Now().Unix()
	if err := n.Notify(context.Background(), sampleEvent()); err != nil {
		t.Fatal(err)
	}
	after := time.Now().Unix()
	body := decodeObject(t, rc.next(t).Body)
	if k := keys(body); !slices.Equal(k, []string{"content", "msg_type", "sign", "timestamp"}) || body["msg_type"] != "post" {
		t.Fatalf("body keys = %v", k)
	}
	tsText, isString := body["timestamp"].(string)
	ts, err := strconv.ParseInt(tsText, 10, 64)
	if !isString || err != nil || ts < before || ts > after {
		t.Fatalf("timestamp %#v is not a string of seconds between %d and %d", body["timestamp"], before, after)
	}
	mac := hmac.New(sha256.New, []byte(tsText+"\n"+secret)) // key = timestamp\nsecret, message empty
	if want := base64.StdEncoding.EncodeToString(mac.Sum(nil)); body["sign"] != want {
		t.Errorf("sign = %v, want %s", body["sign"], want)
	}
	post := body["content"].(map[string]any)["post"].(map[string]any)["zh_cn"].(map[string]any)
	if post["title"] != sampleEvent().Title() {
		t.Errorf("title = %v", post["title"])
	}
	var texts []string
	var href string
	for _, row := range post["content"].([]any) {
		for _, el := range row.([]any) {
			e := el.(map[string]any)
			switch e["tag"] {
			case "text":
				texts = append(texts, e["text"].(string))
			case "a":
				href = e["href"].(string)
			default:
				t.Errorf("unexpected element %v", e)
			}
		}
	}
	all := strings.Join(texts, "\n")
	for _, want := range []string{"平台：南通市政务数据共享交换平台", "• [STATUS] == 200，实际值：500", "异常编号：ANO-2026-031"} {
		if !strings.Contains(all, want) {
			t.Errorf("post lacks %q:\n%s", want, all)
		}
	}
	if href != sampleEvent().Link {
		t.Errorf("link href = %q", href)
	}
}

func TestFeishuUnsignedAndLegacyReply(t *testing.T) {
	rc := newReceiver(t, func(int, *http.Request) (int, string) {
		return 200, `{"Extra":null,"StatusCode":0,"StatusMessage":"success"}`
	})
	n := mustNew(t, map[string]any{"type": "feishu", "webhook": rc.URL + "/open-apis/bot/v2/hook/x"})
	if err := n.Notify(context.Background(), sampleEvent()); err != nil {
		t.Fatal(err)
	}
	if k := keys(decodeObject(t, rc.next(t).Body)); !slices.Equal(k, []string{"content", "msg_type"}) {
		t.Errorf("unsigned body keys = %v", k)
	}
}

func TestRobotAPIErrors(t *testing.T) {
	cases := []struct {
		typ, path     string
		status        int
		reply         string
		want, wantFix string
		code          int
	}{
		{"wecom", "/send?key=K", 200, `{"errcode":93000,"errmsg":"invalid webhook url"}`, "invalid webhook url", "重新复制地址", 93000},
		{"wecom", "/send?key=K", 200, `{"errcode":45009,"errmsg":"api freq out of limit"}`, "api freq out of limit", "频繁", 45009},
		{"dingtalk", "/robot/send?access_token=T", 200, `{"errcode":310000,"errmsg":"sign not match"}`, "sign not match", "加签密钥", 310000},
		{"feishu", "/hook/abc", 200, `{"code":19021,"data":{},"msg":"sign match fail or timestamp is not within one hour from current time"}`, "sign match fail", "签名校验失败", 19021},
		{"feishu", "/hook/abc", 400, `{"code":19024,"msg":"Key Words Not Found"}`, "Key Words Not Found", "HTTP 400", 19024},
		{"feishu", "/hook/abc", 200, `{"StatusCode":9499,"StatusMessage":"Bad Request"}`, "Bad Request", "9499", 9499},
		{"wecom", "/send?key=K", 200, `<html>proxy login</html>`, "缺少错误码", "机器人接口", 0},
		{"dingtalk", "/robot/send?access_token=T", 200, `{"ok":true}`, "缺少错误码", "机器人接口", 0},
	}
	for _, c := range cases {
		t.Run(c.typ+"-"+c.want, func(t *testing.T) {
			rc := newReceiver(t, func(int, *http.Request) (int, string) { return c.status, c.reply })
			n := mustNew(t, map[string]any{"type": c.typ, "webhook": rc.URL + c.path})
			err := n.Notify(context.Background(), sampleEvent())
			if err == nil {
				t.Fatal("an API error was taken for success")
			}
			if !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), c.wantFix) {
				t.Errorf("error %q lacks %q or %q", err, c.want, c.wantFix)
			}
			var ae *Error
			if !asError(err, &ae) || ae.Code != c.code || ae.Retry {
				t.Errorf("error = %#v, want code %d, not retryable", ae, c.code)
			}
			if !strings.Contains(err.Error(), "http://127.0.0.1:") || strings.Contains(err.Error(), c.path) {
				t.Errorf("error should name scheme://host only: %q", err)
			}
		})
	}
}

func TestWebhookPayload(t *testing.T) {
	const secret = "hook-secret-777"
	rc := newReceiver(t, func(int, *http.Request) (int, string) { return 204, "" })
	n := mustNew(t, map[string]any{"type": "webhook", "url": rc.URL + "/hooks/opsbook",
		"headers": map[string]any{"Authorization": "Bearer tok-abc", "X-Env": "prod"}, "secret": secret})
	e := sampleEvent()
	e.Error = "line1\nline2"
	if err := n.Notify(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	r := rc.next(t)
	if r.Header.Get("Authorization") != "Bearer tok-abc" || r.Header.Get("X-Env") != "prod" {
		t.Errorf("headers not sent: %v", r.Header)
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(r.Body)
	if want := "sha256=" + hex.EncodeToString(mac.Sum(nil)); r.Header.Get("X-Opsbook-Signature") != want {
		t.Errorf("signature = %q, want %q", r.Header.Get("X-Opsbook-Signature"), want)
	}
	body := decodeObject(t, r.Body)
	want := []string{"anomaly_id", "asset", "at", "check", "check_title", "error", "failed", "kind", "link", "platform",
		"runbook", "runbook_title", "security", "severity", "suppressed", "suppressed_sample", "text", "title", "version"}
	if k := keys(body); !slices.Equal(k, want) {
		t.Fatalf("payload keys = %v\nwant %v", k, want)
	}
	checks := map[string]any{
		"version": 1.0, "kind": "anomaly", "at": "2026-11-27T08:30:05+08:00", "check": "portal",
		"anomaly_id": "ANO-2026-031", "severity": "major", "security": false, "error": "line1\nline2", "suppressed": 0.0,
		"title": "【运维告警】共享交换平台日常巡检：门户首页（portal-web）检查失败",
	}
	for k, v := range checks {
		if body[k] != v {
			t.Errorf("%s = %#v, want %#v", k, body[k], v)
		}
	}
	failed := body["failed"].([]any)
	if len(failed) != 2 || failed[0].(map[string]any)["condition"] != "[STATUS] == 200" || failed[0].(map[string]any)["actual"] != "500" {
		t.Errorf("failed = %v", failed)
	}
	if text := body["text"].(string); !strings.Contains(text, "  - [STATUS] == 200，实际值：500") || !strings.Contains(text, "错误：line1 line2") {
		t.Errorf("text:\n%s", text)
	}
}

func TestWebhookDoesNotFollowRedirects(t *testing.T) {
	target := newReceiver(t, func(int, *http.Request) (int, string) { return 200, "" })
	rc := newReceiver(t, func(_ int, r *http.Request) (int, string) { return 302, "" })
	rc.Config.Handler = http.RedirectHandler(target.URL, http.StatusFound)
	n := mustNew(t, map[string]any{"type": "webhook", "url": rc.URL})
	err := n.Notify(context.Background(), sampleEvent())
	if err == nil || !strings.Contains(err.Error(), "HTTP 302") || Retryable(err) {
		t.Errorf("err = %v, want a non-retryable HTTP 302", err)
	}
	if target.count() != 0 {
		t.Error("the redirect was followed")
	}
}

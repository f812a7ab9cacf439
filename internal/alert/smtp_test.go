package alert

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"mime"
	netmail "net/mail"
	"slices"
	"strings"
	"testing"
)

func readMail(t *testing.T, data []byte) (*netmail.Message, string) {
	t.Helper()
	msg, err := netmail.ReadMessage(bufio.NewReader(bytes.NewReader(data)))
	if err != nil {
		t.Fatalf("not a mail: %v\n%s", err, data)
	}
	raw, _ := io.ReadAll(msg.Body)
	body, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(string(raw), "\n", ""))
	if err != nil {
		t.Fatalf("body is not base64: %v", err)
	}
	return msg, string(body)
}

func TestSMTPDelivers(t *testing.T) {
	s := newSink(t, "127.0.0.1:0", func(s *sink) { s.user, s.pass = "opsbook", "mail-pass-0001" })
	n := mustNew(t, map[string]any{
		"type": "smtp", "address": s.addr(), "from": "运维台账 <opsbook@example.gov.cn>",
		"to":       []any{"oncall@example.gov.cn", "张伟 <zhangwei@example.gov.cn>"},
		"username": "opsbook", "password": "mail-pass-0001", "starttls": false,
	})
	if err := n.Notify(context.Background(), sampleEvent()); err != nil {
		t.Fatal(err)
	}
	m := s.next(t)
	if m.AuthUser != "opsbook" || m.AuthPass != "mail-pass-0001" {
		t.Errorf("AUTH PLAIN got %q/%q", m.AuthUser, m.AuthPass)
	}
	if m.From != "opsbook@example.gov.cn" || !slices.Equal(m.To, []string{"oncall@example.gov.cn", "zhangwei@example.gov.cn"}) {
		t.Errorf("envelope from %q to %v", m.From, m.To)
	}
	msg, body := readMail(t, m.Data)
	h := msg.Header
	subject := h.Get("Subject")
	if !strings.HasPrefix(subject, "=?UTF-8?q?") {
		t.Errorf("Subject not Q-encoded: %q", subject)
	}
	dec := new(mime.WordDecoder)
	if got, err := dec.DecodeHeader(subject); err != nil || got != sampleEvent().Title() {
		t.Errorf("Subject decodes to %q (%v), want %q", got, err, sampleEvent().Title())
	}
	for _, line := range strings.Split(string(m.Data[:bytes.Index(m.Data, []byte("\n\n"))]), "\n") {
		if len(line) > 998 {
			t.Errorf("header line of %d bytes", len(line))
		}
	}
	from, err := h.AddressList("From")
	if err != nil || len(from) != 1 || from[0].Name != "运维台账" || from[0].Address != "opsbook@example.gov.cn" {
		t.Errorf("From = %v (%v)", from, err)
	}
	to, err := h.AddressList("To")
	if err != nil || len(to) != 2 || to[1].Name != "张伟" {
		t.Errorf("To = %v (%v)", to, err)
	}
	if h.Get("Content-Type") != "text/plain; charset=UTF-8" || h.Get("MIME-Version") != "1.0" || h.Get("Message-ID") == "" {
		t.Errorf("headers = %v", h)
	}
	if _, err := h.Date(); err != nil {
		t.Errorf("Date: %v", err)
	}
	for _, want := range []string{
		"【运维告警】共享交换平台日常巡检：门户首页（portal-web）检查失败",
		"发现时间：2026-11-27 08:30:05（北京时间）",
		"  - [STATUS] == 200，实际值：500",
		"详情：https://ops.example.gov.cn/anomaly/2026/ANO-2026-031/",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %q:\n%s", want, body)
		}
	}
}

func TestSMTPStartTLS(t *testing.T) {
	serverTLS, pool := selfSigned(t)
	s := newSink(t, "127.0.0.1:0", func(s *sink) { s.tls = serverTLS; s.user, s.pass = "u", "tls-pass-0002" })
	n := mustNew(t, map[string]any{"type": "smtp", "address": s.addr(), "from": "opsbook@example.gov.cn",
		"to": "oncall@example.gov.cn", "username": "u", "password": "tls-pass-0002"})
	n.(*smtpNotifier).rootCAs = pool
	if err := n.Notify(context.Background(), sampleEvent()); err != nil {
		t.Fatal(err)
	}
	if m := s.next(t); !m.TLS || m.AuthPass != "tls-pass-0002" {
		t.Errorf("mail over TLS=%v, auth %q", m.TLS, m.AuthUser)
	}
}

func TestSMTPStartTLSUntrusted(t *testing.T) {
	serverTLS, _ := selfSigned(t)
	s := newSink(t, "127.0.0.1:0", func(s *sink) { s.tls = serverTLS })
	n := mustNew(t, map[string]any{"type": "smtp", "address": s.addr(), "from": "a@example.gov.cn", "to": "b@example.gov.cn"})
	err := n.Notify(context.Background(), sampleEvent())
	if err == nil || !strings.Contains(err.Error(), "证书") || Retryable(err) {
		t.Errorf("err = %v, want a non-retryable certificate error", err)
	}
}

// starttls defaults to true: a server without STARTTLS gets nothing.
func TestSMTPStartTLSRequired(t *testing.T) {
	s := newSink(t, "127.0.0.1:0", nil)
	n := mustNew(t, map[string]any{"type": "smtp", "address": s.addr(), "from": "a@example.gov.cn", "to": "b@example.gov.cn"})
	err := n.Notify(context.Background(), sampleEvent())
	if err == nil || !strings.Contains(err.Error(), "不支持 STARTTLS") || !strings.Contains(err.Error(), "starttls: false") {
		t.Errorf("err = %v", err)
	}
	select {
	case <-s.mails:
		t.Error("mail sent in clear although starttls was required")
	default:
	}
}

// The password never crosses an unencrypted link to anything but localhost:
// 127.0.0.2 is loopback too, but not a name net/smtp trusts.
func TestSMTPNoPasswordInClear(t *testing.T) {
	s := newSink(t, "127.0.0.2:0", func(s *sink) { s.user, s.pass = "u", "clear-pass-0003" })
	n := mustNew(t, map[string]any{"type": "smtp", "address": s.addr(), "from": "a@example.gov.cn", "to": "b@example.gov.cn",
		"username": "u", "password": "clear-pass-0003", "starttls": false})
	err := n.Notify(context.Background(), sampleEvent())
	if err == nil || !strings.Contains(err.Error(), "加密连接") {
		t.Errorf("err = %v, want a refusal to send the password in clear", err)
	}
	select {
	case line := <-s.sawAuth:
		t.Errorf("the server got %q", line)
	default:
	}
}

func TestSMTPReplies(t *testing.T) {
	cases := []struct {
		name      string
		configure func(*sink)
		want      string
		retry     bool
	}{
		{"auth", func(s *sink) { s.authFail = "535 5.7.8 authentication failed for auth-pass-0004" }, "username 和 password", false},
		{"rcpt-temporary", func(s *sink) { s.user, s.pass, s.rcptFail = "u", "auth-pass-0004", "451 4.3.0 mailbox busy" }, "451", true},
		{"rcpt-permanent", func(s *sink) { s.user, s.pass, s.rcptFail = "u", "auth-pass-0004", "550 5.1.1 no such user" }, "from 和 to", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newSink(t, "127.0.0.1:0", c.configure)
			n := mustNew(t, map[string]any{"type": "smtp", "address": s.addr(), "from": "a@example.gov.cn", "to": "b@example.gov.cn",
				"username": "u", "password": "auth-pass-0004", "starttls": false})
			err := n.Notify(context.Background(), sampleEvent())
			if err == nil || !strings.Contains(err.Error(), c.want) || Retryable(err) != c.retry {
				t.Errorf("err = %v (retryable %v), want %q, retryable %v", err, Retryable(err), c.want, c.retry)
			}
			if err != nil && strings.Contains(err.Error(), "auth-pass-0004") {
				t.Errorf("error leaks the password: %v", err)
			}
		})
	}
}

func TestSMTPImplicitTLS(t *testing.T) {
	serverTLS, pool := selfSigned(t)
	s := newSink(t, "127.0.0.1:0", func(s *sink) { s.implicit = serverTLS; s.user, s.pass = "u", "tls-pass-0005" })
	n := mustNew(t, map[string]any{"type": "smtp", "address": s.addr(), "from": "a@example.gov.cn", "to": "b@example.gov.cn",
		"username": "u", "password": "tls-pass-0005", "tls": true})
	n.(*smtpNotifier).rootCAs = pool
	if err := n.Notify(context.Background(), sampleEvent()); err != nil {
		t.Fatal(err)
	}
	if m := s.next(t); !m.TLS || m.AuthPass != "tls-pass-0005" {
		t.Errorf("TLS=%v auth=%q", m.TLS, m.AuthUser)
	}
}

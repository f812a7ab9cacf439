package alert

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"strings"
	"time"
)

// MailLimit caps a mail body, in bytes.
const MailLimit = 64 << 10

func init() {
	Register(Type{Name: "smtp", Label: "邮件（SMTP）", New: newSMTP})
}

// smtpNotifier sends a plain-text UTF-8 mail. With starttls (the default)
// the server must offer STARTTLS; tls: true speaks TLS from the start (port
// 465). AUTH PLAIN is only ever sent over TLS, or to a server on localhost.
type smtpNotifier struct {
	name      string
	address   string // host:port
	host      string
	from      *mail.Address
	to        []*mail.Address
	username  string
	password  string
	startTLS  bool
	implicit  bool
	localName string
	target    string
	scrub     scrubber
	rootCAs   *x509.CertPool // nil: the system roots; tests set their own
}

func newSMTP(c *Config) (Notifier, error) {
	n := &smtpNotifier{name: c.Name()}
	n.address = c.String("address", true)
	from := c.String("from", true)
	to := c.Strings("to", true)
	n.username = c.String("username", false)
	n.password = c.String("password", false)
	n.startTLS = c.Bool("starttls", true)
	n.implicit = c.Bool("tls", false)
	n.localName = c.String("hello", false)
	if n.address != "" {
		host, port, err := net.SplitHostPort(n.address)
		if err != nil || host == "" || port == "" {
			c.Fail("address", "应为 主机:端口，例如 mail.example.gov.cn:25")
		}
		n.host = host
	}
	if from != "" {
		a, err := mail.ParseAddress(from)
		if err != nil {
			c.Fail("from", "不是合法的邮件地址")
		}
		n.from = a
	}
	for i, s := range to {
		a, err := mail.ParseAddress(s)
		if err != nil {
			c.Fail(fmt.Sprintf("to[%d]", i), "不是合法的邮件地址")
			continue
		}
		n.to = append(n.to, a)
	}
	if n.password != "" && n.username == "" {
		c.Fail("username", "设置了 password 时必填")
	}
	if n.implicit && c.Has("starttls") && n.startTLS {
		c.Fail("starttls", "与 tls: true 不能同时使用：tls 从连接开始即加密（465 端口），starttls 在明文连接上升级（25/587 端口）")
	}
	if n.localName != "" && strings.ContainsAny(n.localName, " \r\n") {
		c.Fail("hello", "应为主机名")
	}
	if err := c.Err(); err != nil {
		return nil, err
	}
	if n.implicit {
		n.startTLS = false
	}
	n.target = "邮件服务器 " + n.address
	n.scrub = newScrubber(n.password)
	return n, nil
}

func (n *smtpNotifier) Name() string { return n.name }

func (n *smtpNotifier) Notify(ctx context.Context, e Event) error {
	msg := n.compose(e)
	err := n.send(ctx, msg)
	if err == nil {
		return nil
	}
	var ae *Error
	if errors.As(err, &ae) {
		return err
	}
	return n.classify(ctx, err)
}

// compose builds the mail: headers, then the body in base64.
func (n *smtpNotifier) compose(e Event) []byte {
	m := newMessage(e)
	body := fitString(m, MailLimit, renderText)
	var to []string
	for _, a := range n.to {
		to = append(to, a.String())
	}
	var b strings.Builder
	hdr := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	hdr("From", n.from.String())
	hdr("To", strings.Join(to, ", "))
	hdr("Subject", strings.ReplaceAll(mime.QEncoding.Encode("UTF-8", m.title), "?= =?", "?=\r\n =?"))
	hdr("Date", time.Now().In(shanghai).Format(time.RFC1123Z))
	hdr("Message-ID", "<"+randomID()+"@opsbook>")
	hdr("MIME-Version", "1.0")
	hdr("Content-Type", "text/plain; charset=UTF-8")
	hdr("Content-Transfer-Encoding", "base64")
	hdr("X-Opsbook-Event", e.Kind)
	b.WriteString("\r\n")
	enc := base64.StdEncoding.EncodeToString([]byte(strings.ReplaceAll(body, "\n", "\r\n")))
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\r\n")
	return []byte(b.String())
}

func randomID() string {
	var p [12]byte
	_, _ = rand.Read(p[:])
	return hex.EncodeToString(p[:])
}

// stage names the step a failure happened in.
type stageError struct {
	stage string
	err   error
}

func (e *stageError) Error() string { return e.stage + "：" + e.err.Error() }
func (e *stageError) Unwrap() error { return e.err }

func (n *smtpNotifier) send(ctx context.Context, msg []byte) error {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", n.address)
	if err != nil {
		return &stageError{"连接", err}
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	tlsCfg := &tls.Config{ServerName: n.host, RootCAs: n.rootCAs, MinVersion: tls.VersionTLS12}
	if n.implicit {
		tc := tls.Client(conn, tlsCfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			return &stageError{"TLS 握手", err}
		}
		conn = tc
	}
	c, err := smtp.NewClient(conn, n.host)
	if err != nil {
		return &stageError{"读取问候", err}
	}
	defer c.Close()
	if n.localName != "" {
		if err := c.Hello(n.localName); err != nil {
			return &stageError{"EHLO", err}
		}
	}
	if n.startTLS {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return n.scrub.fail(n.target, 0, 0, false, nil, "服务器不支持 STARTTLS；如确需明文发送，请设置 starttls: false，或改用 tls: true（465 端口）")
		}
		if err := c.StartTLS(tlsCfg); err != nil {
			return &stageError{"STARTTLS", err}
		}
	}
	if n.username != "" {
		if ok, _ := c.Extension("AUTH"); !ok {
			return n.scrub.fail(n.target, 0, 0, false, nil, "服务器未提供 AUTH 认证；请去掉 username/password，或确认是否需要先 STARTTLS")
		}
		if err := c.Auth(smtp.PlainAuth("", n.username, n.password, n.host)); err != nil {
			return &stageError{"认证", err}
		}
	}
	if err := c.Mail(n.from.Address); err != nil {
		return &stageError{"MAIL FROM", err}
	}
	for _, a := range n.to {
		if err := c.Rcpt(a.Address); err != nil {
			return &stageError{"RCPT TO <" + a.Address + ">", err}
		}
	}
	w, err := c.Data()
	if err != nil {
		return &stageError{"DATA", err}
	}
	if _, err := w.Write(msg); err != nil {
		return &stageError{"发送正文", err}
	}
	if err := w.Close(); err != nil {
		return &stageError{"发送正文", err}
	}
	// The message was accepted at the end of DATA; a failed QUIT loses nothing.
	_ = c.Quit()
	return nil
}

// classify turns a failure into a scrubbed *Error: SMTP 4xx replies and
// network errors are transient, 5xx replies are not.
func (n *smtpNotifier) classify(ctx context.Context, err error) error {
	stage := ""
	var se *stageError
	if errors.As(err, &se) {
		stage = se.stage + "时"
		err = se.err
	}
	var te *textproto.Error
	if errors.As(err, &te) {
		msg := fmt.Sprintf("%s服务器拒绝（%d %s）", stage, te.Code, clean(n.scrub.clean(te.Msg), 300))
		switch {
		case te.Code == 535 || te.Code == 534 || te.Code == 530:
			msg += "；请检查 username 和 password"
		case te.Code >= 550 && te.Code <= 553:
			msg += "；请检查 from 和 to 地址"
		case te.Code >= 400 && te.Code < 500:
			msg += "；服务器暂时无法处理，稍后会再试"
		}
		return n.scrub.fail(n.target, te.Code, 0, te.Code >= 400 && te.Code < 500, nil, msg)
	}
	if ctx.Err() != nil || isTimeout(err) {
		msg, cause := transportError(ctx, err)
		if cause == nil {
			msg, cause = "请求超时：邮件服务器在限定时间内没有应答；请检查网络和服务器", context.DeadlineExceeded
		}
		return n.scrub.fail(n.target, 0, 0, cause != context.Canceled, cause, stage+msg)
	}
	var cv *tls.CertificateVerificationError
	var hn x509.HostnameError
	if errors.As(err, &cv) || errors.As(err, &hn) {
		return n.scrub.fail(n.target, 0, 0, false, nil, stage+"证书校验失败："+n.scrub.clean(err.Error())+"；请确认服务器证书由受信任的 CA 签发且包含主机名 "+n.host)
	}
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, net.ErrClosed) || isConnReset(err) {
		return n.scrub.fail(n.target, 0, 0, true, nil, stage+"网络错误："+err.Error()+"；请检查地址、端口和防火墙")
	}
	// net/smtp's own refusals, e.g. PlainAuth over an unencrypted link.
	msg := stage + "失败：" + err.Error()
	if strings.Contains(err.Error(), "unencrypted") {
		msg += "；口令只能在加密连接上发送，请启用 starttls 或 tls"
	}
	return n.scrub.fail(n.target, 0, 0, false, nil, msg)
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func isConnReset(err error) bool {
	s := err.Error()
	return strings.Contains(s, "EOF") || strings.Contains(s, "connection reset") || strings.Contains(s, "broken pipe")
}

package alert

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"time"
)

// DingTalkLimit caps a DingTalk markdown text, in bytes.
const DingTalkLimit = 20000

func init() {
	Register(Type{Name: "dingtalk", Label: "钉钉群机器人", New: newDingTalk})
}

// dingTalk posts to a DingTalk (钉钉) custom robot:
// {"msgtype":"markdown","markdown":{"title":…,"text":…}}. With a signing
// secret the URL gets &timestamp=<ms>&sign=<base64 HMAC-SHA256 of
// "timestamp\nsecret" keyed with the secret>. The reply is
// {"errcode":0,"errmsg":"ok"} on success.
type dingTalk struct {
	name   string
	ep     endpoint
	secret string
}

func newDingTalk(c *Config) (Notifier, error) {
	u := c.URL("webhook", true)
	secret := c.String("secret", false)
	name := c.Name()
	if err := c.Err(); err != nil {
		return nil, err
	}
	return &dingTalk{name: name, ep: newEndpoint("钉钉机器人", u, secret), secret: secret}, nil
}

func (n *dingTalk) Name() string { return n.name }

func (n *dingTalk) Notify(ctx context.Context, e Event) error {
	m := newMessage(e)
	text := fitString(m, DingTalkLimit, func(m message) string { return renderMarkdown(m, "\n\n") })
	payload := map[string]any{"msgtype": "markdown", "markdown": map[string]string{"title": cutBytes(m.title, 200), "text": text}}
	u := n.ep.url
	if n.secret != "" {
		ts := strconv.FormatInt(time.Now().UnixMilli(), 10)
		u = withQuery(u, "timestamp", ts, "sign", dingTalkSign(ts, n.secret))
	}
	return n.ep.postRobot(ctx, u, payload, dingTalkHint)
}

// dingTalkSign is DingTalk's robot signature, before URL encoding.
func dingTalkSign(timestamp, secret string) string {
	h := hmac.New(sha256.New, []byte(secret))
	h.Write([]byte(timestamp + "\n" + secret))
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

func dingTalkHint(code int) string {
	switch code {
	case 310000:
		return "安全设置校验未通过：请检查加签密钥（secret）、自定义关键词（可设为“运维台账”）或 IP 白名单"
	case 300001, 400101:
		return "webhook 地址中的 access_token 无效，请在机器人设置中重新复制地址"
	case 130101:
		return "发送过于频繁（机器人每分钟最多 20 条），请调低告警频率"
	}
	return ""
}

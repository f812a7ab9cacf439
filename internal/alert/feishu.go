package alert

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strconv"
	"time"
)

// FeishuLimit caps a Feishu request body; the API refuses more than 20 KB.
const FeishuLimit = 20*1024 - 256 // room for timestamp and sign

func init() {
	Register(Type{Name: "feishu", Label: "飞书群机器人", New: newFeishu})
}

// feishu posts a rich-text ("post") message to a Feishu (飞书/Lark) custom
// robot. Post text elements are literal, so nothing needs escaping. With a
// signing secret the body also has "timestamp" (seconds) and "sign" =
// base64(HMAC-SHA256 keyed with "timestamp\nsecret" over nothing). The reply
// is {"code":0,…} (older: {"StatusCode":0,…}) on success.
type feishu struct {
	name   string
	ep     endpoint
	secret string
}

func newFeishu(c *Config) (Notifier, error) {
	u := c.URL("webhook", true)
	secret := c.String("secret", false)
	name := c.Name()
	if err := c.Err(); err != nil {
		return nil, err
	}
	return &feishu{name: name, ep: newEndpoint("飞书机器人", u, secret), secret: secret}, nil
}

func (n *feishu) Name() string { return n.name }

func (n *feishu) Notify(ctx context.Context, e Event) error {
	m := fit(newMessage(e), FeishuLimit, func(m message) int {
		b, _ := json.Marshal(feishuPost(m))
		return len(b)
	})
	payload := feishuPost(m)
	if n.secret != "" {
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		payload["timestamp"] = ts
		payload["sign"] = feishuSign(ts, n.secret)
	}
	return n.ep.postRobot(ctx, n.ep.url, payload, feishuHint)
}

// feishuPost is the message body without signature fields.
func feishuPost(m message) map[string]any {
	type elem = map[string]string
	text := func(s string) []elem { return []elem{{"tag": "text", "text": s}} }
	var rows [][]elem
	for _, f := range m.fields {
		rows = append(rows, text(f.label+"："+f.value))
	}
	if cl := m.conditionLines(); len(cl) > 0 {
		rows = append(rows, text("未通过的条件："))
		for _, l := range cl {
			rows = append(rows, text("• "+l))
		}
	}
	if m.errText != "" {
		rows = append(rows, text("错误："+m.errText))
	}
	if m.anomalyID != "" {
		rows = append(rows, text("异常编号："+m.anomalyID))
	}
	if m.link != "" {
		rows = append(rows, []elem{{"tag": "text", "text": "详情："}, {"tag": "a", "text": "查看异常记录", "href": m.link}})
	}
	if m.hint != "" {
		rows = append(rows, text(m.hint))
	}
	if s := m.suppressedLine(); s != "" {
		rows = append(rows, text(s))
	}
	rows = append(rows, text(footer))
	return map[string]any{
		"msg_type": "post",
		"content": map[string]any{"post": map[string]any{"zh_cn": map[string]any{
			"title": m.title, "content": rows,
		}}},
	}
}

// feishuSign is Feishu's robot signature: the key is "timestamp\nsecret",
// the signed message empty.
func feishuSign(timestamp, secret string) string {
	h := hmac.New(sha256.New, []byte(timestamp+"\n"+secret))
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

func feishuHint(code int) string {
	switch code {
	case 19021:
		return "签名校验失败：请检查加签密钥（secret）和本机时间（时间戳需在一小时内）"
	case 19022:
		return "本机 IP 不在机器人的 IP 白名单中"
	case 19024:
		return "消息未包含机器人设置的自定义关键词（可设为“运维台账”）"
	case 9499, 19001:
		return "webhook 地址或消息格式无效，请在机器人设置中重新复制地址"
	case 11232:
		return "发送过于频繁，请调低告警频率"
	}
	return ""
}

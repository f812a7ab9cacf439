package alert

import "context"

// WeComLimit is the largest markdown content the WeCom group robot
// accepts, in bytes of UTF-8.
const WeComLimit = 4096

func init() {
	Register(Type{Name: "wecom", Label: "企业微信群机器人", New: newWeCom})
}

// weCom posts to a WeCom (企业微信) group robot:
// {"msgtype":"markdown","markdown":{"content":…}}; the reply is
// {"errcode":0,"errmsg":"ok"} on success.
type weCom struct {
	name string
	ep   endpoint
}

func newWeCom(c *Config) (Notifier, error) {
	u := c.URL("webhook", true)
	name := c.Name()
	if err := c.Err(); err != nil {
		return nil, err
	}
	return &weCom{name: name, ep: newEndpoint("企业微信机器人", u)}, nil
}

func (n *weCom) Name() string { return n.name }

func (n *weCom) Notify(ctx context.Context, e Event) error {
	content := fitString(newMessage(e), WeComLimit, func(m message) string { return renderMarkdown(m, "\n") })
	payload := map[string]any{"msgtype": "markdown", "markdown": map[string]string{"content": content}}
	return n.ep.postRobot(ctx, n.ep.url, payload, weComHint)
}

func weComHint(code int) string {
	switch code {
	case 93000, 40001, 40014:
		return "webhook 地址无效，请在群机器人设置中重新复制地址"
	case 45009:
		return "发送过于频繁（群机器人每分钟最多 20 条），请调低告警频率"
	case 93004:
		return "机器人已被停用，请在群设置中启用"
	}
	return ""
}

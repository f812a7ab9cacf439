package alert

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
)

// PayloadVersion is the version of the generic webhook's JSON document
// (see the package documentation).
const PayloadVersion = 1

func init() {
	Register(Type{Name: "webhook", Label: "通用 webhook", New: newWebhook})
}

// webhook POSTs the event as a versioned JSON document; any 2xx is success.
type webhook struct {
	name    string
	ep      endpoint
	headers http.Header
	secret  string
}

// Payload is the generic webhook's JSON document, version 1.
type Payload struct {
	Version          int               `json:"version"`
	Kind             string            `json:"kind"`
	Title            string            `json:"title"`
	Text             string            `json:"text"`
	Platform         string            `json:"platform"`
	Runbook          string            `json:"runbook"`
	RunbookTitle     string            `json:"runbook_title"`
	Check            string            `json:"check"`
	CheckTitle       string            `json:"check_title"`
	Asset            string            `json:"asset"`
	AnomalyID        string            `json:"anomaly_id"`
	At               string            `json:"at"`
	Severity         string            `json:"severity"`
	Security         bool              `json:"security"`
	Failed           []FailedCondition `json:"failed"`
	Error            string            `json:"error"`
	Link             string            `json:"link"`
	Suppressed       int               `json:"suppressed"`
	SuppressedSample []string          `json:"suppressed_sample"`
}

// NewPayload is the document the webhook notifier sends for e.
func NewPayload(e Event) Payload {
	p := Payload{
		Version: PayloadVersion, Kind: e.Kind, Title: e.Title(), Text: renderText(newMessage(e)),
		Platform: e.Platform, Runbook: e.Runbook, RunbookTitle: e.RunbookTitle,
		Check: e.Check, CheckTitle: e.CheckTitle, Asset: e.Asset, AnomalyID: e.AnomalyID,
		At: e.at().Format("2006-01-02T15:04:05Z07:00"), Severity: e.Severity, Security: e.Security,
		Failed: []FailedCondition{}, Error: clip(e.Error, maxError), Link: e.Link,
		Suppressed: e.Suppressed, SuppressedSample: []string{},
	}
	for _, f := range e.Failed {
		p.Failed = append(p.Failed, FailedCondition{Condition: clip(f.Condition, maxCondition), Actual: clip(f.Actual, maxActual)})
	}
	if e.SuppressedSample != nil {
		p.SuppressedSample = e.SuppressedSample[:min(len(e.SuppressedSample), maxSample)]
	}
	return p
}

// clip keeps at most n runes of s, unlike clean keeping line breaks: a
// machine reader gets the value as it was.
func clip(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	i := 0
	for j := range s {
		if i == n {
			return s[:j] + "…"
		}
		i++
	}
	return s
}

func newWebhook(c *Config) (Notifier, error) {
	u := c.URL("url", true)
	hdrs := c.StringMap("headers")
	secret := c.String("secret", false)
	name := c.Name()
	h := http.Header{}
	secrets := []string{secret}
	for k, v := range hdrs {
		if !validHeaderName(k) {
			c.Fail("headers."+k, "不是合法的 HTTP 头名称")
			continue
		}
		if strings.ContainsAny(v, "\r\n\x00") {
			c.Fail("headers."+k, "值不能包含换行")
			continue
		}
		h.Set(k, v)
		secrets = append(secrets, v)
		if _, val, ok := strings.Cut(v, " "); ok { // "Bearer <token>"
			secrets = append(secrets, val)
		}
	}
	if err := c.Err(); err != nil {
		return nil, err
	}
	return &webhook{name: name, ep: newEndpoint("webhook", u, secrets...), headers: h, secret: secret}, nil
}

func validHeaderName(k string) bool {
	if k == "" {
		return false
	}
	for _, r := range k {
		if r > 0x7e || r <= ' ' || strings.ContainsRune(`"(),/:;<=>?@[\]{}`, r) {
			return false
		}
	}
	return true
}

func (n *webhook) Name() string { return n.name }

func (n *webhook) Notify(ctx context.Context, e Event) error {
	body, err := json.Marshal(NewPayload(e))
	if err != nil {
		return n.ep.scrub.fail(n.ep.target, 0, 0, false, nil, "无法编码消息："+err.Error())
	}
	h := n.headers.Clone()
	if n.secret != "" {
		mac := hmac.New(sha256.New, []byte(n.secret))
		mac.Write(body)
		h.Set("X-Opsbook-Signature", "sha256="+hex.EncodeToString(mac.Sum(nil)))
	}
	status, data, err := n.ep.post(ctx, n.ep.url, body, h)
	if err != nil {
		return err
	}
	if status < 200 || status > 299 {
		return n.ep.statusError(status, 0, "", data)
	}
	return nil
}

package alert

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// httpClient posts alerts. It follows no redirects (a redirect is reported
// as the status it is), and honours HTTPS_PROXY/NO_PROXY, which an
// intranet host often needs to reach the robots' public APIs.
var httpClient = &http.Client{
	Transport: http.DefaultTransport.(*http.Transport).Clone(),
	CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	},
}

const maxResponse = 64 << 10

// endpoint is an HTTP destination with what it needs to report errors
// safely.
type endpoint struct {
	label  string   // Chinese channel name, e.g. 企业微信机器人
	url    *url.URL // full URL, credentials included
	target string   // label + sanitised URL, for errors
	scrub  scrubber
}

func newEndpoint(label string, u *url.URL, secrets ...string) endpoint {
	return endpoint{label: label, url: u, target: label + " " + safeURL(u), scrub: newScrubber(append(urlSecrets(u), secrets...)...)}
}

// post sends body as JSON to u (the endpoint URL, maybe with signature
// parameters added) and returns the status and the start of the response
// body. Only a failure to get a response is an error here.
func (ep endpoint) post(ctx context.Context, u *url.URL, body []byte, header http.Header) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return 0, nil, ep.scrub.fail(ep.target, 0, 0, false, nil, "无法构造请求；请检查地址")
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("User-Agent", "opsbook-alert/1")
	resp, err := httpClient.Do(req)
	if err != nil {
		msg, cause := transportError(ctx, err)
		return 0, nil, ep.scrub.fail(ep.target, 0, 0, cause != context.Canceled, cause, msg)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil && resp.StatusCode < 300 {
		// Not retried: the platform said yes, so the message most likely
		// arrived, and a retry would post it twice.
		msg, cause := transportError(ctx, err)
		return 0, nil, ep.scrub.fail(ep.target, resp.StatusCode, 0, false, cause, "读取应答时"+msg+"（消息可能已送达）")
	}
	return resp.StatusCode, data, nil
}

// excerpt is text from the far end made safe to quote: secrets scrubbed
// first (clipping first could leave part of one), then one clipped line.
func (ep endpoint) excerpt(text string, max int) string {
	return clean(ep.scrub.clean(text), max)
}

// statusError reports a non-2xx answer; apiMsg is the platform's own error
// text when the body had one. 5xx is transient, anything else is not.
func (ep endpoint) statusError(status, code int, apiMsg string, body []byte) error {
	msg := fmt.Sprintf("对方返回 HTTP %d", status)
	switch {
	case apiMsg != "":
		msg += fmt.Sprintf("（错误码 %d：%s）", code, ep.excerpt(apiMsg, 300))
	case len(body) > 0:
		msg += "：" + ep.excerpt(string(body), 200)
	}
	switch {
	case status >= 500:
		msg += "；对方服务暂时不可用，稍后会再试"
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		msg += "；请检查地址中的令牌和认证头"
	case status == http.StatusNotFound:
		msg += "；请检查地址是否正确"
	case status >= 300 && status < 400:
		msg += "；地址发生了跳转，请改用最终地址"
	}
	return ep.scrub.fail(ep.target, status, code, status >= 500, nil, msg)
}

// robotReply is the answer of the WeCom, DingTalk and Feishu robot APIs;
// which fields are set depends on the platform.
type robotReply struct {
	ErrCode       *int   `json:"errcode"` // WeCom, DingTalk
	ErrMsg        string `json:"errmsg"`
	Code          *int   `json:"code"` // Feishu
	Msg           string `json:"msg"`
	StatusCode    *int   `json:"StatusCode"` // Feishu, older replies
	StatusMessage string `json:"StatusMessage"`
}

// result returns the reply's code and message, and whether it had one.
func (r robotReply) result() (int, string, bool) {
	switch {
	case r.ErrCode != nil:
		return *r.ErrCode, r.ErrMsg, true
	case r.Code != nil:
		return *r.Code, r.Msg, true
	case r.StatusCode != nil:
		return *r.StatusCode, r.StatusMessage, true
	}
	return 0, "", false
}

// postRobot posts a robot message and checks the API's own success code:
// a 200 whose errcode/code is not 0 is a failure carrying the API's message.
func (ep endpoint) postRobot(ctx context.Context, u *url.URL, payload any, hint func(code int) string) error {
	body, err := json.Marshal(payload)
	if err != nil {
		return ep.scrub.fail(ep.target, 0, 0, false, nil, "无法编码消息："+err.Error())
	}
	status, data, err := ep.post(ctx, u, body, nil)
	if err != nil {
		return err
	}
	var reply robotReply
	decodeErr := json.Unmarshal(data, &reply)
	code, apiMsg, ok := reply.result()
	if status < 200 || status > 299 {
		return ep.statusError(status, code, apiMsg, data)
	}
	if decodeErr != nil || !ok {
		return ep.scrub.fail(ep.target, status, 0, false, nil,
			"应答不是机器人接口的格式（缺少错误码）："+ep.excerpt(string(data), 200)+"；请检查 webhook 地址是否指向机器人接口")
	}
	if code != 0 {
		msg := fmt.Sprintf("接口返回错误码 %d：%s", code, ep.excerpt(apiMsg, 300))
		if h := hint(code); h != "" {
			msg += "；" + h
		}
		return ep.scrub.fail(ep.target, status, code, false, nil, msg)
	}
	return nil
}

// withQuery returns a copy of u with extra query parameters.
func withQuery(u *url.URL, kv ...string) *url.URL {
	c := *u
	q := c.Query()
	for i := 0; i+1 < len(kv); i += 2 {
		q.Set(kv[i], kv[i+1])
	}
	c.RawQuery = q.Encode()
	return &c
}

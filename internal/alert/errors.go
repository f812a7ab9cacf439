package alert

import (
	"context"
	"errors"
	"net/url"
	"sort"
	"strings"
)

// Error is a failed delivery. Its text names the channel by type and
// sanitised address (scheme and host only) and carries the platform's own
// error message, scrubbed of every secret the notifier knows.
type Error struct {
	Target string // e.g. 企业微信机器人 https://qyapi.weixin.qq.com
	Status int    // HTTP status or SMTP reply code, 0 when none was received
	Code   int    // the robot API's errcode/code, 0 when none
	Msg    string // Chinese, says what to do
	Retry  bool   // transient: worth one more attempt
	cause  error  // only sentinels (context errors), never anything quoting a URL
}

func (e *Error) Error() string { return e.Target + "：" + e.Msg }
func (e *Error) Unwrap() error { return e.cause }

// Retryable reports whether err is a transient delivery failure: HTTP 5xx,
// a network error or timeout, an SMTP 4xx reply.
func Retryable(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Retry
}

// safeURL shows where a URL points without its credentials: scheme and
// host only. Path segments (Feishu puts the token there), the query (WeCom
// key=, DingTalk access_token=) and userinfo are all dropped.
func safeURL(u *url.URL) string {
	if u == nil {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// urlSecrets lists the parts of u that may be credentials, for scrubbing.
func urlSecrets(u *url.URL) []string {
	if u == nil {
		return nil
	}
	out := []string{u.String(), u.RawQuery, u.Path, u.RawPath}
	if p, ok := u.User.Password(); ok {
		out = append(out, p)
	}
	for _, vs := range u.Query() {
		out = append(out, vs...)
	}
	for _, seg := range strings.Split(u.Path, "/") {
		if len(seg) >= 8 {
			out = append(out, seg)
		}
	}
	return out
}

// scrubber replaces secret values in text with ***.
type scrubber struct{ r *strings.Replacer }

const minSecret = 4 // shorter values would blank out ordinary words

func newScrubber(secrets ...string) scrubber {
	var keep []string
	for _, s := range secrets {
		if len(s) >= minSecret {
			keep = append(keep, s, url.QueryEscape(s), url.PathEscape(s))
		}
	}
	sort.Slice(keep, func(i, j int) bool { return len(keep[i]) > len(keep[j]) })
	var pairs []string
	seen := map[string]bool{}
	for _, s := range keep {
		if !seen[s] {
			seen[s] = true
			pairs = append(pairs, s, "***")
		}
	}
	return scrubber{strings.NewReplacer(pairs...)}
}

func (s scrubber) clean(text string) string { return s.r.Replace(text) }

// fail builds a scrubbed *Error.
func (s scrubber) fail(target string, status, code int, retry bool, cause error, msg string) *Error {
	return &Error{Target: target, Status: status, Code: code, Retry: retry, cause: cause, Msg: s.clean(msg)}
}

// transportError describes a failure to get any answer, keeping context
// errors as the cause so errors.Is works, and never quoting a URL.
func transportError(ctx context.Context, err error) (msg string, cause error) {
	switch {
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded):
		return "请求超时：对方在限定时间内没有应答；请检查网络、代理或对方服务", context.DeadlineExceeded
	case errors.Is(err, context.Canceled) || errors.Is(ctx.Err(), context.Canceled):
		return "发送已取消", context.Canceled
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err // its text quotes the full URL; the inner error does not
	}
	return "网络错误：" + err.Error() + "；请检查网络和代理设置（HTTPS_PROXY）", nil
}

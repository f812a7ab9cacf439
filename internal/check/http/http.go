package http

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/text/encoding/htmlindex"

	"github.com/opsbook/opsbook/internal/check"
	"github.com/opsbook/opsbook/internal/check/tcp"
	tlscheck "github.com/opsbook/opsbook/internal/check/tls"
)

// maxRedirects bounds follow_redirects.
const maxRedirects = 10

var errTooManyRedirects = fmt.Errorf("重定向超过 %d 次；请检查服务的跳转配置，或设置 follow_redirects: false 后检查 [STATUS]", maxRedirects)

func init() {
	check.Register(check.Type{
		Name:         "http",
		Label:        "HTTP 接口",
		Placeholders: []string{"STATUS", "RESPONSE_TIME", "BODY", "HEADERS", "CERT_EXPIRY", "CONNECTED"},
		Category:     "application",
		Step: &check.Step{
			Conditions: []string{"[STATUS] < 400"},
			Target:     func(p map[string]any, _ string) string { return check.HidePassword(check.Str(p["url"])) },
			Command:    stepCommand,
			Excerpt: func(v map[string]any) string {
				body, _ := v["BODY"].(string)
				return strings.TrimSpace(body)
			},
			HTTPStatus: true,
		},
		New: newChecker,
	})
}

// stepCommand is a step's request line, and its body after a blank line.
func stepCommand(p map[string]any) string {
	m := strings.ToUpper(check.Str(p["method"]))
	if m == "" {
		m = "GET"
	}
	line := m + " " + check.HidePassword(check.Str(p["url"]))
	if b := check.Str(p["body"]); b != "" {
		line += "\n\n" + b
	}
	return line
}

func newChecker(spec check.Spec) (check.Checker, error) {
	c, err := parse(spec)
	if err != nil {
		return nil, err
	}
	return c, nil
}

type checker struct {
	url              *url.URL // without userinfo
	safeURL          string
	method, body     string
	header           http.Header
	host             string // Host header override
	user, pass       string
	hasAuth          bool
	caFile           string
	insecure, follow bool
	maxBody          int64
	timeout          time.Duration
	secrets          []string // kept out of Err and values
	scrub            scrubber
}

func (c *checker) Check(ctx context.Context) check.Observation {
	ctx, cancel := tcp.WithDeadline(ctx, c.timeout)
	defer cancel()
	values := map[string]any{"CONNECTED": false}
	obs := c.check(ctx, values)
	c.scrub.values(obs.Values)
	obs.Err = c.scrub.err(obs.Err)
	return obs
}

func (c *checker) check(ctx context.Context, values map[string]any) check.Observation {
	var roots *x509.CertPool
	if c.caFile != "" {
		var err error
		if roots, err = tlscheck.LoadRoots(c.caFile); err != nil {
			return check.Failed(err, values)
		}
	}
	probe := &tlscheck.Probe{}
	var connected atomic.Bool
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		var d net.Dialer
		conn, err := d.DialContext(ctx, network, addr)
		if err == nil {
			connected.Store(true)
		}
		return conn, err
	}
	tr := &http.Transport{
		Proxy:       nil, // checks connect directly, whatever the environment says
		DialContext: dial,
		DialTLSContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			raw, err := dial(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			tc := tls.Client(raw, probe.Config(c.serverName(addr), roots, c.insecure))
			if err := tc.HandshakeContext(ctx); err != nil {
				_ = raw.Close()
				return nil, err
			}
			return tc, nil
		},
		DisableKeepAlives:      true,
		MaxResponseHeaderBytes: 1 << 20,
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, CheckRedirect: c.redirect}

	var body io.Reader
	if c.body != "" {
		body = strings.NewReader(c.body)
	}
	req, err := http.NewRequestWithContext(ctx, c.method, c.url.String(), body)
	if err != nil {
		return check.Failed(fmt.Errorf("无法构造请求 %s %s：%w", c.method, c.safeURL, err), values)
	}
	req.Header = c.header.Clone()
	if c.host != "" {
		req.Host = c.host
	}
	if c.hasAuth {
		req.SetBasicAuth(c.user, c.pass)
	}

	start := time.Now()
	resp, err := client.Do(req)
	values["CONNECTED"] = connected.Load()
	if err != nil {
		if leaf := probe.Leaf(); leaf != nil {
			values["CERT_EXPIRY"] = time.Until(leaf.NotAfter)
		}
		return c.failed(ctx, "请求 "+c.method+" "+c.safeURL, err, values)
	}
	defer resp.Body.Close()
	values["STATUS"] = int64(resp.StatusCode)
	values["HEADERS"] = headers(resp.Header)
	if resp.TLS != nil && len(resp.TLS.PeerCertificates) > 0 {
		values["CERT_EXPIRY"] = time.Until(resp.TLS.PeerCertificates[0].NotAfter)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, c.maxBody))
	values["RESPONSE_TIME"] = time.Since(start)
	values["BODY"] = decode(data, resp.Header.Get("Content-Type"))
	if err != nil {
		return c.failed(ctx, fmt.Sprintf("读取 %s %s 的响应正文（已读 %d 字节）", c.method, c.safeURL, len(data)), err, values)
	}
	return check.Observation{Values: values}
}

// serverName is the name the certificate must match: the Host header
// override when set, else the host being dialled.
func (c *checker) serverName(addr string) string {
	host := c.host
	if host == "" {
		host = addr
	}
	if h, _, err := net.SplitHostPort(host); err == nil {
		return h
	}
	return host
}

func (c *checker) redirect(_ *http.Request, via []*http.Request) error {
	if !c.follow {
		return http.ErrUseLastResponse
	}
	if len(via) >= maxRedirects {
		return errTooManyRedirects
	}
	return nil
}

func (c *checker) failed(ctx context.Context, what string, err error, values map[string]any) check.Observation {
	// url.Error repeats the full URL (query included); keep only its cause.
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if errors.Is(err, errTooManyRedirects) {
		return check.Failed(fmt.Errorf("%s：%w", what, err), values)
	}
	if ctx.Err() == nil {
		if msg, security, ok := tlscheck.Explain(err, c.serverName(c.url.Host)); ok {
			obs := check.Failed(fmt.Errorf("%s：%s（%w）", what, msg, err), values)
			obs.Security = security
			return obs
		}
	}
	return check.Failed(tcp.Describe(ctx, what, err), values)
}

// headers renders response headers for conditions, hiding cookie values.
func headers(h http.Header) map[string]any {
	out := make(map[string]any, len(h))
	for name, vs := range h {
		if name == "Set-Cookie" {
			hidden := make([]string, len(vs))
			for i, v := range vs {
				cookie, _, _ := strings.Cut(v, "=")
				hidden[i] = cookie + "=***"
			}
			vs = hidden
		}
		out[name] = strings.Join(vs, ", ")
	}
	return out
}

// decode returns body as valid UTF-8, converting from the charset the
// Content-Type names (GBK pages are common on government sites).
func decode(body []byte, contentType string) string {
	if _, params, err := mime.ParseMediaType(contentType); err == nil {
		if cs := strings.ToLower(params["charset"]); cs != "" && cs != "utf-8" && cs != "utf8" {
			if enc, err := htmlindex.Get(cs); err == nil {
				if out, err := enc.NewDecoder().Bytes(body); err == nil {
					body = out
				}
			}
		}
	}
	return strings.ToValidUTF8(string(body), "\uFFFD")
}

package dns

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/miekg/dns"

	"github.com/opsbook/opsbook/internal/check"
	"github.com/opsbook/opsbook/internal/check/tcp"
)

func init() {
	check.Register(check.Type{
		Name:         "dns",
		Label:        "DNS 解析",
		Placeholders: []string{"RCODE", "ANSWERS", "ANSWER_COUNT", "RESPONSE_TIME", "CONNECTED"},
		Category:     "network",
		New:          newChecker,
	})
}

var recordTypes = map[string]uint16{
	"A": dns.TypeA, "AAAA": dns.TypeAAAA, "CNAME": dns.TypeCNAME,
	"MX": dns.TypeMX, "TXT": dns.TypeTXT, "NS": dns.TypeNS,
}

type checker struct {
	server, query, protocol string
	qtype                   uint16
	timeout                 time.Duration
}

func newChecker(spec check.Spec) (check.Checker, error) {
	p := spec.P()
	c := &checker{
		server:   p.String("server", true),
		query:    p.String("query", true),
		protocol: strings.ToLower(p.String("protocol", false)),
		timeout:  spec.Timeout,
	}
	if c.server != "" {
		server, err := serverAddress(c.server)
		if err != nil {
			p.Fail("server", "%v", err)
		}
		c.server = server
	}
	if c.query != "" {
		if _, ok := dns.IsDomainName(c.query); !ok {
			p.Fail("query", "%q 不是合法的域名", c.query)
		}
		c.query = dns.Fqdn(c.query)
	}
	rt := strings.ToUpper(p.String("record_type", false))
	if rt == "" {
		rt = "A"
	}
	if c.qtype = recordTypes[rt]; c.qtype == 0 {
		p.Fail("record_type", "不支持的记录类型 %q；可选：A、AAAA、CNAME、MX、TXT、NS", rt)
	}
	switch c.protocol {
	case "":
		c.protocol = "udp"
	case "udp", "tcp":
	default:
		p.Fail("protocol", "应为 udp 或 tcp")
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	return c, nil
}

// serverAddress accepts host:port or a bare host (port 53).
func serverAddress(s string) (string, error) {
	if ip := net.ParseIP(strings.Trim(s, "[]")); ip != nil {
		return net.JoinHostPort(ip.String(), "53"), nil
	}
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		if strings.Contains(s, ":") || s == "" {
			return "", fmt.Errorf("%q 应为 主机:端口，例如 10.32.0.53:53", s)
		}
		return net.JoinHostPort(s, "53"), nil
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 || host == "" {
		return "", fmt.Errorf("%q 应为 主机:端口，端口为 1–65535 的数字", s)
	}
	return s, nil
}

func (c *checker) Check(ctx context.Context) check.Observation {
	ctx, cancel := tcp.WithDeadline(ctx, c.timeout)
	defer cancel()
	values := map[string]any{"CONNECTED": false}
	m := new(dns.Msg)
	m.SetQuestion(c.query, c.qtype)
	m.SetEdns0(1232, false)

	start := time.Now()
	r, err := c.exchange(ctx, c.protocol, m, values)
	if err == nil && r.Truncated && c.protocol == "udp" {
		r, err = c.exchange(ctx, "tcp", m, values)
	}
	if err != nil {
		return check.Failed(tcp.Describe(ctx, fmt.Sprintf("向 DNS 服务器 %s（%s）查询 %s", c.server, c.protocol, c.name()), err), values)
	}
	values["CONNECTED"] = true
	values["RESPONSE_TIME"] = time.Since(start)
	rcode := dns.RcodeToString[r.Rcode]
	if rcode == "" {
		rcode = strconv.Itoa(r.Rcode)
	}
	values["RCODE"] = rcode
	answers := c.answers(r)
	values["ANSWERS"] = answers
	values["ANSWER_COUNT"] = int64(len(answers))
	if r.Rcode != dns.RcodeSuccess {
		return check.Failed(c.rcodeError(rcode), values)
	}
	return check.Observation{Values: values}
}

func (c *checker) name() string { return strings.TrimSuffix(c.query, ".") }

// exchange sends m over network, bound to ctx: its deadline applies and
// cancelling it closes the connection.
func (c *checker) exchange(ctx context.Context, network string, m *dns.Msg, values map[string]any) (*dns.Msg, error) {
	client := &dns.Client{Net: network}
	if dl, ok := ctx.Deadline(); ok {
		client.Timeout = time.Until(dl) // the deadline, not the library's 2 s default, bounds the query
	}
	conn, err := client.DialContext(ctx, c.server)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	tcp.Bind(ctx, conn)
	if network == "tcp" {
		values["CONNECTED"] = true
	}
	r, _, err := client.ExchangeWithConnContext(ctx, m, conn)
	return r, err
}

func (c *checker) answers(r *dns.Msg) []any {
	out := []any{}
	for _, rr := range r.Answer {
		if rr.Header().Rrtype != c.qtype {
			continue
		}
		switch x := rr.(type) {
		case *dns.A:
			out = append(out, x.A.String())
		case *dns.AAAA:
			out = append(out, x.AAAA.String())
		case *dns.CNAME:
			out = append(out, strings.TrimSuffix(x.Target, "."))
		case *dns.NS:
			out = append(out, strings.TrimSuffix(x.Ns, "."))
		case *dns.MX:
			out = append(out, fmt.Sprintf("%d %s", x.Preference, strings.TrimSuffix(x.Mx, ".")))
		case *dns.TXT:
			out = append(out, strings.Join(x.Txt, ""))
		}
	}
	return out
}

func (c *checker) rcodeError(rcode string) error {
	var hint string
	switch rcode {
	case "NXDOMAIN":
		hint = "域名不存在；请检查 query 的拼写，或 DNS 服务器上是否缺少这条记录"
	case "SERVFAIL":
		hint = "DNS 服务器解析失败；请检查该服务器的上游转发和区域配置"
	case "REFUSED":
		hint = "DNS 服务器拒绝了查询；请检查它是否允许本机查询（递归、访问控制）"
	default:
		hint = "DNS 服务器返回错误；请检查该服务器的日志"
	}
	return fmt.Errorf("DNS 服务器 %s 对 %s 的 %s 查询返回 %s：%s", c.server, c.name(), dns.TypeToString[c.qtype], rcode, hint)
}

package dns_test

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/opsbook/opsbook/internal/check"
	"github.com/opsbook/opsbook/internal/check/checktest"
	_ "github.com/opsbook/opsbook/internal/check/dns"
)

// zone is what the test server knows, in zone-file syntax.
var zone = []string{
	"share.example.gov.cn. 300 IN A 10.32.1.10",
	"share.example.gov.cn. 300 IN A 10.32.1.11",
	"share.example.gov.cn. 300 IN AAAA fd00::10",
	"www.example.gov.cn. 300 IN CNAME share.example.gov.cn.",
	"example.gov.cn. 300 IN MX 10 mail.example.gov.cn.",
	"example.gov.cn. 300 IN MX 20 mail2.example.gov.cn.",
	"example.gov.cn. 300 IN NS ns1.example.gov.cn.",
	`example.gov.cn. 300 IN TXT "v=spf1 " "ip4:10.32.0.0/16 -all"`,
}

// server runs a miekg/dns server for zone on one random loopback port, UDP
// and TCP. It answers NXDOMAIN for unknown names, REFUSED for names under
// refused.example, and truncates UDP answers larger than the client allows.
// queries counts the queries that arrived over UDP and over TCP.
func server(t *testing.T) (addr string, queries *[2]atomic.Int64) {
	records := map[string][]dns.RR{}
	lines := append([]string(nil), zone...)
	for i := range 100 {
		lines = append(lines, fmt.Sprintf("big.example.gov.cn. 300 IN A 10.33.%d.%d", i/250, i%250+1))
	}
	for _, line := range lines {
		rr, err := dns.NewRR(line)
		if err != nil {
			t.Fatal(err)
		}
		records[strings.ToLower(rr.Header().Name)] = append(records[strings.ToLower(rr.Header().Name)], rr)
	}
	queries = new([2]atomic.Int64)
	handler := dns.HandlerFunc(func(w dns.ResponseWriter, req *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(req)
		q := req.Question[0]
		name := strings.ToLower(q.Name)
		rrs, known := records[name]
		switch {
		case strings.HasSuffix(name, "refused.example."):
			m.Rcode = dns.RcodeRefused
		case !known:
			m.Rcode = dns.RcodeNameError
		}
		for _, rr := range rrs {
			if rr.Header().Rrtype == q.Qtype || rr.Header().Rrtype == dns.TypeCNAME {
				m.Answer = append(m.Answer, rr)
				if c, ok := rr.(*dns.CNAME); ok && q.Qtype != dns.TypeCNAME {
					for _, target := range records[c.Target] {
						if target.Header().Rrtype == q.Qtype {
							m.Answer = append(m.Answer, target)
						}
					}
				}
			}
		}
		_, udp := w.RemoteAddr().(*net.UDPAddr)
		if !udp {
			queries[1].Add(1)
		} else {
			queries[0].Add(1)
			size := dns.MinMsgSize
			if opt := req.IsEdns0(); opt != nil {
				size = int(opt.UDPSize())
			}
			m.Truncate(size)
		}
		_ = w.WriteMsg(m)
	})
	var pc net.PacketConn
	var ln net.Listener
	for range 20 { // the TCP port must match the random UDP one
		var err error
		if pc, err = net.ListenPacket("udp", "127.0.0.1:0"); err != nil {
			t.Fatal(err)
		}
		if ln, err = net.Listen("tcp", pc.LocalAddr().String()); err == nil {
			break
		}
		pc.Close()
		pc = nil
	}
	if pc == nil {
		t.Fatal("no loopback port free for both UDP and TCP")
	}
	for _, s := range []*dns.Server{{PacketConn: pc, Handler: handler}, {Listener: ln, Handler: handler}} {
		started := make(chan struct{})
		s.NotifyStartedFunc = func() { close(started) }
		go func() { _ = s.ActivateAndServe() }()
		<-started
		t.Cleanup(func() { _ = s.Shutdown() })
	}
	return pc.LocalAddr().String(), queries
}

// silent is a UDP socket that receives queries and never answers.
func silent(t *testing.T) string {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	return pc.LocalAddr().String()
}

// closedUDP is a loopback UDP port nobody listens on.
func closedUDP(t *testing.T) string {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := pc.LocalAddr().String()
	pc.Close()
	return addr
}

func spec(params map[string]any) check.Spec {
	return check.Spec{Name: "dns", Type: "dns", Params: params}
}

func run(t *testing.T, params map[string]any) check.Observation {
	t.Helper()
	c, err := check.New(spec(params))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return c.Check(ctx)
}

func TestConformance(t *testing.T) {
	addr, _ := server(t)
	slow := spec(map[string]any{"server": silent(t), "query": "share.example.gov.cn"})
	checktest.Run(t, "dns", checktest.Targets{
		Up:   spec(map[string]any{"server": addr, "query": "share.example.gov.cn", "record_type": "A"}),
		Down: spec(map[string]any{"server": closedUDP(t), "query": "share.example.gov.cn"}),
		Slow: &slow,
	})
}

func TestAnswers(t *testing.T) {
	addr, _ := server(t)
	for _, tc := range []struct {
		query, rtype, protocol string
		want                   []string
	}{
		{"share.example.gov.cn", "A", "", []string{"10.32.1.10", "10.32.1.11"}},
		{"SHARE.example.gov.cn.", "a", "tcp", []string{"10.32.1.10", "10.32.1.11"}},
		{"share.example.gov.cn", "AAAA", "", []string{"fd00::10"}},
		{"www.example.gov.cn", "A", "", []string{"10.32.1.10", "10.32.1.11"}}, // via the CNAME
		{"www.example.gov.cn", "CNAME", "", []string{"share.example.gov.cn"}},
		{"example.gov.cn", "MX", "", []string{"10 mail.example.gov.cn", "20 mail2.example.gov.cn"}},
		{"example.gov.cn", "NS", "udp", []string{"ns1.example.gov.cn"}},
		{"example.gov.cn", "TXT", "", []string{"v=spf1 ip4:10.32.0.0/16 -all"}},
		{"example.gov.cn", "A", "", []string{}}, // NOERROR, no data: not an error
	} {
		t.Run(tc.query+"/"+tc.rtype, func(t *testing.T) {
			params := map[string]any{"server": addr, "query": tc.query, "record_type": tc.rtype}
			if tc.protocol != "" {
				params["protocol"] = tc.protocol
			}
			obs := run(t, params)
			if obs.Err != nil {
				t.Fatal(obs.Err)
			}
			if got := fmt.Sprint(obs.Values["ANSWERS"]); got != fmt.Sprint(tc.want) {
				t.Errorf("ANSWERS = %s, want %v", got, tc.want)
			}
			if obs.Values["ANSWER_COUNT"] != int64(len(tc.want)) || obs.Values["RCODE"] != "NOERROR" || obs.Values["CONNECTED"] != true {
				t.Errorf("values = %v", obs.Values)
			}
			if d, ok := obs.Values["RESPONSE_TIME"].(time.Duration); !ok || d <= 0 {
				t.Errorf("RESPONSE_TIME = %#v", obs.Values["RESPONSE_TIME"])
			}
		})
	}
}

func TestTruncatedRetriesOverTCP(t *testing.T) {
	addr, queries := server(t)
	obs := run(t, map[string]any{"server": addr, "query": "big.example.gov.cn"})
	if obs.Err != nil {
		t.Fatal(obs.Err)
	}
	if obs.Values["ANSWER_COUNT"] != int64(100) {
		t.Errorf("ANSWER_COUNT = %v, want all 100 records", obs.Values["ANSWER_COUNT"])
	}
	if udp, tcp := queries[0].Load(), queries[1].Load(); udp != 1 || tcp != 1 {
		t.Errorf("%d UDP and %d TCP queries, want one each (truncated, then retried)", udp, tcp)
	}
}

func TestErrorRcodes(t *testing.T) {
	addr, _ := server(t)
	for query, want := range map[string]string{"nosuch.example.gov.cn": "NXDOMAIN", "x.refused.example": "REFUSED"} {
		obs := run(t, map[string]any{"server": addr, "query": query})
		if obs.Err == nil {
			t.Fatalf("%s: passed", query)
		}
		if obs.Values["RCODE"] != want || !strings.Contains(obs.Err.Error(), want) {
			t.Errorf("%s: RCODE %v, Err %v", query, obs.Values["RCODE"], obs.Err)
		}
		if obs.Values["ANSWER_COUNT"] != int64(0) {
			t.Errorf("%s: ANSWER_COUNT = %v", query, obs.Values["ANSWER_COUNT"])
		}
	}
	obs := run(t, map[string]any{"server": addr, "query": "nosuch.example.gov.cn"})
	if !strings.Contains(obs.Err.Error(), "域名不存在") {
		t.Errorf("NXDOMAIN message: %v", obs.Err)
	}
}

func TestUnreachable(t *testing.T) {
	obs := run(t, map[string]any{"server": closedUDP(t), "query": "share.example.gov.cn"})
	if obs.Err == nil || !strings.Contains(obs.Err.Error(), "连接被拒绝") || obs.Values["CONNECTED"] != false {
		t.Errorf("Err = %v, values = %v", obs.Err, obs.Values)
	}
}

func TestBadParams(t *testing.T) {
	for _, tc := range []struct {
		params map[string]any
		key    string
	}{
		{map[string]any{"query": "a.example"}, "server"},
		{map[string]any{"server": "127.0.0.1:53"}, "query"},
		{map[string]any{"server": "127.0.0.1:99999", "query": "a.example"}, "server"},
		{map[string]any{"server": "127.0.0.1:53", "query": "a..example"}, "query"},
		{map[string]any{"server": "127.0.0.1:53", "query": "a.example", "record_type": "SRV"}, "record_type"},
		{map[string]any{"server": "127.0.0.1:53", "query": "a.example", "protocol": "doh"}, "protocol"},
	} {
		if _, err := check.New(spec(tc.params)); err == nil || !strings.Contains(err.Error(), "参数 "+tc.key) {
			t.Errorf("%v: err = %v, want one naming %s", tc.params, err, tc.key)
		}
	}
	for _, server := range []string{"10.32.0.53", "ns1.example.gov.cn", "[fd00::53]:53", "fd00::53"} {
		if _, err := check.New(spec(map[string]any{"server": server, "query": "a.example"})); err != nil {
			t.Errorf("server %q: %v", server, err)
		}
	}
}

package tls_test

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/opsbook/opsbook/internal/check"
	"github.com/opsbook/opsbook/internal/check/checktest"
	"github.com/opsbook/opsbook/internal/check/tcp/tcptest"
	_ "github.com/opsbook/opsbook/internal/check/tls"
	"github.com/opsbook/opsbook/internal/check/tls/certtest"
)

func spec(params map[string]any) check.Spec {
	return check.Spec{Name: "cert", Type: "tls", Params: params}
}

func run(t *testing.T, params map[string]any) check.Observation {
	t.Helper()
	c, err := check.New(spec(params))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return c.Check(ctx)
}

func TestConformance(t *testing.T) {
	ca := certtest.NewCA(t, "opsbook test CA")
	caFile := ca.WriteFile(t)
	slow := spec(map[string]any{"address": tcptest.Silent(t), "server_name": "localhost", "ca_file": caFile})
	checktest.Run(t, "tls", checktest.Targets{
		Up:   spec(map[string]any{"address": certtest.Server(t, ca.Localhost(t)), "server_name": "localhost", "ca_file": caFile}),
		Down: spec(map[string]any{"address": tcptest.ClosedAddr(t), "ca_file": caFile}),
		Slow: &slow,
	})
}

func TestValid(t *testing.T) {
	ca := certtest.NewCA(t, "opsbook test CA")
	cert := ca.Issue(t, certtest.Leaf{CommonName: "share.example.gov.cn",
		DNSNames: []string{"share.example.gov.cn", "www.share.example.gov.cn"}, NotAfter: time.Now().Add(30 * 24 * time.Hour)})
	obs := run(t, map[string]any{"address": certtest.Server(t, cert), "server_name": "share.example.gov.cn", "ca_file": ca.WriteFile(t)})
	if obs.Err != nil || obs.Security {
		t.Fatalf("Err = %v, Security = %v", obs.Err, obs.Security)
	}
	exp, _ := obs.Values["CERT_EXPIRY"].(time.Duration)
	if exp < 29*24*time.Hour || exp > 30*24*time.Hour {
		t.Errorf("CERT_EXPIRY = %v, want about 720h", exp)
	}
	if s := obs.Values["CERT_SUBJECT"]; s != "CN=share.example.gov.cn,O=opsbook test" {
		t.Errorf("CERT_SUBJECT = %q", s)
	}
	if s := obs.Values["CERT_ISSUER"]; s != "CN=opsbook test CA,O=opsbook test" {
		t.Errorf("CERT_ISSUER = %q", s)
	}
	names, _ := obs.Values["CERT_DNS_NAMES"].([]any)
	if len(names) != 2 || names[0] != "share.example.gov.cn" || names[1] != "www.share.example.gov.cn" {
		t.Errorf("CERT_DNS_NAMES = %v", obs.Values["CERT_DNS_NAMES"])
	}
	if v := obs.Values["TLS_VERSION"]; v != "TLS 1.3" {
		t.Errorf("TLS_VERSION = %v", v)
	}
	if obs.Values["CONNECTED"] != true {
		t.Errorf("CONNECTED = %v", obs.Values["CONNECTED"])
	}
}

func TestDefaultServerNameIsAddressHost(t *testing.T) {
	ca := certtest.NewCA(t, "opsbook test CA")
	// The certificate covers 127.0.0.1 as an IP SAN; no server_name given.
	obs := run(t, map[string]any{"address": certtest.Server(t, ca.Localhost(t)), "ca_file": ca.WriteFile(t)})
	if obs.Err != nil {
		t.Fatal(obs.Err)
	}
}

func TestFailures(t *testing.T) {
	ca := certtest.NewCA(t, "opsbook test CA")
	caFile := ca.WriteFile(t)
	other := certtest.NewCA(t, "someone else")
	expired := certtest.Server(t, ca.Issue(t, certtest.Leaf{CommonName: "localhost", DNSNames: []string{"localhost"},
		NotBefore: time.Now().AddDate(-1, 0, 0), NotAfter: time.Now().Add(-48 * time.Hour)}))
	wrongHost := certtest.Server(t, ca.Issue(t, certtest.Leaf{CommonName: "evil.example", DNSNames: []string{"evil.example"}}))
	unknownCA := certtest.Server(t, other.Localhost(t))
	plain := tcptest.Serve(t, func(c net.Conn) { c.Write([]byte("HTTP/1.1 400 Bad Request\r\n\r\n")) })

	for _, tc := range []struct {
		name     string
		params   map[string]any
		security bool
		message  string
	}{
		{"expired", map[string]any{"address": expired, "server_name": "localhost", "ca_file": caFile}, false, "已过期"},
		{"expired skip verify", map[string]any{"address": expired, "server_name": "localhost", "insecure_skip_verify": true}, false, "已过期"},
		{"wrong hostname", map[string]any{"address": wrongHost, "server_name": "localhost", "ca_file": caFile}, true, "主机名 localhost 不符（证书适用于：evil.example）"},
		{"unknown CA", map[string]any{"address": unknownCA, "server_name": "localhost", "ca_file": caFile}, true, "不受信任的机构签发，颁发者 CN=someone else"},
		{"not TLS", map[string]any{"address": plain, "server_name": "localhost", "ca_file": caFile}, false, "不是 TLS 服务"},
		{"missing ca_file", map[string]any{"address": unknownCA, "ca_file": "/nonexistent/ca.pem"}, false, "读取 ca_file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			obs := run(t, tc.params)
			if obs.Err == nil {
				t.Fatalf("passed: %v", obs.Values)
			}
			t.Log(obs.Err)
			if !strings.Contains(obs.Err.Error(), tc.message) {
				t.Errorf("Err = %v, want it to say %q", obs.Err, tc.message)
			}
			if obs.Security != tc.security {
				t.Errorf("Security = %v, want %v", obs.Security, tc.security)
			}
			if strings.HasPrefix(tc.name, "expired") {
				if exp, ok := obs.Values["CERT_EXPIRY"].(time.Duration); !ok || exp > -47*time.Hour {
					t.Errorf("CERT_EXPIRY = %v, want about -48h", obs.Values["CERT_EXPIRY"])
				}
			}
			if tc.security && obs.Values["CERT_SUBJECT"] == nil {
				t.Error("the rejected certificate was not reported")
			}
		})
	}
}

func TestSkipVerifyReportsUntrustedCertificate(t *testing.T) {
	other := certtest.NewCA(t, "someone else")
	obs := run(t, map[string]any{"address": certtest.Server(t, other.Localhost(t)), "insecure_skip_verify": true})
	if obs.Err != nil {
		t.Fatal(obs.Err)
	}
	if obs.Values["CERT_ISSUER"] != "CN=someone else,O=opsbook test" {
		t.Errorf("CERT_ISSUER = %v", obs.Values["CERT_ISSUER"])
	}
}

func TestBadParams(t *testing.T) {
	for _, tc := range []struct {
		params map[string]any
		key    string
	}{
		{map[string]any{}, "address"},
		{map[string]any{"address": "share.example.gov.cn"}, "address"},
		{map[string]any{"address": "a:443", "insecure_skip_verify": "yes"}, "insecure_skip_verify"},
		{map[string]any{"address": "a:443", "min_days": "30"}, "min_days"},
	} {
		if _, err := check.New(spec(tc.params)); err == nil || !strings.Contains(err.Error(), "参数 "+tc.key) {
			t.Errorf("%v: err = %v, want one naming %s", tc.params, err, tc.key)
		}
	}
}

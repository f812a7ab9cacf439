package tls

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"time"

	"github.com/opsbook/opsbook/internal/check"
	"github.com/opsbook/opsbook/internal/check/tcp"
)

func init() {
	check.Register(check.Type{
		Name:  "tls",
		Label: "TLS 证书",
		Placeholders: []string{"CONNECTED", "RESPONSE_TIME", "CERT_EXPIRY", "CERT_SUBJECT",
			"CERT_ISSUER", "CERT_DNS_NAMES", "TLS_VERSION"},
		Category: "security",
		New:      newChecker,
	})
}

type checker struct {
	address, serverName, caFile string
	skipVerify                  bool
	timeout                     time.Duration
}

func newChecker(spec check.Spec) (check.Checker, error) {
	p := spec.P()
	c := &checker{
		address:    p.String("address", true),
		serverName: p.String("server_name", false),
		caFile:     p.String("ca_file", false),
		skipVerify: p.Bool("insecure_skip_verify", false),
		timeout:    spec.Timeout,
	}
	if c.address != "" {
		if err := tcp.ValidateAddress(c.address); err != nil {
			p.Fail("address", "%v", err)
		} else if c.serverName == "" {
			c.serverName, _, _ = net.SplitHostPort(c.address)
		}
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *checker) Check(ctx context.Context) check.Observation {
	ctx, cancel := tcp.WithDeadline(ctx, c.timeout)
	defer cancel()
	values := map[string]any{"CONNECTED": false}
	var roots *x509.CertPool
	if c.caFile != "" {
		var err error
		if roots, err = LoadRoots(c.caFile); err != nil {
			return check.Failed(err, values)
		}
	}
	start := time.Now()
	raw, err := tcp.Dial(ctx, "tcp", c.address)
	if err != nil {
		return check.Failed(tcp.Describe(ctx, "连接 "+c.address, err), values)
	}
	defer raw.Close()
	values["CONNECTED"] = true

	probe := &Probe{}
	cfg := probe.Config(c.serverName, roots, c.skipVerify)
	cfg.MinVersion = tls.VersionTLS10 // observe old versions; conditions judge them
	conn := tls.Client(raw, cfg)
	err = conn.HandshakeContext(ctx)
	values["RESPONSE_TIME"] = time.Since(start)
	now := time.Now()
	if leaf := probe.Leaf(); leaf != nil {
		CertValues(values, leaf, now)
		if err == nil {
			err = Validity(leaf, now) // insecure_skip_verify still fails an expired certificate
		}
	}
	if v := probe.Version(); v != 0 {
		values["TLS_VERSION"] = VersionName(v)
	}
	if err != nil {
		return c.failed(ctx, err, values)
	}
	_ = conn.Close()
	return check.Observation{Values: values}
}

func (c *checker) failed(ctx context.Context, err error, values map[string]any) check.Observation {
	if ctx.Err() == nil {
		if msg, security, ok := Explain(err, c.serverName); ok {
			obs := check.Failed(fmt.Errorf("%s 的 TLS 证书：%s（%w）", c.address, msg, err), values)
			obs.Security = security
			return obs
		}
	}
	return check.Failed(tcp.Describe(ctx, "与 "+c.address+" 进行 TLS 握手", err), values)
}

// CertValues sets the certificate placeholders of leaf into values.
func CertValues(values map[string]any, leaf *x509.Certificate, now time.Time) {
	values["CERT_EXPIRY"] = leaf.NotAfter.Sub(now)
	values["CERT_SUBJECT"] = leaf.Subject.String()
	values["CERT_ISSUER"] = leaf.Issuer.String()
	names := make([]any, len(leaf.DNSNames))
	for i, n := range leaf.DNSNames {
		names[i] = n
	}
	values["CERT_DNS_NAMES"] = names
}

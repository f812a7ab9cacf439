package tls

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"
)

// Probe records what a server presented during a handshake, so that the
// certificate can be reported even when verifying it fails. One Probe per
// attempt; it is safe for concurrent handshakes (an HTTP redirect chain).
type Probe struct {
	mu      sync.Mutex
	leaf    *x509.Certificate
	version uint16
}

// Config returns a client configuration that verifies the chain against
// roots (system roots when nil) and the host name serverName itself, after
// recording the peer's certificate in p. With skipVerify nothing is verified.
func (p *Probe) Config(serverName string, roots *x509.CertPool, skipVerify bool) *tls.Config {
	return &tls.Config{
		ServerName: serverName,
		// Verification happens in VerifyConnection, after the certificate
		// is recorded; crypto/tls would reject it before we could see it.
		InsecureSkipVerify: true, //nolint:gosec // verified below
		VerifyConnection: func(cs tls.ConnectionState) error {
			p.record(cs)
			if skipVerify {
				return nil
			}
			return Verify(cs, serverName, roots, time.Now())
		},
	}
}

func (p *Probe) record(cs tls.ConnectionState) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.version = cs.Version
	if len(cs.PeerCertificates) > 0 {
		p.leaf = cs.PeerCertificates[0]
	}
}

// Leaf is the last leaf certificate seen, or nil.
func (p *Probe) Leaf() *x509.Certificate {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.leaf
}

// Version is the TLS version of the last handshake, or 0.
func (p *Probe) Version() uint16 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.version
}

// Verify checks the presented chain and host name as crypto/tls would.
func Verify(cs tls.ConnectionState, serverName string, roots *x509.CertPool, now time.Time) error {
	if len(cs.PeerCertificates) == 0 {
		return errors.New("tls: server presented no certificate")
	}
	opts := x509.VerifyOptions{
		Roots:         roots,
		CurrentTime:   now,
		DNSName:       serverName,
		Intermediates: x509.NewCertPool(),
	}
	for _, c := range cs.PeerCertificates[1:] {
		opts.Intermediates.AddCert(c)
	}
	_, err := cs.PeerCertificates[0].Verify(opts)
	return err
}

// Validity reports an error when cert is expired or not yet valid at now.
func Validity(cert *x509.Certificate, now time.Time) error {
	if now.After(cert.NotAfter) {
		return x509.CertificateInvalidError{Cert: cert, Reason: x509.Expired, Detail: "expired"}
	}
	if now.Before(cert.NotBefore) {
		return x509.CertificateInvalidError{Cert: cert, Reason: x509.Expired, Detail: "not yet valid"}
	}
	return nil
}

// LoadRoots reads a PEM file of trusted root certificates.
func LoadRoots(path string) (*x509.CertPool, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("读取 ca_file %s 失败；请确认文件存在且可读（%w）", path, err)
	}
	pool := x509.NewCertPool()
	n := 0
	for rest := data; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("ca_file %s 中的证书无法解析；请确认是 PEM 格式的 X.509 证书（%w）", path, err)
		}
		pool.AddCert(cert)
		n++
	}
	if n == 0 {
		return nil, fmt.Errorf("ca_file %s 中没有 PEM 证书（应包含 -----BEGIN CERTIFICATE-----）", path)
	}
	return pool, nil
}

// Explain recognises certificate and TLS errors: it returns a Chinese
// explanation with what to do, whether the failure may be an attack rather
// than an outage, and ok=false when err is not a TLS problem at all.
func Explain(err error, serverName string) (msg string, security, ok bool) {
	var (
		hostErr    x509.HostnameError
		authErr    x509.UnknownAuthorityError
		invalidErr x509.CertificateInvalidError
		rootsErr   x509.SystemRootsError
		recordErr  tls.RecordHeaderError
		alertErr   tls.AlertError
	)
	switch {
	case errors.As(err, &hostErr):
		names := "无"
		if c := hostErr.Certificate; c != nil && len(c.DNSNames) > 0 {
			names = strings.Join(c.DNSNames, ", ")
		}
		return fmt.Sprintf("证书与主机名 %s 不符（证书适用于：%s）；可能是配置错误，也可能是流量被劫持，请核对证书或 server_name", serverName, names), true, true
	case errors.As(err, &authErr):
		issuer := ""
		if authErr.Cert != nil {
			issuer = "，颁发者 " + authErr.Cert.Issuer.String()
		}
		return fmt.Sprintf("证书由不受信任的机构签发%s；如为内部 CA，请在 ca_file 中指定其根证书，否则可能是流量被劫持", issuer), true, true
	case errors.As(err, &invalidErr):
		if c := invalidErr.Cert; invalidErr.Reason == x509.Expired && c != nil {
			if time.Now().Before(c.NotBefore) {
				return fmt.Sprintf("证书尚未生效（%s 起生效）；请检查服务器和本机的时钟，或证书的有效期",
					c.NotBefore.Format(time.DateTime)), false, true
			}
			return fmt.Sprintf("证书已过期（有效期 %s 至 %s）；请尽快更换证书",
				c.NotBefore.Format(time.DateOnly), c.NotAfter.Format(time.DateOnly)), false, true
		}
		return "证书无效；请检查证书链和证书用途", false, true
	case errors.As(err, &rootsErr):
		return "无法加载系统根证书；请在 ca_file 中指定受信任的根证书", false, true
	case errors.As(err, &recordErr):
		return "对端不是 TLS 服务；请确认端口和协议（http/https）", false, true
	case errors.As(err, &alertErr):
		return "TLS 握手被对端拒绝；请检查双方支持的协议版本和加密套件，或服务是否要求客户端证书", false, true
	}
	return "", false, false
}

// VersionName is "TLS 1.3" and the like.
func VersionName(v uint16) string { return tls.VersionName(v) }

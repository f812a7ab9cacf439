package alert

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"math/big"
	"net"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"
)

// captured is what the sink captured of one SMTP transaction.
type captured struct {
	Hello    string
	From     string
	To       []string
	Data     []byte
	AuthUser string
	AuthPass string
	TLS      bool
}

// sink is a small real SMTP server on loopback: EHLO/HELO, STARTTLS (when
// given a certificate), AUTH PLAIN, MAIL, RCPT, DATA, RSET, NOOP, QUIT.
type sink struct {
	ln       net.Listener
	tls      *tls.Config // offer STARTTLS when set
	implicit *tls.Config // speak TLS from the first byte (port 465 style)
	user     string      // require AUTH PLAIN with user/pass when set
	pass     string
	authFail string // reply to every AUTH, e.g. "535 5.7.8 bad credentials"
	rcptFail string // reply to every RCPT, e.g. "451 4.3.0 try later"
	mails    chan captured
	sawAuth  chan string // every AUTH line received, in clear or not
	wg       sync.WaitGroup
}

func newSink(t *testing.T, addr string, configure func(*sink)) *sink {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("listen %s: %v", addr, err)
	}
	s := &sink{ln: ln, mails: make(chan captured, 10), sawAuth: make(chan string, 10)}
	if configure != nil {
		configure(s)
	}
	if s.implicit != nil {
		s.ln = tls.NewListener(ln, s.implicit)
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			c, err := s.ln.Accept()
			if err != nil {
				return
			}
			s.wg.Add(1)
			go func() { defer s.wg.Done(); s.serve(c) }()
		}
	}()
	t.Cleanup(func() { ln.Close(); s.wg.Wait() })
	return s
}

func (s *sink) addr() string { return s.ln.Addr().String() }

func (s *sink) serve(conn net.Conn) {
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	tp := textproto.NewConn(conn)
	var m captured
	_, m.TLS = conn.(*tls.Conn)
	authed := s.user == ""
	reply := func(line string) { _ = tp.PrintfLine("%s", line) }
	reply("220 sink.test ESMTP")
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO":
			m.Hello = arg
			ext := []string{"250-sink.test", "250-8BITMIME"}
			if s.tls != nil && !m.TLS {
				ext = append(ext, "250-STARTTLS")
			}
			if s.user != "" || s.authFail != "" {
				ext = append(ext, "250-AUTH PLAIN")
			}
			ext[len(ext)-1] = "250 " + ext[len(ext)-1][4:]
			for _, e := range ext {
				reply(e)
			}
		case "HELO":
			m.Hello = arg
			reply("250 sink.test")
		case "STARTTLS":
			if s.tls == nil || m.TLS {
				reply("502 5.5.1 not offered")
				continue
			}
			reply("220 2.0.0 go ahead")
			tc := tls.Server(conn, s.tls)
			if tc.Handshake() != nil {
				return
			}
			conn = tc
			tp = textproto.NewConn(tc)
			m = captured{TLS: true}
		case "AUTH":
			s.sawAuth <- line
			if s.authFail != "" {
				reply(s.authFail)
				continue
			}
			mech, resp, _ := strings.Cut(arg, " ")
			raw, err := base64.StdEncoding.DecodeString(resp)
			parts := strings.Split(string(raw), "\x00")
			if strings.ToUpper(mech) != "PLAIN" || err != nil || len(parts) != 3 {
				reply("501 5.5.4 malformed")
				continue
			}
			m.AuthUser, m.AuthPass = parts[1], parts[2]
			if parts[1] != s.user || parts[2] != s.pass {
				reply("535 5.7.8 authentication failed")
				continue
			}
			authed = true
			reply("235 2.7.0 ok")
		case "MAIL":
			if !authed {
				reply("530 5.7.0 authentication required")
				continue
			}
			m.From = between(arg, "<", ">") // MAIL FROM:<a@b> BODY=8BITMIME
			reply("250 2.1.0 ok")
		case "RCPT":
			if s.rcptFail != "" {
				reply(s.rcptFail)
				continue
			}
			m.To = append(m.To, between(arg, "<", ">"))
			reply("250 2.1.5 ok")
		case "DATA":
			reply("354 end with .")
			data, err := tp.ReadDotBytes() // CRLF arrives as LF
			if err != nil {
				return
			}
			m.Data = data
			s.mails <- m
			reply("250 2.0.0 queued")
			m = captured{Hello: m.Hello, TLS: m.TLS, AuthUser: m.AuthUser, AuthPass: m.AuthPass}
		case "RSET":
			m = captured{Hello: m.Hello, TLS: m.TLS}
			reply("250 ok")
		case "NOOP":
			reply("250 ok")
		case "QUIT":
			reply("221 bye")
			return
		default:
			reply("500 5.5.2 unknown command")
		}
	}
}

func between(s, open, close string) string {
	_, after, _ := strings.Cut(s, open)
	in, _, _ := strings.Cut(after, close)
	return in
}

func (s *sink) next(t *testing.T) captured {
	t.Helper()
	select {
	case m := <-s.mails:
		return m
	case <-time.After(5 * time.Second):
		t.Fatal("the SMTP sink received no mail")
	}
	return captured{}
}

// selfSigned makes a server certificate for 127.0.0.1 and a pool trusting it.
func selfSigned(t *testing.T) (*tls.Config, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "sink.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}, pool
}

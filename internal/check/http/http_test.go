package http_test

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/opsbook/opsbook/internal/check"
	"github.com/opsbook/opsbook/internal/check/checktest"
	_ "github.com/opsbook/opsbook/internal/check/http"
	"github.com/opsbook/opsbook/internal/check/tcp/tcptest"
	"github.com/opsbook/opsbook/internal/check/tls/certtest"
)

func spec(params map[string]any) check.Spec {
	return check.Spec{Name: "portal", Type: "http", Params: params}
}

func run(t *testing.T, params map[string]any, timeout time.Duration) check.Observation {
	t.Helper()
	c, err := check.New(spec(params))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return c.Check(ctx)
}

func server(t *testing.T, h http.HandlerFunc) *httptest.Server {
	s := httptest.NewServer(h)
	t.Cleanup(s.Close)
	return s
}

// tlsServer serves h over TLS with cert, quietly (rejected handshakes are
// the point of several tests).
func tlsServer(t *testing.T, cert tls.Certificate, h http.HandlerFunc) *httptest.Server {
	s := httptest.NewUnstartedServer(h)
	s.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	s.Config.ErrorLog = log.New(io.Discard, "", 0)
	s.StartTLS()
	t.Cleanup(s.Close)
	return s
}

func ok(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, "ok") }

func TestConformance(t *testing.T) {
	up := server(t, ok)
	slow := spec(map[string]any{"url": "http://" + tcptest.Silent(t) + "/"})
	checktest.Run(t, "http", checktest.Targets{
		Up:   spec(map[string]any{"url": up.URL + "/portal/"}),
		Down: spec(map[string]any{"url": "http://" + tcptest.ClosedAddr(t) + "/"}),
		Slow: &slow,
	})
}

func TestRequestAndValues(t *testing.T) {
	s := server(t, func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.Method != http.MethodPost || r.Header.Get("X-Api-Version") != "2" || string(body) != `{"q":1}` {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		http.SetCookie(w, &http.Cookie{Name: "JSESSIONID", Value: "abcdef0123456789"})
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"ok":true}`)
	})
	obs := run(t, map[string]any{"url": s.URL + "/api", "method": "post", "body": `{"q":1}`,
		"headers": map[string]any{"X-Api-Version": "2"}}, 5*time.Second)
	if obs.Err != nil {
		t.Fatal(obs.Err)
	}
	if obs.Values["STATUS"] != int64(200) || obs.Values["BODY"] != `{"ok":true}` || obs.Values["CONNECTED"] != true {
		t.Errorf("values = %v", obs.Values)
	}
	h, _ := obs.Values["HEADERS"].(map[string]any)
	if h["Content-Type"] != "application/json" || h["Set-Cookie"] != "JSESSIONID=***" {
		t.Errorf("HEADERS = %v", h)
	}
	if d, ok := obs.Values["RESPONSE_TIME"].(time.Duration); !ok || d <= 0 {
		t.Errorf("RESPONSE_TIME = %#v", obs.Values["RESPONSE_TIME"])
	}
	if _, ok := obs.Values["CERT_EXPIRY"]; ok {
		t.Error("CERT_EXPIRY set for plain http")
	}
}

func TestFlapping(t *testing.T) {
	var calls atomic.Int64
	s := server(t, func(w http.ResponseWriter, _ *http.Request) {
		if calls.Add(1) == 1 {
			http.Error(w, "boom", http.StatusInternalServerError)
			return
		}
		fmt.Fprint(w, "ok")
	})
	c, err := check.New(spec(map[string]any{"url": s.URL}))
	if err != nil {
		t.Fatal(err)
	}
	first, second := c.Check(context.Background()), c.Check(context.Background())
	if first.Err != nil || first.Values["STATUS"] != int64(500) {
		t.Errorf("first: STATUS %v, Err %v; a 500 is an observation, not an error", first.Values["STATUS"], first.Err)
	}
	if second.Err != nil || second.Values["STATUS"] != int64(200) {
		t.Errorf("second: STATUS %v, Err %v", second.Values["STATUS"], second.Err)
	}
}

func TestSlowBody(t *testing.T) {
	s := server(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			if _, err := w.Write([]byte("x")); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return
			case <-tick.C:
			}
		}
	})
	start := time.Now()
	obs := run(t, map[string]any{"url": s.URL}, 1500*time.Millisecond)
	if el := time.Since(start); el > 4*time.Second {
		t.Errorf("check ran %v past its 1.5s deadline", el)
	}
	if obs.Err == nil || !strings.Contains(obs.Err.Error(), "超时") || !strings.Contains(obs.Err.Error(), "响应正文") {
		t.Fatalf("Err = %v", obs.Err)
	}
	if obs.Values["STATUS"] != int64(200) {
		t.Errorf("STATUS = %v; what was seen before the deadline should be kept", obs.Values["STATUS"])
	}
}

func TestSpecTimeout(t *testing.T) {
	sp := spec(map[string]any{"url": "http://" + tcptest.Silent(t) + "/"})
	sp.Timeout = 300 * time.Millisecond
	c, err := check.New(sp)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	obs := c.Check(context.Background()) // no deadline from the caller
	if obs.Err == nil || time.Since(start) > 3*time.Second {
		t.Errorf("Err = %v after %v", obs.Err, time.Since(start))
	}
	if obs.Values["CONNECTED"] != true {
		t.Errorf("CONNECTED = %v; the silent server did accept", obs.Values["CONNECTED"])
	}
}

func TestReset(t *testing.T) {
	obs := run(t, map[string]any{"url": "http://" + tcptest.Reset(t) + "/"}, 5*time.Second)
	if obs.Err == nil {
		t.Fatal("a reset connection passed")
	}
	if msg := obs.Err.Error(); !strings.Contains(msg, "重置") && !strings.Contains(msg, "提前关闭") {
		t.Errorf("Err = %v", msg)
	}
	if _, ok := obs.Values["STATUS"]; ok {
		t.Errorf("STATUS set: %v", obs.Values)
	}
}

func TestMaxBody(t *testing.T) {
	big := strings.Repeat("0123456789", 1<<20) // 10 MB
	s := server(t, func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, big) })
	var sent atomic.Int64
	endless := server(t, func(w http.ResponseWriter, _ *http.Request) {
		chunk := []byte(strings.Repeat("y", 32<<10))
		for {
			n, err := w.Write(chunk)
			sent.Add(int64(n))
			if err != nil {
				return
			}
		}
	})
	for _, tc := range []struct {
		url     string
		maxBody any
		want    int
	}{
		{s.URL, nil, 1 << 20},
		{s.URL, "64KB", 64 << 10},
		{s.URL, 1000, 1000},
		{endless.URL, "1MiB", 1 << 20},
	} {
		params := map[string]any{"url": tc.url}
		if tc.maxBody != nil {
			params["max_body"] = tc.maxBody
		}
		obs := run(t, params, 10*time.Second)
		if obs.Err != nil {
			t.Fatalf("max_body %v: %v", tc.maxBody, obs.Err)
		}
		if body := obs.Values["BODY"].(string); len(body) != tc.want {
			t.Errorf("max_body %v: read %d bytes, want %d", tc.maxBody, len(body), tc.want)
		}
	}
}

func TestRedirects(t *testing.T) {
	s := server(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			http.Redirect(w, r, "/portal/", http.StatusFound)
		case "/loop":
			http.Redirect(w, r, "/loop", http.StatusFound)
		default:
			fmt.Fprint(w, "portal")
		}
	})
	obs := run(t, map[string]any{"url": s.URL + "/"}, 5*time.Second)
	if obs.Err != nil || obs.Values["STATUS"] != int64(200) || obs.Values["BODY"] != "portal" {
		t.Errorf("followed: %v %v", obs.Values, obs.Err)
	}
	obs = run(t, map[string]any{"url": s.URL + "/", "follow_redirects": false}, 5*time.Second)
	h, _ := obs.Values["HEADERS"].(map[string]any)
	if obs.Err != nil || obs.Values["STATUS"] != int64(302) || h["Location"] != "/portal/" {
		t.Errorf("not followed: %v %v", obs.Values, obs.Err)
	}
	obs = run(t, map[string]any{"url": s.URL + "/loop"}, 5*time.Second)
	if obs.Err == nil || !strings.Contains(obs.Err.Error(), "重定向超过 10 次") {
		t.Errorf("loop: %v", obs.Err)
	}
}

func TestCharset(t *testing.T) {
	gbk := []byte{0xb9, 0xb2, 0xcf, 0xed, 0xbd, 0xbb, 0xbb, 0xbb} // 共享交换 in GBK
	s := server(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=GBK")
		w.Write(gbk)
	})
	obs := run(t, map[string]any{"url": s.URL}, 5*time.Second)
	if obs.Err != nil || obs.Values["BODY"] != "共享交换" {
		t.Errorf("BODY = %q, Err = %v", obs.Values["BODY"], obs.Err)
	}
}

func TestTLS(t *testing.T) {
	ca := certtest.NewCA(t, "opsbook test CA")
	caFile := ca.WriteFile(t)
	valid := tlsServer(t, ca.Localhost(t), ok)
	expired := tlsServer(t, ca.Issue(t, certtest.Leaf{CommonName: "localhost", DNSNames: []string{"localhost"},
		NotBefore: time.Now().AddDate(0, -3, 0), NotAfter: time.Now().Add(-24 * time.Hour)}), ok)
	wrongHost := tlsServer(t, ca.Issue(t, certtest.Leaf{CommonName: "other.example", DNSNames: []string{"other.example"}}), ok)
	unknownCA := tlsServer(t, certtest.NewCA(t, "rogue CA").Localhost(t), ok)
	local := func(s *httptest.Server) string { return strings.Replace(s.URL, "127.0.0.1", "localhost", 1) }

	obs := run(t, map[string]any{"url": local(valid), "ca_file": caFile}, 5*time.Second)
	if obs.Err != nil || obs.Values["STATUS"] != int64(200) {
		t.Fatalf("valid: %v %v", obs.Values, obs.Err)
	}
	if exp, _ := obs.Values["CERT_EXPIRY"].(time.Duration); exp < 89*24*time.Hour || exp > 90*24*time.Hour {
		t.Errorf("CERT_EXPIRY = %v, want about 90 days", obs.Values["CERT_EXPIRY"])
	}
	obs = run(t, map[string]any{"url": valid.URL, "ca_file": caFile}, 5*time.Second)
	if obs.Err != nil {
		t.Errorf("IP SAN: %v", obs.Err)
	}

	for _, tc := range []struct {
		name     string
		url      string
		security bool
		message  string
	}{
		{"expired", local(expired), false, "证书已过期"},
		{"wrong hostname", local(wrongHost), true, "与主机名 localhost 不符"},
		{"unknown CA", local(unknownCA), true, "不受信任的机构签发"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			obs := run(t, map[string]any{"url": tc.url, "ca_file": caFile}, 5*time.Second)
			if obs.Err == nil || !strings.Contains(obs.Err.Error(), tc.message) {
				t.Fatalf("Err = %v, want %q", obs.Err, tc.message)
			}
			if obs.Security != tc.security {
				t.Errorf("Security = %v", obs.Security)
			}
			if obs.Values["CONNECTED"] != true {
				t.Errorf("CONNECTED = %v", obs.Values["CONNECTED"])
			}
			if _, ok := obs.Values["STATUS"]; ok {
				t.Error("STATUS set though the certificate was rejected")
			}
			exp, ok := obs.Values["CERT_EXPIRY"].(time.Duration)
			if !ok || (tc.name == "expired") != (exp < 0) {
				t.Errorf("CERT_EXPIRY = %v", obs.Values["CERT_EXPIRY"])
			}
		})
	}

	obs = run(t, map[string]any{"url": local(unknownCA), "insecure_skip_verify": true}, 5*time.Second)
	if obs.Err != nil || obs.Values["STATUS"] != int64(200) {
		t.Errorf("insecure_skip_verify: %v %v", obs.Values, obs.Err)
	}
}

// TestSecretsNeverShown: credentials and query tokens in the URL are used
// (the server requires them) but appear in no error and no value, even when
// the server echoes them back.
func TestSecretsNeverShown(t *testing.T) {
	const (
		pass  = "Pa55w0rd-canary"
		token = "tok-canary-7f3e9a"
		key   = "Bearer hdr-canary-51c2"
	)
	secrets := []string{pass, token, key, "dXNlcjpQYTU1dzByZC1jYW5hcnk="} // base64 of user:pass
	echo := func(w http.ResponseWriter, r *http.Request) {
		u, p, _ := r.BasicAuth()
		if u != "user" || p != pass || r.URL.Query().Get("token") != token || r.Header.Get("Authorization") == "" {
			http.Error(w, "unauthorised", http.StatusUnauthorized)
			return
		}
		w.Header().Set("X-Echo", r.URL.RawQuery)
		w.Header().Set("Location", r.URL.String())
		fmt.Fprintf(w, "query=%s auth=%s", r.URL.RawQuery, r.Header.Get("Authorization"))
	}
	up := server(t, echo)
	slow := tcptest.Silent(t)
	redirectLoop := server(t, func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, r.URL.String(), http.StatusFound) })
	rogue := tlsServer(t, certtest.NewCA(t, "rogue").Localhost(t), echo)

	query := "/api/v1?token=" + token + "&format=json"
	for _, tc := range []struct {
		name, base string
		wantErr    bool
	}{
		{"passing", up.URL, false},
		{"refused", "http://" + tcptest.ClosedAddr(t), true},
		{"timeout", "http://" + slow, true},
		{"redirect loop", redirectLoop.URL, true},
		{"tls", rogue.URL, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := strings.Replace(tc.base, "://", "://user:"+pass+"@", 1) + query
			obs := run(t, map[string]any{"url": u}, time.Second)
			if (obs.Err != nil) != tc.wantErr {
				t.Fatalf("Err = %v", obs.Err)
			}
			if !tc.wantErr && obs.Values["STATUS"] != int64(200) {
				t.Fatalf("credentials not sent: STATUS %v", obs.Values["STATUS"])
			}
			shown := fmt.Sprint(obs.Values)
			if obs.Err != nil {
				shown += obs.Err.Error()
				if !strings.Contains(obs.Err.Error(), "/api/v1") {
					t.Errorf("Err does not name the URL's path: %v", obs.Err)
				}
			}
			for _, s := range secrets {
				if strings.Contains(shown, s) {
					t.Errorf("secret %q shown in %s", s, shown)
				}
			}
			if strings.Contains(shown, "user:") {
				t.Errorf("userinfo shown in %s", shown)
			}
		})
	}

	// A header token is scrubbed too when echoed.
	obs := run(t, map[string]any{"url": up.URL + "/?token=" + token, "basic_auth": map[string]any{"username": "user", "password": pass},
		"headers": map[string]any{"X-Auth-Token": key}}, time.Second)
	if obs.Values["STATUS"] != int64(401) && obs.Values["STATUS"] != int64(200) {
		t.Fatalf("values = %v, Err = %v", obs.Values, obs.Err)
	}
	for _, s := range secrets {
		if strings.Contains(fmt.Sprint(obs.Values), s) {
			t.Errorf("secret %q shown in %v", s, obs.Values)
		}
	}
}

func TestBadParams(t *testing.T) {
	for _, tc := range []struct {
		params map[string]any
		key    string
	}{
		{map[string]any{}, "url"},
		{map[string]any{"url": "ftp://files.example/x?token=tok-canary-1"}, "url"},
		{map[string]any{"url": "share.example.gov.cn/portal"}, "url"},
		{map[string]any{"url": "http://a/", "method": "FETCH"}, "method"},
		{map[string]any{"url": "http://a/", "headers": map[string]any{"Bad Name": "x"}}, "headers"},
		{map[string]any{"url": "http://a/", "headers": "Authorization: x"}, "headers"},
		{map[string]any{"url": "http://u:p@a/", "basic_auth": map[string]any{"username": "u", "password": "p"}}, "basic_auth"},
		{map[string]any{"url": "http://a/", "basic_auth": map[string]any{"user": "u"}}, "basic_auth.user"},
		{map[string]any{"url": "http://a/", "max_body": "lots"}, "max_body"},
		{map[string]any{"url": "http://a/", "max_body": 0}, "max_body"},
		{map[string]any{"url": "http://a/", "follow_redirects": "no"}, "follow_redirects"},
		{map[string]any{"url": "http://a/", "timeout_ms": 5}, "timeout_ms"},
	} {
		_, err := check.New(spec(tc.params))
		if err == nil || !strings.Contains(err.Error(), "参数 "+tc.key) {
			t.Errorf("%v: err = %v, want one naming %s", tc.params, err, tc.key)
		}
		if err != nil && strings.Contains(err.Error(), "tok-canary") {
			t.Errorf("parameter error echoes the URL's token: %v", err)
		}
	}
}

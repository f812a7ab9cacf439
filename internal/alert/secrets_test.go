package alert

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// Canary secrets: none may appear in any error, whatever the far end says.
var canaries = []string{
	"WECOMKEY-7f3a9c", "DTTOKEN-51e2b0", "DTSECRET-88aa01", "FSTOKEN-0c9d-4e1f", "FSSECRET-3b7c22",
	"HOOKQ-6d2e9a", "HOOKPW-1a2b3c", "HOOKBEARER-9f0e", "HOOKSECRET-2c4d", "SMTPPASS-5e6f70",
}

func configsFor(base string) []map[string]any {
	return []map[string]any{
		{"type": "wecom", "webhook": base + "/cgi-bin/webhook/send?key=WECOMKEY-7f3a9c"},
		{"type": "dingtalk", "webhook": base + "/robot/send?access_token=DTTOKEN-51e2b0", "secret": "DTSECRET-88aa01"},
		{"type": "feishu", "webhook": base + "/open-apis/bot/v2/hook/FSTOKEN-0c9d-4e1f", "secret": "FSSECRET-3b7c22"},
		{"type": "webhook", "url": strings.Replace(base, "http://", "http://ops:HOOKPW-1a2b3c@", 1) + "/hook?token=HOOKQ-6d2e9a",
			"headers": map[string]any{"Authorization": "Bearer HOOKBEARER-9f0e"}, "secret": "HOOKSECRET-2c4d"},
	}
}

// echo repeats everything it was sent, credentials included, in its error.
func echo(status int) func(int, *http.Request) (int, string) {
	return func(_ int, r *http.Request) (int, string) {
		u, p, _ := r.BasicAuth()
		said := fmt.Sprintf("bad request to %s (auth %s %s:%s) %q", r.URL, r.Header.Get("Authorization"), u, p, r.URL.RawQuery)
		said = strings.NewReplacer(`"`, `'`, `\`, `/`).Replace(said)
		return status, fmt.Sprintf(`{"errcode":40001,"errmsg":"%s","code":40001,"msg":"%s"}`, said, said)
	}
}

func assertNoCanary(t *testing.T, what string, err error) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: no error", what)
		return
	}
	for _, c := range canaries {
		// Not even a prefix: a secret clipped before scrubbing would leak one.
		if strings.Contains(err.Error(), c[:5]) {
			t.Errorf("%s: error contains (the start of) the secret %s:\n%v", what, c, err)
		}
	}
}

func TestSecretsNeverInErrors(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	servers := map[string]*receiver{
		"echo-500": newReceiver(t, echo(500)),
		"echo-400": newReceiver(t, echo(400)),
		"echo-200": newReceiver(t, echo(200)),
		"hang": newReceiver(t, func(_ int, r *http.Request) (int, string) {
			select {
			case <-r.Context().Done():
			case <-release:
			}
			return 200, ""
		}),
		"closed": newReceiver(t, ok),
	}
	servers["closed"].Close()
	for mode, rc := range servers {
		notifiers, err := NewAll(configsFor(rc.URL))
		if err != nil {
			t.Fatal(err)
		}
		d := NewDispatcher(Options{Timeout: 200 * time.Millisecond, RetryDelay: 10 * time.Millisecond}, notifiers...)
		ds, err := d.Send(context.Background(), sampleEvent())
		for _, dl := range ds {
			if mode == "echo-200" && dl.Notifier == "webhook" {
				continue // any 2xx is success for the generic webhook
			}
			assertNoCanary(t, mode+"/"+dl.Notifier, dl.Err)
		}
		assertNoCanary(t, mode+"/joined", err)
		if mode == "echo-500" && !strings.Contains(err.Error(), "bad request to") {
			t.Errorf("the echoed text itself should remain, scrubbed: %v", err)
		}
	}
}

func TestSMTPSecretsNeverInErrors(t *testing.T) {
	cfg := func(addr string) map[string]any {
		return map[string]any{"type": "smtp", "address": addr, "from": "a@example.gov.cn", "to": "b@example.gov.cn",
			"username": "opsbook", "password": "SMTPPASS-5e6f70", "starttls": false}
	}
	// A server that quotes the password back.
	s := newSink(t, "127.0.0.1:0", func(s *sink) { s.authFail = "535 5.7.8 wrong password SMTPPASS-5e6f70" })
	// One that accepts and never speaks.
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	go func() {
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	// And a port nothing listens on.
	closed, _ := net.Listen("tcp", "127.0.0.1:0")
	closedAddr := closed.Addr().String()
	closed.Close()
	for what, addr := range map[string]string{"echo": s.addr(), "silent": silent.Addr().String(), "closed": closedAddr} {
		n := mustNew(t, cfg(addr))
		_, err := NewDispatcher(Options{Timeout: 300 * time.Millisecond, RetryDelay: 10 * time.Millisecond}, n).Send(context.Background(), sampleEvent())
		assertNoCanary(t, "smtp/"+what, err)
	}
}

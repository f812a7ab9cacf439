package tcp_test

import (
	"bufio"
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/opsbook/opsbook/internal/check"
	"github.com/opsbook/opsbook/internal/check/checktest"
	_ "github.com/opsbook/opsbook/internal/check/tcp"
	"github.com/opsbook/opsbook/internal/check/tcp/tcptest"
)

func spec(params map[string]any) check.Spec {
	return check.Spec{Name: "t", Type: "tcp", Params: params}
}

// pingServer answers every line "PING" with "PONG".
func pingServer(t *testing.T) string {
	return tcptest.Serve(t, func(c net.Conn) {
		r := bufio.NewReader(c)
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			if strings.TrimSpace(line) == "PING" {
				if _, err := c.Write([]byte("+PONG\r\n")); err != nil {
					return
				}
			}
		}
	})
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

func TestConformance(t *testing.T) {
	addr := pingServer(t)
	slow := spec(map[string]any{"address": tcptest.Silent(t), "send": "PING\r\n", "expect": "PONG"})
	checktest.Run(t, "tcp", checktest.Targets{
		Up:   spec(map[string]any{"address": addr, "send": "PING\r\n", "expect": "PONG"}),
		Down: spec(map[string]any{"address": tcptest.ClosedAddr(t)}),
		Slow: &slow,
	})
}

func TestConnectOnly(t *testing.T) {
	obs := run(t, map[string]any{"address": tcptest.Silent(t)}, 5*time.Second)
	if obs.Err != nil {
		t.Fatal(obs.Err)
	}
	if obs.Values["CONNECTED"] != true {
		t.Errorf("CONNECTED = %v", obs.Values["CONNECTED"])
	}
	if _, ok := obs.Values["BODY"]; ok {
		t.Error("BODY set without expect")
	}
	if d, ok := obs.Values["RESPONSE_TIME"].(time.Duration); !ok || d <= 0 {
		t.Errorf("RESPONSE_TIME = %#v", obs.Values["RESPONSE_TIME"])
	}
}

func TestExpect(t *testing.T) {
	obs := run(t, map[string]any{"address": pingServer(t), "send": "PING\r\n", "expect": "PONG"}, 5*time.Second)
	if obs.Err != nil {
		t.Fatal(obs.Err)
	}
	if obs.Values["BODY"] != "+PONG\r\n" {
		t.Errorf("BODY = %q", obs.Values["BODY"])
	}
}

func TestRefused(t *testing.T) {
	obs := run(t, map[string]any{"address": tcptest.ClosedAddr(t)}, 5*time.Second)
	if obs.Err == nil || !strings.Contains(obs.Err.Error(), "连接被拒绝") {
		t.Fatalf("Err = %v", obs.Err)
	}
	if obs.Values["CONNECTED"] != false {
		t.Errorf("CONNECTED = %v", obs.Values["CONNECTED"])
	}
}

func TestReset(t *testing.T) {
	obs := run(t, map[string]any{"address": tcptest.Reset(t), "expect": "220"}, 5*time.Second)
	if obs.Err == nil || !strings.Contains(obs.Err.Error(), "重置") {
		t.Fatalf("Err = %v", obs.Err)
	}
}

func TestWrongBanner(t *testing.T) {
	addr := tcptest.Serve(t, func(c net.Conn) { c.Write([]byte("SSH-2.0-OpenSSH_9.2\r\n")) })
	obs := run(t, map[string]any{"address": addr, "expect": "220 "}, 5*time.Second)
	if obs.Err == nil || !strings.Contains(obs.Err.Error(), "提前关闭") {
		t.Fatalf("Err = %v", obs.Err)
	}
	if obs.Values["BODY"] != "SSH-2.0-OpenSSH_9.2\r\n" {
		t.Errorf("BODY = %q", obs.Values["BODY"])
	}
}

func TestReadLimit(t *testing.T) {
	addr := tcptest.Serve(t, func(c net.Conn) {
		chunk := []byte(strings.Repeat("x", 1024))
		for {
			if _, err := c.Write(chunk); err != nil {
				return
			}
		}
	})
	obs := run(t, map[string]any{"address": addr, "expect": "never"}, 5*time.Second)
	if obs.Err == nil || !strings.Contains(obs.Err.Error(), "没有期望的内容") {
		t.Fatalf("Err = %v", obs.Err)
	}
	if body, _ := obs.Values["BODY"].(string); len(body) != 4096 {
		t.Errorf("read %d bytes, want the 4096 limit", len(body))
	}
}

func TestBadParams(t *testing.T) {
	for _, tc := range []struct {
		params map[string]any
		key    string
	}{
		{map[string]any{}, "address"},
		{map[string]any{"address": "10.32.1.5"}, "address"},
		{map[string]any{"address": "10.32.1.5:http"}, "address"},
		{map[string]any{"address": "10.32.1.5:70000"}, "address"},
		{map[string]any{"address": "10.32.1.5:80", "send": []any{1}}, "send"},
	} {
		_, err := check.New(spec(tc.params))
		if err == nil || !strings.Contains(err.Error(), "参数 "+tc.key) {
			t.Errorf("%v: err = %v, want one naming %s", tc.params, err, tc.key)
		}
	}
}

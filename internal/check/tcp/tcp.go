package tcp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/opsbook/opsbook/internal/check"
)

// maxRead bounds what is read while waiting for expect.
const maxRead = 4096

func init() {
	check.Register(check.Type{
		Name:         "tcp",
		Label:        "TCP 端口",
		Placeholders: []string{"CONNECTED", "RESPONSE_TIME", "BODY"},
		Category:     "network",
		New:          newChecker,
	})
}

type checker struct {
	address, send, expect string
	timeout               time.Duration
}

func newChecker(spec check.Spec) (check.Checker, error) {
	p := spec.P()
	c := &checker{
		address: p.String("address", true),
		send:    p.String("send", false),
		expect:  p.String("expect", false),
		timeout: spec.Timeout,
	}
	if c.address != "" {
		if err := ValidateAddress(c.address); err != nil {
			p.Fail("address", "%v", err)
		}
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	return c, nil
}

// ValidateAddress checks that address is host:port with a numeric port.
func ValidateAddress(address string) error {
	host, port, err := net.SplitHostPort(address)
	if err != nil || host == "" || port == "" {
		return fmt.Errorf("%q 应为 主机:端口，例如 10.32.1.5:8080", address)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("%q 的端口应为 1–65535 的数字", address)
	}
	return nil
}

func (c *checker) Check(ctx context.Context) check.Observation {
	ctx, cancel := WithDeadline(ctx, c.timeout)
	defer cancel()
	values := map[string]any{"CONNECTED": false}
	start := time.Now()
	conn, err := Dial(ctx, "tcp", c.address)
	if err != nil {
		return check.Failed(Describe(ctx, "连接 "+c.address, err), values)
	}
	defer conn.Close()
	values["CONNECTED"] = true
	values["RESPONSE_TIME"] = time.Since(start)
	if c.send != "" {
		if _, err := conn.Write([]byte(c.send)); err != nil {
			return check.Failed(Describe(ctx, "向 "+c.address+" 发送 send 内容", err), values)
		}
	}
	if c.expect == "" {
		return check.Observation{Values: values}
	}
	got, err := readUntil(conn, []byte(c.expect))
	values["BODY"] = strings.ToValidUTF8(string(got), "\uFFFD")
	if bytes.Contains(got, []byte(c.expect)) {
		values["RESPONSE_TIME"] = time.Since(start)
		return check.Observation{Values: values}
	}
	if err == nil || errors.Is(err, errFull) {
		return check.Failed(fmt.Errorf("%s 的前 %d 字节中没有期望的内容 %q；请核对 expect，或确认端口上运行的是预期的服务", c.address, len(got), c.expect), values)
	}
	return check.Failed(Describe(ctx, fmt.Sprintf("等待 %s 返回期望的内容 %q（已收到 %d 字节）", c.address, c.expect, len(got)), err), values)
}

var errFull = errors.New("read limit reached")

// readUntil reads until want appears, maxRead bytes were read, or an error.
func readUntil(conn net.Conn, want []byte) ([]byte, error) {
	buf := make([]byte, 0, 512)
	chunk := make([]byte, 512)
	for {
		n, err := conn.Read(chunk[:min(len(chunk), maxRead-len(buf))])
		buf = append(buf, chunk[:n]...)
		if bytes.Contains(buf, want) {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
		if len(buf) >= maxRead {
			return buf, errFull
		}
	}
}

package tcp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"time"
)

// DefaultTimeout bounds an attempt whose context has no deadline and whose
// spec has no timeout, so a silent target can never hang a check.
const DefaultTimeout = 30 * time.Second

// WithDeadline applies the spec's timeout to ctx, or DefaultTimeout when
// neither sets a deadline.
func WithDeadline(ctx context.Context, timeout time.Duration) (context.Context, context.CancelFunc) {
	if timeout > 0 {
		return context.WithTimeout(ctx, timeout)
	}
	if _, ok := ctx.Deadline(); !ok {
		return context.WithTimeout(ctx, DefaultTimeout)
	}
	return context.WithCancel(ctx)
}

// Dial connects to address, applies ctx's deadline to the connection and
// closes it when ctx ends, so no read or write outlives the attempt.
func Dial(ctx context.Context, network, address string) (net.Conn, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, network, address)
	if err != nil {
		return nil, err
	}
	Bind(ctx, conn)
	return conn, nil
}

// Bind ties an open connection to ctx: its deadline becomes the
// connection's and cancellation closes it.
func Bind(ctx context.Context, conn net.Conn) {
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	context.AfterFunc(ctx, func() { _ = conn.Close() })
}

// Describe wraps err, met while doing what (e.g. "连接 10.32.1.5:8080"),
// with a Chinese explanation and what to do. ctx is the attempt's context:
// once it has ended, its end (deadline or cancellation) is the cause
// whatever the network layer reported.
func Describe(ctx context.Context, what string, err error) error {
	return fmt.Errorf("%s：%s（%w）", what, Hint(ctx, err), err)
}

// Hint is the Chinese explanation Describe uses.
func Hint(ctx context.Context, err error) string {
	switch {
	case errors.Is(ctx.Err(), context.Canceled) || errors.Is(err, context.Canceled):
		return "检查已被取消"
	case ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) || isTimeout(err):
		return "超时，未在期限内完成；请检查目标是否卡住、网络是否丢包，或调大 timeout"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "连接被拒绝；请确认服务已启动、端口正确、防火墙已放行"
	case errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE):
		return "连接被对端重置；请查看服务日志，或检查中间的防火墙、负载均衡"
	case errors.Is(err, syscall.EHOSTUNREACH) || errors.Is(err, syscall.ENETUNREACH):
		return "网络不可达；请检查路由和防火墙策略"
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return "连接被对端提前关闭；请查看服务日志"
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		if dnsErr.IsNotFound {
			return "主机名无法解析；请检查主机名拼写和本机 DNS 配置"
		}
		return "域名解析失败；请检查本机 DNS 配置"
	}
	return "失败"
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

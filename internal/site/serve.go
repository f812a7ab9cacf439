package site

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/opsbook/opsbook/internal/access"
	"github.com/opsbook/opsbook/internal/watch"
)

// ServeOptions configure ServeWith.
type ServeOptions struct {
	// Access is the access file (opsbook site serve --access); nil serves
	// without sign-in, refusing restricted content.
	Access *access.Policy
	// Preview serves restricted content without sign-in when the address
	// is a loopback one (opsbook site preview on the author's machine).
	Preview bool
	Log     io.Writer
	// Location is the time zone of the access log (opsbook.yaml
	// timezone); nil is the host's.
	Location *time.Location
}

// Serve serves dir on addr until ctx ends, without sign-in: restricted
// content (public/_access/restricted.json) is refused, the rest is public.
// The site uses only relative URLs, so any path prefix works too.
func Serve(ctx context.Context, dir, addr string, log io.Writer) error {
	return ServeWith(ctx, dir, addr, ServeOptions{Log: log})
}

// ServeWith serves dir on addr until ctx ends through internal/access:
// requests are checked for path traversal, restricted content needs the
// access file's grant, and every request is logged when the file says so.
func ServeWith(ctx context.Context, dir, addr string, o ServeOptions) error {
	log := o.Log
	if log == nil {
		log = io.Discard
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("监听 %s：%w", addr, err)
	}
	defer ln.Close()
	loopback := false
	if ta, ok := ln.Addr().(*net.TCPAddr); ok {
		loopback = ta.IP.IsLoopback()
	}
	var h interface {
		http.Handler
		Restricted() bool
		Close() error
	}
	if o.Access != nil && o.Access.File != "" {
		// Edits to the access file take effect without a restart.
		r, err := access.NewReloading(dir, access.Options{Policy: o.Access, Location: o.Location}, log)
		if err != nil {
			return err
		}
		go r.Watch(ctx, accessReloadInterval)
		h = r
	} else {
		s, err := access.NewServer(dir, access.Options{Policy: o.Access, AllowRestricted: o.Preview && o.Access == nil && loopback, Location: o.Location})
		if err != nil {
			return err
		}
		h = s
	}
	defer h.Close()
	switch {
	case o.Access != nil:
		fmt.Fprintf(log, "访问控制：%s（%d 个本地用户%s；修改该文件后自动生效，无需重启）\n", o.Access.File, len(o.Access.Users), ssoNote(o.Access))
		if o.Access.CookieSecure && !loopback {
			fmt.Fprintln(log, "提示：会话 Cookie 带 Secure 标志，浏览器只经 HTTPS 发送：请通过内网 Web 服务器的 HTTPS 地址访问（测试环境可在访问控制文件中设 session.cookie_secure: false）")
		}
	case h.Restricted() && o.Preview && loopback:
		fmt.Fprintln(log, "预览：受控内容无需登录即可访问（仅限本机地址）")
	case h.Restricted():
		fmt.Fprintln(log, "警告：站点含受控内容，但未指定 --access：受控页面、附件和受控搜索索引一律拒绝访问")
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: time.Minute, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 64 << 10}
	fmt.Fprintf(log, "站点：http://%s/ （按 Ctrl+C 停止）\n", ln.Addr())
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// accessReloadInterval is how often site serve looks at the access file.
var accessReloadInterval = 2 * time.Second

func ssoNote(p *access.Policy) string {
	if p.TrustedHeader == "" {
		return ""
	}
	return "，信任代理的 " + p.TrustedHeader + " 头"
}

// Watch calls rebuild whenever a file under the repository's content,
// schemas, runbooks or opsbook.yaml changes (internal/watch: polling once a
// second).
func Watch(ctx context.Context, root string, rebuild func()) {
	watch.OnChange(ctx, time.Second, func() uint64 {
		return watch.Stamp(root, "content", "schemas", "runbooks", "opsbook.yaml")
	}, rebuild)
}

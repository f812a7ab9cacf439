package site

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"path/filepath"
	"time"
)

// Serve serves dir on addr until ctx ends. Files are served as they are;
// the site uses only relative URLs, so any path prefix works too.
func Serve(ctx context.Context, dir, addr string, log io.Writer) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("监听 %s：%w", addr, err)
	}
	srv := &http.Server{Handler: noCache(http.FileServer(http.Dir(dir))), ReadHeaderTimeout: 5 * time.Second}
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

func noCache(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-cache")
		h.ServeHTTP(w, r)
	})
}

// Watch calls rebuild whenever a file under the repository's content,
// schemas, runbooks or opsbook.yaml changes (polling once a second: no
// inotify limits, works on network file systems).
func Watch(ctx context.Context, root string, rebuild func()) {
	last := fingerprint(root)
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if fp := fingerprint(root); fp != last {
				last = fp
				rebuild()
			}
		}
	}
}

func fingerprint(root string) string {
	var n int
	var latest time.Time
	var size int64
	for _, d := range []string{"content", "schemas", "runbooks", "opsbook.yaml"} {
		filepath.WalkDir(filepath.Join(root, d), func(p string, e fs.DirEntry, err error) error {
			if err != nil {
				return nil
			}
			if info, err := e.Info(); err == nil {
				n++
				size += info.Size()
				if info.ModTime().After(latest) {
					latest = info.ModTime()
				}
			}
			return nil
		})
	}
	return fmt.Sprintf("%d/%d/%d", n, size, latest.UnixNano())
}

package access

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/opsbook/opsbook/internal/watch"
)

// Reloading serves like a Server and picks up changes to the access file
// without a restart: users, groups, passwords, rules and project grants
// take effect on the next request once the file has been re-read and
// found valid. A file with errors is reported and the previous settings
// stay in force. Requests under way finish with the settings they began
// with. Failed sign-in counters start afresh with each version of the
// file; sessions carry over, except those of users the new version removes
// or gives a new password; where the access log goes is read only at start.
type Reloading struct {
	dir   string
	o     Options
	notes io.Writer // reload messages
	cur   atomic.Pointer[Server]
	first *Server // owns the access log

	mu   sync.Mutex // serialises Reload
	file string
	data []byte // the version in force
	bad  []byte // the last version that failed, reported once
}

// NewReloading serves dir with o.Policy, which must come from a file
// (Load), and re-reads that file on Reload. notes receives what reloading
// did.
func NewReloading(dir string, o Options, notes io.Writer) (*Reloading, error) {
	if o.Policy == nil || o.Policy.File == "" {
		return nil, errors.New("重新加载需要来自文件的访问控制设置")
	}
	// Serve the very bytes later reloads compare with: the file may have
	// changed since the caller loaded it.
	data, err := os.ReadFile(o.Policy.File)
	if err != nil {
		return nil, fmt.Errorf("读取访问控制文件 %s：%w", o.Policy.File, err)
	}
	if o.Policy, err = loadBytes(o.Policy.File, data); err != nil {
		return nil, err
	}
	o.sessions = newSessionTable() // one for every version of the file
	s, err := NewServer(dir, o)
	if err != nil {
		return nil, err
	}
	if notes == nil {
		notes = io.Discard
	}
	r := &Reloading{dir: dir, o: o, notes: notes, first: s, file: o.Policy.File, data: data}
	r.cur.Store(s)
	return r, nil
}

func (r *Reloading) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.cur.Load().ServeHTTP(w, req)
}

// Restricted reports whether the site has restricted content.
func (r *Reloading) Restricted() bool { return r.cur.Load().Restricted() }

// Close closes the access log.
func (r *Reloading) Close() error { return r.first.Close() }

// Reload re-reads the access file and, when it changed and is valid, serves
// with it from the next request on. It reports whether the settings
// changed; an invalid file is an error and changes nothing.
func (r *Reloading) Reload() (bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	data, err := os.ReadFile(r.file)
	if err != nil {
		return false, fmt.Errorf("读取访问控制文件 %s：%w", r.file, err)
	}
	if bytes.Equal(data, r.data) {
		return false, nil
	}
	p, err := loadBytes(r.file, data)
	if err != nil {
		return false, err
	}
	o := r.o
	o.Policy = p
	if o.Log == nil {
		o.Log = r.first.logw // keep the log the first server opened
		if o.Log == nil {
			o.Log = io.Discard // none at start: none until a restart
		}
	}
	s, err := NewServer(r.dir, o)
	if err != nil {
		return false, err
	}
	if p.AccessLog != r.o.Policy.AccessLog {
		fmt.Fprintf(r.notes, "注意：访问日志位置（access_log）的修改要重启后才生效，日志仍写到原位置\n")
	}
	r.cur.Store(s)
	// Sessions of users removed or with a new password end now, and stay
	// ended should the old entry come back.
	o.sessions.sweep(p.fingerprint)
	r.data = data
	return true, nil
}

// Watch calls Reload every interval until ctx ends and writes what
// happened to notes: each new version once, each broken version once.
func (r *Reloading) Watch(ctx context.Context, interval time.Duration) {
	watch.Every(ctx, interval, func() {
		changed, err := r.Reload()
		switch {
		case err != nil:
			data, _ := os.ReadFile(r.file)
			if !bytes.Equal(data, r.bad) {
				r.bad = data
				fmt.Fprintf(r.notes, "访问控制文件有错误，继续使用上一版本的设置：%v\n", err)
			}
		case changed:
			r.bad = nil
			p := r.cur.Load().p
			fmt.Fprintf(r.notes, "已重新加载访问控制文件 %s（%d 个本地用户）\n", r.file, len(p.Users))
		}
	})
}

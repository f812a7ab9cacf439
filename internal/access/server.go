package access

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// Options configure a Server.
type Options struct {
	// Policy is the access file; nil serves without sign-in: restricted
	// content is then refused to everyone (unless AllowRestricted) and the
	// rest is public.
	Policy *Policy
	// AllowRestricted serves restricted content without sign-in too; only
	// with a nil Policy, for a preview on the author's own machine.
	AllowRestricted bool
	// Log receives the access log instead of the policy's access_log.
	Log io.Writer
	// Location is the time zone of the access log's times, the
	// repository's (opsbook.yaml timezone); nil is the host's.
	Location *time.Location
	// sessions is the session table, shared by the servers of a Reloading;
	// nil: a table of the server's own.
	sessions *sessionTable
	// Now and Sleep replace the clock in tests.
	Now   func() time.Time
	Sleep func(time.Duration)
}

// Server serves a built site directory with access control.
type Server struct {
	dir      string
	p        *Policy
	o        Options
	lim      *limiter
	sessions *sessionTable
	secure   bool
	dummy    []byte // a bcrypt hash compared when the user does not exist

	logMu  sync.Mutex
	logw   io.Writer
	closer io.Closer

	mfMu  sync.Mutex
	mfKey string
	mf    *Manifest
}

// NewServer serves dir (a built site: public/).
func NewServer(dir string, o Options) (*Server, error) {
	if o.Policy != nil && o.AllowRestricted {
		return nil, errors.New("AllowRestricted 只用于未配置访问控制的本机预览")
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Sleep == nil {
		o.Sleep = time.Sleep
	}
	if o.Location == nil {
		o.Location = time.Local
	}
	st, err := os.Stat(dir)
	if err != nil || !st.IsDir() {
		return nil, fmt.Errorf("站点目录 %s 不存在：先运行 opsbook site build", dir)
	}
	s := &Server{dir: dir, p: o.Policy, o: o, logw: o.Log, sessions: o.sessions}
	if s.p != nil {
		s.lim = newLimiter(s.p)
		if s.sessions == nil {
			s.sessions = newSessionTable()
		}
		s.secure = s.p.CookieSecure
		cost := bcrypt.DefaultCost
		for _, u := range s.p.Users {
			if c, err := bcrypt.Cost(u.Hash); err == nil && c > cost {
				cost = c
			}
		}
		s.dummy, _ = bcrypt.GenerateFromPassword([]byte("opsbook-no-such-user"), cost)
		if s.logw == nil && s.p.AccessLog != "" {
			if s.p.AccessLog == "-" {
				s.logw = os.Stderr
			} else {
				name := s.p.AccessLog
				if !filepath.IsAbs(name) {
					name = filepath.Join(filepath.Dir(s.p.File), name)
				}
				f, err := os.OpenFile(name, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
				if err != nil {
					return nil, fmt.Errorf("打开访问日志 %s：%w", name, err)
				}
				s.logw, s.closer = f, f
			}
		}
	}
	return s, nil
}

// Close closes the access log.
func (s *Server) Close() error {
	if s.closer != nil {
		return s.closer.Close()
	}
	return nil
}

// Restricted reports whether the site directory has restricted content
// (a manifest listing any), for the command's warnings.
func (s *Server) Restricted() bool {
	root, err := os.OpenRoot(s.dir)
	if err != nil {
		return false
	}
	defer root.Close()
	m := s.manifest(root)
	return m != nil && len(m.Prefixes) > 0
}

// logEntry is one line of the access log.
type logEntry struct {
	Time     string `json:"time"`
	User     string `json:"user"`
	IP       string `json:"ip"`
	Method   string `json:"method"`
	Path     string `json:"path"`
	Status   int    `json:"status"`
	Decision string `json:"decision"`
	Reason   string `json:"reason,omitempty"`
}

// reqState is what one request's handling found, for its log line.
type reqState struct {
	http.ResponseWriter
	status   int
	user     string
	decision string
	reason   string
}

func (r *reqState) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *reqState) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	st := &reqState{ResponseWriter: w}
	defer s.log(st, r)
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "SAMEORIGIN")
	h.Set("Cache-Control", "no-cache, private")
	if s.p != nil {
		h.Add("Vary", "Cookie")
	}
	rel, err := cleanPath(r)
	if err != nil {
		st.decision, st.reason = "bad-path", err.Error()
		s.page(st, http.StatusBadRequest, "请求路径无效", "请求的地址含有不允许的字符或路径片段（"+err.Error()+"）。", "")
		return
	}
	id := s.identify(r)
	if id != nil {
		st.user = id.User
	}
	if rel == ReservedDir || strings.HasPrefix(rel, ReservedDir+"/") {
		s.reserved(st, r, id, strings.TrimPrefix(strings.TrimPrefix(rel, ReservedDir), "/"))
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		h.Set("Allow", "GET, HEAD")
		st.decision = "bad-method"
		s.page(st, http.StatusMethodNotAllowed, "不支持的请求方法", "站点只读：只接受 GET 和 HEAD。", "")
		return
	}
	root, err := os.OpenRoot(s.dir)
	if err != nil {
		st.decision, st.reason = "error", err.Error()
		s.page(st, http.StatusServiceUnavailable, "站点暂不可用", "站点目录无法打开，可能正在重新构建，请稍后刷新。", "")
		return
	}
	defer root.Close()
	m := s.manifest(root)
	file := rel
	if file == "" || strings.HasSuffix(file, "/") {
		file += "index.html"
	}
	d := s.decide(id, file, m)
	st.reason = d.Reason
	if !d.Allow {
		s.deny(st, r, id, d, rel)
		return
	}
	st.decision = "allow"
	s.serveFile(st, r, root, rel, file, d.Project != "")
}

// decide applies the policy, or the rules of a server without one.
func (s *Server) decide(id *Identity, file string, m *Manifest) Decision {
	if s.p != nil {
		return s.p.Decide(id, file, m)
	}
	if proj, restricted := m.ProjectOf(file); restricted {
		if s.o.AllowRestricted {
			return Decision{Allow: true, Project: proj, Reason: "本机预览"}
		}
		return Decision{Project: proj, Reason: "未配置访问控制（--access），受控内容不提供"}
	}
	return Decision{Allow: true}
}

// deny answers a refused request: a redirect to the sign-in page for a
// page nobody signed in asked for, 401 for other files, 403 otherwise.
func (s *Server) deny(st *reqState, r *http.Request, id *Identity, d Decision, rel string) {
	st.decision = "deny"
	if d.NeedLogin && s.p != nil {
		st.decision = "login"
		if s.canSignIn() && isPage(rel) {
			st.Header().Set("Location", toRoot(r.URL.Path)+ReservedDir+"/login?next="+url.QueryEscape(rel))
			st.WriteHeader(http.StatusFound)
			return
		}
		s.page(st, http.StatusUnauthorized, "需要登录", "访问此内容须先登录。", toRoot(r.URL.Path)+ReservedDir+"/login?next="+url.QueryEscape(rel))
		return
	}
	msg := "您没有访问此内容的权限。如需访问，请联系运维负责人开通相应的用户组。"
	if s.p == nil {
		msg = "此内容受控：站点未配置访问控制，受控内容不提供。请使用 opsbook site serve --access 访问控制文件 提供站点。"
	}
	who := ""
	if id != nil {
		who = id.User
	}
	s.pageUser(st, http.StatusForbidden, "无权访问", msg, "", who, toRoot(r.URL.Path))
}

// canSignIn reports whether the sign-in page can sign anybody in.
func (s *Server) canSignIn() bool {
	for _, u := range s.p.Users {
		if u.Hash != nil {
			return true
		}
	}
	return false
}

// isPage reports whether a request is (probably) a browser navigation: a
// directory or an HTML file.
func isPage(rel string) bool {
	return rel == "" || strings.HasSuffix(rel, "/") || strings.HasSuffix(rel, ".html") || path.Ext(rel) == ""
}

// toRoot is the relative path from a request's URL path to the site root:
// "./" for /x.html, "../../" for /a/b/, so redirects work under any prefix.
func toRoot(urlPath string) string {
	n := strings.Count(urlPath[:strings.LastIndexByte(urlPath, '/')+1], "/") - 1
	if n <= 0 {
		return "./"
	}
	return strings.Repeat("../", n)
}

// serveFile sends one file of the site. Every component of the path is
// checked with Lstat inside the root: a symbolic link anywhere is refused.
func (s *Server) serveFile(st *reqState, r *http.Request, root *os.Root, rel, file string, restricted bool) {
	parts := strings.Split(strings.TrimSuffix(file, "/"), "/")
	for i := range parts {
		sub := strings.Join(parts[:i+1], "/")
		fi, err := root.Lstat(sub)
		if err != nil {
			s.notFound(st)
			return
		}
		if fi.Mode()&fs.ModeSymlink != 0 {
			st.decision, st.reason = "bad-path", "符号链接"
			s.page(st, http.StatusForbidden, "拒绝访问", "站点目录中的符号链接不提供访问。", "")
			return
		}
		if i < len(parts)-1 && !fi.IsDir() {
			s.notFound(st)
			return
		}
		if i == len(parts)-1 && fi.IsDir() {
			if !strings.HasSuffix(rel, "/") && rel != "" {
				// A directory without its slash: relative links in its
				// index.html need it.
				st.Header().Set("Location", (&url.URL{Path: parts[i] + "/"}).EscapedPath())
				st.WriteHeader(http.StatusMovedPermanently)
				return
			}
			s.notFound(st)
			return
		}
	}
	f, err := root.Open(file)
	if err != nil {
		s.notFound(st)
		return
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		s.notFound(st)
		return
	}
	h := st.Header()
	if restricted {
		h.Set("Cache-Control", "no-store")
	}
	ext := strings.ToLower(path.Ext(file))
	ct := contentTypes[ext]
	if ct == "" {
		ct = mime.TypeByExtension(ext)
	}
	if ct == "" {
		ct = "application/octet-stream"
	}
	h.Set("Content-Type", ct)
	switch {
	case isAttachment(file):
		name := path.Base(file)
		if inlineTypes[ext] {
			h.Set("Content-Disposition", "inline; filename*=UTF-8''"+url.PathEscape(name))
		} else {
			h.Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(name))
			h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
		}
	case ext == ".html":
		h.Set("Content-Security-Policy", siteCSP)
	}
	http.ServeContent(st, r, "", fi.ModTime(), f)
}

// siteCSP allows the site's own scripts, styles and images, and nothing
// from elsewhere.
const siteCSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
	"object-src 'none'; base-uri 'none'; frame-ancestors 'self'; form-action 'self'"

var contentTypes = map[string]string{
	".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8",
	".json": "application/json", ".txt": "text/plain; charset=utf-8", ".svg": "image/svg+xml", ".png": "image/png",
	".pdf": "application/pdf", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif", ".webp": "image/webp",
}

// inlineTypes are attachments a browser may show itself without running
// anything in the site's origin.
var inlineTypes = map[string]bool{".pdf": true, ".png": true, ".jpg": true, ".jpeg": true, ".gif": true, ".webp": true}

// isAttachment reports whether file is a record's attachment
// (<kind>/<id>/files/…), which is sent as a download.
func isAttachment(file string) bool {
	parts := strings.SplitN(file, "/", 4)
	return len(parts) == 4 && parts[2] == "files"
}

func (s *Server) notFound(st *reqState) {
	st.decision = "not-found"
	s.page(st, http.StatusNotFound, "页面不存在", "站点中没有这个地址。", "")
}

// manifest is the site's restricted manifest, read through root (the same
// directory the file will be read from) and cached while it is unchanged.
// A manifest that cannot be read makes everything under the restricted
// index directory refused, and nothing else restricted.
func (s *Server) manifest(root *os.Root) *Manifest {
	fi, err := root.Stat(ManifestPath)
	if err != nil {
		return nil
	}
	key := fmt.Sprintf("%d/%d", fi.Size(), fi.ModTime().UnixNano())
	s.mfMu.Lock()
	defer s.mfMu.Unlock()
	if key == s.mfKey {
		return s.mf
	}
	f, err := root.Open(ManifestPath)
	if err != nil {
		return nil
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, 64<<20))
	if err != nil {
		return nil
	}
	m, err := ParseManifest(data)
	if err != nil {
		// Fail closed: an unreadable manifest restricts nothing it names,
		// so refuse the whole site's restricted kinds by a catch-all.
		m = &Manifest{V: 1, Prefixes: map[string]string{"document/": "", "project/": ""}}
	}
	s.mfKey, s.mf = key, m
	return m
}

// identify returns who sent r: the trusted proxy's header, else a valid
// session cookie, else nil.
func (s *Server) identify(r *http.Request) *Identity {
	if s.p == nil {
		return nil
	}
	if s.p.TrustedHeader != "" && s.fromTrustedProxy(r) {
		if u := strings.TrimSpace(r.Header.Get(s.p.TrustedHeader)); u != "" && validHeaderUser(u) {
			groups := s.p.GroupsOf(u)
			if s.p.GroupsHeader != "" {
				for _, g := range strings.Split(r.Header.Get(s.p.GroupsHeader), ",") {
					if g = strings.TrimSpace(g); g != "" {
						groups = append(groups, g)
					}
				}
			}
			return &Identity{User: u, Groups: groups, Via: "header"}
		}
	}
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil
	}
	id, u, ok := s.session(c.Value)
	if !ok {
		return nil
	}
	return &Identity{User: u, Groups: s.p.GroupsOf(u), Via: "password", session: id}
}

func validHeaderUser(u string) bool {
	if len(u) > 128 {
		return false
	}
	for _, r := range u {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}

// peer is the request's peer address.
func peer(r *http.Request) (netip.Addr, bool) {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, err := netip.ParseAddr(host)
	return a.Unmap(), err == nil
}

func (s *Server) fromTrustedProxy(r *http.Request) bool {
	a, ok := peer(r)
	if !ok || s.p == nil {
		return false
	}
	for _, p := range s.p.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// clientIP is the address sign-in limits and the log count: the peer, or,
// behind a trusted proxy, the address it appended to X-Forwarded-For.
func (s *Server) clientIP(r *http.Request) string {
	a, ok := peer(r)
	if !ok {
		return r.RemoteAddr
	}
	if s.fromTrustedProxy(r) {
		if xff := r.Header.Values("X-Forwarded-For"); len(xff) > 0 {
			list := strings.Split(xff[len(xff)-1], ",")
			if c, err := netip.ParseAddr(strings.TrimSpace(list[len(list)-1])); err == nil {
				return c.Unmap().String()
			}
		}
	}
	return a.String()
}

func (s *Server) log(st *reqState, r *http.Request) {
	if s.logw == nil {
		return
	}
	p := r.RequestURI
	if i := strings.IndexByte(p, '?'); i >= 0 {
		p = p[:i]
	}
	if len(p) > 512 {
		p = p[:512] + "…"
	}
	status := st.status
	if status == 0 {
		status = http.StatusOK
	}
	data, _ := json.Marshal(logEntry{Time: s.o.Now().In(s.o.Location).Format("2006-01-02T15:04:05.000Z07:00"), User: st.user, IP: s.clientIP(r),
		Method: r.Method, Path: p, Status: status, Decision: st.decision, Reason: st.reason})
	s.logMu.Lock()
	defer s.logMu.Unlock()
	s.logw.Write(append(data, '\n'))
}

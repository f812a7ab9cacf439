package access

import (
	"bytes"
	"crypto/hmac"
	"encoding/json"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// reserved answers the server's own pages under /_access/.
func (s *Server) reserved(st *reqState, r *http.Request, id *Identity, name string) {
	switch name {
	case "login":
		if s.p != nil {
			s.login(st, r, id)
			return
		}
	case "logout":
		if s.p != nil {
			s.logout(st, r, id)
			return
		}
	case "search.json":
		s.searchJSON(st, r, id)
		return
	case "whoami.json":
		st.decision = "allow"
		v := map[string]any{"user": "", "groups": []string{}}
		if id != nil {
			v = map[string]any{"user": id.User, "groups": id.Groups, "via": id.Via}
		}
		s.json(st, v)
		return
	}
	s.notFound(st)
}

// searchJSON tells the search client which restricted indexes it may read.
func (s *Server) searchJSON(st *reqState, r *http.Request, id *Identity) {
	st.decision = "allow"
	out := struct {
		User    string   `json:"user"`
		Indexes []string `json:"indexes"`
	}{Indexes: []string{}}
	root, err := os.OpenRoot(s.dir)
	if err == nil {
		defer root.Close()
		m := s.manifest(root)
		switch {
		case s.p != nil:
			out.Indexes = append(out.Indexes, s.p.ReadableIndexes(id, m)...)
		case s.o.AllowRestricted:
			for _, p := range m.Projects() {
				out.Indexes = append(out.Indexes, m.Indexes[p])
			}
		}
	}
	if id != nil {
		out.User = id.User
	}
	s.json(st, out)
}

func (s *Server) json(st *reqState, v any) {
	data, _ := json.Marshal(v)
	h := st.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	st.WriteHeader(http.StatusOK)
	st.Write(data)
}

// newCSRF sets a fresh signed CSRF token cookie and returns the token for
// the form (double submit: both must be equal and correctly signed).
func (s *Server) newCSRF(st *reqState) string {
	tok := sign(s.p.Secret, "csrf", randomToken())
	http.SetCookie(st, s.cookie(csrfCookie, tok, 3600))
	return tok
}

// csrfOK checks a form post: same-origin by Sec-Fetch-Site where the browser
// sends it, and the form's token equal to the cookie's, signed by us.
func (s *Server) csrfOK(r *http.Request) bool {
	if v := r.Header.Get("Sec-Fetch-Site"); v != "" && v != "same-origin" && v != "none" {
		return false
	}
	c, err := r.Cookie(csrfCookie)
	if err != nil {
		return false
	}
	form := r.PostFormValue("csrf")
	if !hmac.Equal([]byte(c.Value), []byte(form)) {
		return false
	}
	_, ok := verify(s.p.Secret, "csrf", form)
	return ok
}

// login is the sign-in page: GET shows the form, POST checks it.
func (s *Server) login(st *reqState, r *http.Request, id *Identity) {
	v := pageView{Title: "登录", Home: "../", Next: safeNext(r.URL.Query().Get("next"))}
	if id != nil {
		v.User = id.User
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		st.decision = "allow"
		v.CSRF = s.newCSRF(st)
		v.SSO = s.p.TrustedHeader != ""
		s.render(st, http.StatusOK, v)
		return
	case http.MethodPost:
	default:
		st.Header().Set("Allow", "GET, POST")
		st.decision = "bad-method"
		s.page(st, http.StatusMethodNotAllowed, "不支持的请求方法", "请使用登录表单。", "")
		return
	}
	r.Body = http.MaxBytesReader(st, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		st.decision = "bad-request"
		s.page(st, http.StatusBadRequest, "请求无效", "登录表单无法读取。", "login")
		return
	}
	v.Next = safeNext(r.PostFormValue("next"))
	if !s.csrfOK(r) {
		st.decision, st.reason = "csrf", "表单令牌无效或跨站提交"
		v.CSRF, v.Error = s.newCSRF(st), "登录表单已过期或来源不明，请重新输入用户名和密码。"
		s.render(st, http.StatusForbidden, v)
		return
	}
	user := strings.TrimSpace(r.PostFormValue("user"))
	password := r.PostFormValue("password")
	v.Name = user
	if user == "" || len(user) > 64 || password == "" {
		st.decision = "bad-request"
		v.CSRF, v.Error = s.newCSRF(st), "请输入用户名和密码。"
		s.render(st, http.StatusBadRequest, v)
		return
	}
	now := s.o.Now()
	ip := s.clientIP(r)
	st.reason = "用户名 " + user
	switch verdict, retry := s.lim.begin(ip, user, now); verdict {
	case rateLimited:
		st.decision = "rate-limited"
		st.Header().Set("Retry-After", strconv.Itoa(seconds(retry)))
		v.CSRF, v.Error = s.newCSRF(st), fmt.Sprintf("登录尝试过于频繁，请 %d 秒后再试。", seconds(retry))
		s.render(st, http.StatusTooManyRequests, v)
		return
	case lockedOut:
		st.decision = "locked"
		s.o.Sleep(s.p.FailureDelay)
		st.Header().Set("Retry-After", strconv.Itoa(seconds(retry)))
		v.CSRF, v.Error = s.newCSRF(st), fmt.Sprintf("连续登录失败次数过多，该账户或地址已被临时锁定，请 %s 后再试。", waitText(retry))
		s.render(st, http.StatusTooManyRequests, v)
		return
	}
	u := s.p.Users[user]
	hash := s.dummy
	if u != nil && u.Hash != nil {
		hash = u.Hash
	}
	err := bcrypt.CompareHashAndPassword(hash, []byte(password))
	if err != nil || u == nil || u.Hash == nil {
		locked := s.lim.fail(ip, user, now)
		s.o.Sleep(s.p.FailureDelay)
		st.decision = "sign-in-failed"
		v.CSRF, v.Error = s.newCSRF(st), "用户名或密码错误。"
		if locked {
			v.Error += fmt.Sprintf("连续失败次数已达上限，已锁定 %s。", waitText(s.p.Lockout))
		}
		s.render(st, http.StatusUnauthorized, v)
		return
	}
	s.lim.succeed(ip, user, now)
	st.user, st.decision, st.reason = user, "signed-in", ""
	fp, _ := s.p.fingerprint(user)
	sid := s.sessions.create(user, fp, now, now.Add(s.p.SessionTTL))
	http.SetCookie(st, s.cookie(sessionCookie, s.sessionCookieValue(sid), int(s.p.SessionTTL/time.Second)))
	http.SetCookie(st, s.cookie(csrfCookie, "", -1))
	st.Header().Set("Location", "../"+(&url.URL{Path: v.Next}).EscapedPath())
	st.WriteHeader(http.StatusSeeOther)
}

// logout: GET asks, POST (with the form's token) ends the session: the
// server forgets it, so the cookie is worthless even if kept or copied.
func (s *Server) logout(st *reqState, r *http.Request, id *Identity) {
	v := pageView{Title: "退出登录", Home: "../", Logout: true}
	if id != nil {
		v.User = id.User
	}
	if r.Method != http.MethodPost {
		st.decision = "allow"
		v.CSRF = s.newCSRF(st)
		s.render(st, http.StatusOK, v)
		return
	}
	r.Body = http.MaxBytesReader(st, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil || !s.csrfOK(r) {
		st.decision = "csrf"
		v.CSRF, v.Error = s.newCSRF(st), "表单已过期，请再点一次“退出登录”。"
		s.render(st, http.StatusForbidden, v)
		return
	}
	st.decision = "signed-out"
	if id != nil && id.session != "" {
		s.sessions.revoke(id.session)
	}
	http.SetCookie(st, s.cookie(sessionCookie, "", -1))
	http.SetCookie(st, s.cookie(csrfCookie, "", -1))
	st.Header().Set("Location", "login")
	st.WriteHeader(http.StatusSeeOther)
}

func seconds(d time.Duration) int { return int(math.Ceil(d.Seconds())) }

// waitText says a wait in minutes (or seconds when under a minute).
func waitText(d time.Duration) string {
	if d < time.Minute {
		return fmt.Sprintf("%d 秒", seconds(d))
	}
	return fmt.Sprintf("%d 分钟", int(math.Ceil(d.Minutes())))
}

// pageView is the data of the server's own pages.
type pageView struct {
	Title, Message string
	Error          string
	Home           string // relative URL of the site root
	LoginURL       string // a link to the sign-in page, on 401 pages
	User           string // signed in as
	Name           string // the user name typed
	Next, CSRF     string
	SSO, Logout    bool
	Form           bool
}

func (s *Server) page(st *reqState, status int, title, msg, login string) {
	s.pageUser(st, status, title, msg, login, "", "")
}

func (s *Server) pageUser(st *reqState, status int, title, msg, login, user, home string) {
	if home == "" {
		home = "./"
	}
	s.render(st, status, pageView{Title: title, Message: msg, LoginURL: login, User: user, Home: home})
}

func (s *Server) render(st *reqState, status int, v pageView) {
	v.Form = v.CSRF != "" && !v.Logout
	var b bytes.Buffer
	if err := pageTmpl.Execute(&b, v); err != nil {
		http.Error(st, "内部错误", http.StatusInternalServerError)
		return
	}
	h := st.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("Cache-Control", "no-store")
	st.WriteHeader(status)
	st.Write(b.Bytes())
}

var pageTmpl = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ .Title }} · 运维台账</title>
<link rel="icon" href="data:,">
<style>
body{font-family:"PingFang SC","Microsoft YaHei","WenQuanYi Micro Hei","Noto Sans CJK SC",sans-serif;background:#f4f6f8;color:#1f2933;margin:0}
main{max-width:26rem;margin:12vh auto;background:#fff;border:1px solid #d9e2ec;border-radius:6px;padding:2rem 2.2rem}
h1{font-size:1.35rem;margin:0 0 1.2rem}
label{display:block;margin:.9rem 0 .3rem;font-size:.95rem}
input[type=text],input[type=password]{width:100%;box-sizing:border-box;padding:.55rem .6rem;font-size:1rem;border:1px solid #9fb3c8;border-radius:4px}
button{margin-top:1.3rem;width:100%;padding:.6rem;font-size:1rem;background:#1f5fa8;color:#fff;border:0;border-radius:4px;cursor:pointer}
.error{background:#fde8e8;border:1px solid #f5b5b5;color:#9b1c1c;padding:.6rem .8rem;border-radius:4px}
.note{color:#52606d;font-size:.88rem;margin-top:1.2rem}
a{color:#1f5fa8}
</style>
</head>
<body>
<main>
<h1>{{ .Title }}</h1>
{{ with .Error }}<p class="error" role="alert">{{ . }}</p>{{ end }}
{{ with .Message }}<p>{{ . }}</p>{{ end }}
{{ if .Form }}
{{ with .User }}<p>当前已登录为 <b>{{ . }}</b>。可用其他账户重新登录，或<a href="logout">退出登录</a>。</p>{{ end }}
<form method="post" action="login" autocomplete="on">
<input type="hidden" name="csrf" value="{{ .CSRF }}">
<input type="hidden" name="next" value="{{ .Next }}">
<label for="user">用户名</label>
<input id="user" name="user" type="text" value="{{ .Name }}" autocomplete="username" required autofocus>
<label for="password">密码</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">登录</button>
</form>
<p class="note">连续多次输入错误，账户将被临时锁定。{{ if .SSO }}单位统一身份认证用户请通过单点登录入口访问，无需在此登录。{{ end }}</p>
{{ else if .Logout }}
{{ with .User }}<p>当前登录用户：<b>{{ . }}</b></p>{{ end }}
<form method="post" action="logout">
<input type="hidden" name="csrf" value="{{ .CSRF }}">
<button type="submit">退出登录</button>
</form>
{{ else }}
{{ with .User }}<p class="note">当前登录用户：{{ . }}</p>{{ end }}
{{ with .LoginURL }}<p><a href="{{ . }}">前往登录页</a></p>{{ end }}
{{ end }}
<p class="note"><a href="{{ .Home }}">返回首页</a></p>
</main>
</body>
</html>
`))

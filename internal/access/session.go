package access

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strings"
)

// Cookie names.
const (
	sessionCookie = "opsbook_session"
	csrfCookie    = "opsbook_csrf"
)

func hmacSum(key, data []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(data)
	return m.Sum(nil)
}

var b64 = base64.RawURLEncoding

// sign returns value.signature, the signature an HMAC of purpose|value.
func sign(secret []byte, purpose, value string) string {
	return value + "." + b64.EncodeToString(hmacSum(secret, []byte(purpose+"|"+value)))
}

// verify returns the value of a signed string if its signature is good.
func verify(secret []byte, purpose, signed string) (string, bool) {
	i := strings.LastIndexByte(signed, '.')
	if i < 0 {
		return "", false
	}
	value := signed[:i]
	sig, err := b64.DecodeString(signed[i+1:])
	if err != nil {
		return "", false
	}
	return value, hmac.Equal(sig, hmacSum(secret, []byte(purpose+"|"+value)))
}

// sessionCookieValue is the cookie of session id: the id, signed, so that
// a cookie not made by this server is refused before the table is asked.
func (s *Server) sessionCookieValue(id string) string {
	return sign(s.p.Secret, "session", id)
}

// session returns the id and user of a live session cookie: signed by us,
// in the session table, unexpired, and of a user whose password entry is
// the one they signed in with.
func (s *Server) session(value string) (id, user string, ok bool) {
	id, ok = verify(s.p.Secret, "session", value)
	if !ok {
		return "", "", false
	}
	user, ok = s.sessions.lookup(id, s.o.Now(), s.p.fingerprint)
	return id, user, ok
}

// fingerprint is the fingerprint of a local user's password entry, false
// for a user who cannot sign in with a password.
func (p *Policy) fingerprint(user string) (string, bool) {
	h, ok := p.fixed[user]
	if !ok {
		return "", false
	}
	return h.fingerprint, true
}

// randomToken is 16 random bytes, base64url.
func randomToken() string {
	b := make([]byte, 16)
	rand.Read(b)
	return b64.EncodeToString(b)
}

// cookie builds a cookie with the policy's attributes.
func (s *Server) cookie(name, value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true,
		Secure: s.secure, SameSite: http.SameSiteStrictMode}
}

package access

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"
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

// newSession is the cookie value of a session of user until exp.
func newSession(secret []byte, user, tag string, exp time.Time) string {
	v := b64.EncodeToString([]byte(user)) + "." + strconv.FormatInt(exp.Unix(), 10) + "." + tag
	return sign(secret, "session", v)
}

// parseSession returns the user of a valid, unexpired session cookie whose
// password tag is still the user's.
func (p *Policy) parseSession(value string, now time.Time) (string, bool) {
	v, ok := verify(p.Secret, "session", value)
	if !ok {
		return "", false
	}
	parts := strings.Split(v, ".")
	if len(parts) != 3 {
		return "", false
	}
	name, err := b64.DecodeString(parts[0])
	if err != nil {
		return "", false
	}
	exp, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil || now.Unix() >= exp {
		return "", false
	}
	u := string(name)
	h, ok := p.fixed[u]
	if !ok || !hmac.Equal([]byte(h.tag), []byte(parts[2])) {
		return "", false
	}
	return u, true
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

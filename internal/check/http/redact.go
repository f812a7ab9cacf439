package http

import (
	"errors"
	"net/url"
	"slices"
	"strings"
)

// SafeURL renders u for messages: scheme, host and path only — no
// userinfo, query or fragment, which may carry credentials or tokens.
func SafeURL(u *url.URL) string {
	return u.Scheme + "://" + u.Host + u.EscapedPath()
}

// Minimum lengths of a secret for it to be scrubbed: anything in an error
// message, only token-like strings from values, so a query value such as
// "json" does not mangle the body conditions test.
const (
	minErrSecret   = 3
	minValueSecret = 8
)

// scrubber replaces known secret strings with ***.
type scrubber struct{ secrets []string }

func newScrubber(secrets []string) scrubber {
	var out []string
	for _, s := range secrets {
		if len(s) >= minErrSecret {
			out = append(out, s)
			if e := url.QueryEscape(s); e != s {
				out = append(out, e)
			}
		}
	}
	// Longest first, so a secret containing another is replaced whole.
	slices.SortFunc(out, func(a, b string) int { return len(b) - len(a) })
	return scrubber{secrets: slices.Compact(out)}
}

func (s scrubber) text(v string, min int) string {
	for _, secret := range s.secrets {
		if len(secret) >= min && strings.Contains(v, secret) {
			v = strings.ReplaceAll(v, secret, "***")
		}
	}
	return v
}

// err returns err unchanged when its text holds no secret, and otherwise a
// plain error with the secrets replaced (dropping the chain that holds them).
func (s scrubber) err(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if clean := s.text(msg, minErrSecret); clean != msg {
		return errors.New(clean)
	}
	return err
}

// values scrubs the string values (BODY, HEADERS) in place.
func (s scrubber) values(values map[string]any) {
	for k, v := range values {
		switch x := v.(type) {
		case string:
			values[k] = s.text(x, minValueSecret)
		case map[string]any:
			s.values(x)
		}
	}
}

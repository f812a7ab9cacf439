package access

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"
)

// cleanPath returns the site-relative path a request asks for ("" for the
// root, "a/b/" for a directory), or why it is refused. It looks at the raw
// request target, not only at the decoded path, so that encodings which
// decode to something harmless-looking are refused too:
//
//	../ and ./ segments          /a/../../etc/passwd
//	encoded dots                 /%2e%2e/etc/passwd
//	encoded slashes              /..%2fetc%2fpasswd
//	backslashes                  /..\..\etc\passwd, %5c
//	double encoding              /%252e%252e/
//	NUL and control characters   /index.html%00.txt
//	absolute paths               //etc/passwd (empty segments)
//	dot files                    /.git/config
//
// (The eighth kind, a symbolic link inside the site directory, is refused
// when the file is opened.)
func cleanPath(r *http.Request) (string, error) {
	raw := r.RequestURI
	if raw == "" || raw == "*" {
		raw = r.URL.EscapedPath()
	}
	if !strings.HasPrefix(raw, "/") {
		// absolute-form request target: http://host/path
		if i := strings.Index(raw, "://"); i >= 0 {
			rest := raw[i+3:]
			if j := strings.IndexByte(rest, '/'); j >= 0 {
				raw = rest[j:]
			} else {
				raw = "/"
			}
		} else {
			return "", errors.New("不是以 / 开头的路径")
		}
	}
	if i := strings.IndexAny(raw, "?#"); i >= 0 {
		raw = raw[:i]
	}
	lower := strings.ToLower(raw)
	for _, bad := range []struct{ s, why string }{
		{"%2f", "编码的斜杠 %2F"}, {"%5c", "编码的反斜杠 %5C"}, {"%00", "空字符 %00"}, {"%25", "双重编码 %25"},
	} {
		if strings.Contains(lower, bad.s) {
			return "", errors.New(bad.why)
		}
	}
	for i := 0; i < len(raw); i++ {
		if c := raw[i]; c < 0x20 || c == 0x7f || c == '\\' {
			return "", errors.New("反斜杠或控制字符")
		}
	}
	dec, err := url.PathUnescape(raw)
	if err != nil {
		return "", errors.New("无效的百分号编码")
	}
	if !utf8.ValidString(dec) {
		return "", errors.New("无效的 UTF-8")
	}
	for _, c := range dec {
		if c < 0x20 || c == 0x7f || c == '\\' {
			return "", errors.New("反斜杠或控制字符")
		}
	}
	segs := strings.Split(dec[1:], "/")
	for i, seg := range segs {
		switch {
		case seg == "" && i < len(segs)-1:
			return "", errors.New("空路径片段（//）")
		case seg == "." || seg == "..":
			return "", errors.New("路径片段 . 或 ..")
		case strings.HasPrefix(seg, "."):
			return "", errors.New("以 . 开头的文件")
		}
	}
	return dec[1:], nil
}

// safeNext returns where to go after signing in — a site-relative path —
// or "" (the home page) for anything else, so the sign-in page cannot be
// used to redirect elsewhere.
func safeNext(n string) string {
	if n == "" || len(n) > 1024 || strings.HasPrefix(n, "/") || strings.ContainsAny(n, "\\?#") || !utf8.ValidString(n) {
		return ""
	}
	for _, c := range n {
		if c < 0x20 || c == 0x7f {
			return ""
		}
	}
	segs := strings.Split(n, "/")
	if strings.Contains(segs[0], ":") || segs[0] == ReservedDir {
		return ""
	}
	for i, seg := range segs {
		if seg == "." || seg == ".." || strings.HasPrefix(seg, ".") || (seg == "" && i < len(segs)-1) {
			return ""
		}
	}
	return n
}

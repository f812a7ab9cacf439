package sql

import (
	"net/url"
	"regexp"
	"sort"
	"strings"
)

const redacted = "******"

// scrubber removes DSNs and passwords from text shown to users: the DSN
// itself, each known password (raw and URL-escaped), and anything shaped
// like a credential — URL userinfo, key=value passwords, MySQL user:pass@.
type scrubber struct {
	literals []string // longest first
}

func newScrubber(dsn string, secrets []string) scrubber {
	var lits []string
	add := func(s string) {
		// Very short secrets would mangle ordinary words; the patterns
		// below still catch them where they sit in a DSN.
		if len(s) >= 4 {
			lits = append(lits, s)
		}
	}
	add(strings.TrimSpace(dsn))
	for _, s := range secrets {
		add(s)
		add(url.QueryEscape(s))
		add(url.PathEscape(s))
		add(url.UserPassword("x", s).String()[2:]) // userinfo escaping
	}
	sort.Slice(lits, func(i, j int) bool { return len(lits[i]) > len(lits[j]) })
	return scrubber{literals: lits}
}

var (
	// scheme://user:password@ → scheme://user:******@
	urlUserinfo = regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.-]*://)([^/@\s:]*):([^\s]*)@`)
	// password=secret, password='sec ret', PWD=…, wallet password=…
	keyValuePassword = regexp.MustCompile(`(?i)\b((?:ssl)?password|passwd|pwd|wallet[ _]password|os[ _]pass(?:word)?(?:[ _]hash)?|os[ _]hash)(\s*=\s*)('(?:[^'\\]|\\.)*'|"[^"]*"|[^\s&;,)]*)`)
	// MySQL: user:password@tcp(…), user:password@unix(…), user:password@/db
	mysqlUserinfo = regexp.MustCompile(`([^\s:@/"'=(]+):([^\s]*)@(tcp\(|tcp6\(|unix\(|udp\(|/)`)
)

func (s scrubber) text(msg string) string {
	for _, lit := range s.literals {
		msg = strings.ReplaceAll(msg, lit, redacted)
	}
	msg = urlUserinfo.ReplaceAllString(msg, "${1}${2}:"+redacted+"@")
	msg = keyValuePassword.ReplaceAllString(msg, "${1}${2}"+redacted)
	msg = mysqlUserinfo.ReplaceAllString(msg, "${1}:"+redacted+"@${3}")
	return msg
}

var (
	deniedPattern   = regexp.MustCompile(`(?i)permission denied|must be superuser|privilege|access denied|command denied|ORA-00942|ORA-01031|Error 1142|Error 1227|Error 1044`)
	readOnlyPattern = regexp.MustCompile(`(?i)read-only transaction|READ ONLY transaction|Error 1792|ORA-01456`)
)

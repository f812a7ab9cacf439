package changerun

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/opsbook/opsbook/internal/secret"
)

// OutputCap is the most characters of output an execution record keeps per
// step: the first OutputCap*3/5 and the last OutputCap*2/5, where errors
// usually are.
const OutputCap = 2000

// maxRows bounds the rows of an sql step's result shown in its output.
const maxRows = 20

// Target describes where a step acts, from its parameters as written
// (secret references stay references; a literal password in a URL or DSN
// is hidden).
func (s Step) Target(host string) string {
	p := s.Params
	switch s.Type {
	case "ssh":
		return str(p["user"]) + "@" + str(p["address"])
	case "sql":
		return strings.TrimSpace(str(p["driver"]) + " " + hidePassword(str(p["dsn"])))
	case "http":
		return hidePassword(str(p["url"]))
	case "exec":
		return "本机 " + host
	}
	return ""
}

// Command is what a step runs, as written.
func (s Step) Command() string {
	p := s.Params
	switch s.Type {
	case "ssh":
		if b := str(p["builtin"]); b != "" {
			return "builtin: " + b
		}
		return str(p["command"])
	case "sql":
		if q := str(p["query"]); q != "" {
			return q
		}
		return "builtin: " + str(p["builtin"])
	case "http":
		m := strings.ToUpper(str(p["method"]))
		if m == "" {
			m = "GET"
		}
		line := m + " " + hidePassword(str(p["url"]))
		if b := str(p["body"]); b != "" {
			line += "\n\n" + b
		}
		return line
	case "exec":
		var argv []string
		switch c := p["command"].(type) {
		case string:
			argv = []string{c}
		case []any:
			for _, a := range c {
				argv = append(argv, str(a))
			}
		}
		for i, a := range argv {
			argv[i] = shellQuote(a)
		}
		return strings.Join(argv, " ")
	}
	return ""
}

var shellSafe = regexp.MustCompile(`^[A-Za-z0-9_@%+=:,./${}-]+$`)

func shellQuote(s string) string {
	if shellSafe.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

var (
	urlPassword = regexp.MustCompile(`(://[^:/@\s]*:)([^@/\s]*)@`)
	kvPassword  = regexp.MustCompile(`(?i)(\bpassword\s*=\s*)('[^']*'|\S+)`)
	myPassword  = regexp.MustCompile(`^([^:@/\s(]+:)([^@\s]*)@`)
)

// hidePassword replaces a literal password in a URL, a key=value DSN or a
// MySQL DSN with ***; a ${REF} is kept, since it is not the secret.
func hidePassword(s string) string {
	for _, re := range []*regexp.Regexp{urlPassword, kvPassword, myPassword} {
		if re == myPassword && strings.Contains(s, "://") {
			continue
		}
		s = re.ReplaceAllStringFunc(s, func(m string) string {
			sub := re.FindStringSubmatch(m)
			if sub[2] == "" || secret.HasRef(sub[2]) {
				return m
			}
			return strings.Replace(m, sub[1]+sub[2], sub[1]+"***", 1)
		})
	}
	return s
}

// excerpt is the part of a step's observation worth keeping: output of a
// command, the body of a response, the rows of a query. Neither redacted
// nor capped yet: redact first, so a cut never splits a secret.
func excerpt(typ string, v map[string]any) string {
	var b strings.Builder
	switch typ {
	case "ssh", "exec":
		out, _ := v["STDOUT"].(string)
		errOut, _ := v["STDERR"].(string)
		b.WriteString(out)
		if errOut != "" {
			if out != "" {
				b.WriteString("\n")
			}
			b.WriteString("[stderr]\n" + errOut)
		}
	case "http":
		if body, ok := v["BODY"].(string); ok {
			b.WriteString(strings.TrimSpace(body))
		}
	case "sql":
		if n, ok := v["ROWS_AFFECTED"].(int64); ok {
			fmt.Fprintf(&b, "影响 %d 行", n)
			break
		}
		rows, _ := v["ROWS"].([]map[string]any)
		if rows == nil {
			break
		}
		fmt.Fprintf(&b, "返回 %d 行", len(rows))
		if t, _ := v["TRUNCATED"].(bool); t {
			b.WriteString("（已截断）")
		}
		for i, row := range rows {
			if i == maxRows {
				fmt.Fprintf(&b, "\n…（其余 %d 行未列出）", len(rows)-maxRows)
				break
			}
			line, err := json.Marshal(row)
			if err != nil {
				line = []byte(fmt.Sprint(row))
			}
			b.WriteString("\n")
			b.Write(line)
		}
	}
	return b.String()
}

// trimSecretTail drops a trailing fragment of a secret from text that a
// check cut at its output limit: the redactor only knows whole values, so
// "…padding canary-s3" would otherwise keep the secret's first characters.
// Only long texts can have been cut.
func trimSecretTail(text string, secrets []string) string {
	if len(text) < 4096 {
		return text
	}
	t := strings.TrimRight(text, "\uFFFD")
	cut := 0
	for _, s := range secrets {
		for k := len(s) - 1; k >= max(secret.MinLength, cut+1); k-- {
			if strings.HasSuffix(t, s[:k]) {
				cut = k
				break
			}
		}
	}
	if cut == 0 {
		return text
	}
	return t[:len(t)-cut] + "…"
}

// capText keeps the head and tail of s when it is longer than n characters.
func capText(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	head, tail := n*3/5, n*2/5
	return fmt.Sprintf("%s\n…（省略 %d 个字符）…\n%s", string(r[:head]), len(r)-head-tail, string(r[len(r)-tail:]))
}

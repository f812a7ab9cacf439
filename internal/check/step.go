package check

import (
	"regexp"
	"strings"

	"github.com/opsbook/opsbook/internal/secret"
)

// Step is how a check type serves as a step of a change: an action rather
// than an observation, whose success its conditions decide (a step whose
// check reports an error fails whatever its conditions). Every function
// gets the step's parameters as written — secret references unexpanded —
// or, for Excerpt, the raw values of its observation; callers redact.
type Step struct {
	// Conditions decide a step's success when it lists none.
	Conditions []string
	// Defaults, if set, fills in parameters a change step needs but a
	// check does not (sql: statements may write). It changes params in place.
	Defaults func(params map[string]any)
	// Target says where the step acts: user@host, driver and DSN, URL …
	// host is the execution host, for steps that run on it.
	Target func(params map[string]any, host string) string
	// Command is what the step runs, for people to read.
	Command func(params map[string]any) string
	// Excerpt is the part of an observation worth keeping in an execution
	// record: a command's output, a response body, a query's rows.
	Excerpt func(values map[string]any) string
	// HTTPStatus says the STATUS value is an HTTP status, kept in the
	// execution record as such.
	HTTPStatus bool
}

var (
	urlPassword = regexp.MustCompile(`(://[^:/@\s]*:)([^@/\s]*)@`)
	kvPassword  = regexp.MustCompile(`(?i)(\bpassword\s*=\s*)('[^']*'|\S+)`)
	myPassword  = regexp.MustCompile(`^([^:@/\s(]+:)([^@\s]*)@`)
)

// HidePassword replaces a literal password in a URL, a key=value DSN or a
// MySQL DSN with ***; a ${REF} is kept, since it is not the secret.
func HidePassword(s string) string {
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

var shellSafe = regexp.MustCompile(`^[A-Za-z0-9_@%+=:,./${}-]+$`)

// ShellQuote quotes s for a POSIX shell unless it needs no quoting.
func ShellQuote(s string) string {
	if shellSafe.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// CommandOutput is the excerpt of a command's observation: STDOUT, then
// STDERR under a [stderr] line.
func CommandOutput(v map[string]any) string {
	var b strings.Builder
	out, _ := v["STDOUT"].(string)
	errOut, _ := v["STDERR"].(string)
	b.WriteString(out)
	if errOut != "" {
		if out != "" {
			b.WriteString("\n")
		}
		b.WriteString("[stderr]\n" + errOut)
	}
	return b.String()
}

// Str is v if it is a string, else "": for reading parameters as written.
func Str(v any) string {
	s, _ := v.(string)
	return s
}

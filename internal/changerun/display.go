package changerun

import (
	"fmt"

	"github.com/opsbook/opsbook/internal/check"
)

// OutputCap is the most characters of output an execution record keeps per
// step: the first OutputCap*3/5 and the last OutputCap*2/5, where errors
// usually are.
const OutputCap = 2000

// Target describes where a step acts, from its parameters as written
// (secret references stay references; a literal password in a URL or DSN
// is hidden), as its check type describes it.
func (s Step) Target(host string) string {
	if st := stepType(s.Type); st != nil && st.Target != nil {
		return st.Target(s.Params, host)
	}
	return ""
}

// Command is what a step runs, as written.
func (s Step) Command() string {
	if st := stepType(s.Type); st != nil && st.Command != nil {
		return st.Command(s.Params)
	}
	return ""
}

// stepType is how check type name serves as a step, or nil when a change
// may not use it.
func stepType(name string) *check.Step {
	t, _ := check.Lookup(name)
	return t.Step
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

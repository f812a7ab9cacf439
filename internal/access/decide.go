package access

import (
	"slices"

	"github.com/bmatcuk/doublestar/v4"
)

// Identity is who sent a request; nil is anonymous.
type Identity struct {
	User   string
	Groups []string
	Via    string // "password" or "header"

	session string // the session's id, for signing out
}

// Decision is the answer to one request for one path.
type Decision struct {
	Allow     bool
	NeedLogin bool   // denied because nobody is signed in
	Project   string // the restricted project the path belongs to, if any
	Reason    string // why, in Chinese, for the access log and the 403 page
}

// Decide says whether id may read the site-relative file path, given the
// site's restricted manifest (see the package doc for the order).
func (p *Policy) Decide(id *Identity, path string, m *Manifest) Decision {
	if proj, restricted := m.ProjectOf(path); restricted {
		d := Decision{Project: proj}
		switch {
		case id == nil:
			d.NeedLogin, d.Reason = true, "受控内容，须登录"
		case proj == "":
			d.Reason = "受控索引不属于任何项目"
		case p.grantsProject(id, proj):
			d.Allow, d.Reason = true, "项目 "+proj+" 授权"
		default:
			d.Reason = "未获项目 " + proj + " 授权"
		}
		return d
	}
	for _, pat := range p.Anon {
		if match(pat, path) {
			return Decision{Allow: true, Reason: "匿名可访问：" + pat}
		}
	}
	for _, r := range p.Rules {
		i := slices.IndexFunc(r.Paths, func(pat string) bool { return match(pat, path) })
		if i < 0 {
			continue
		}
		switch {
		case r.Anonymous:
			return Decision{Allow: true, Reason: "规则 " + r.Paths[i] + " 允许匿名"}
		case id == nil:
			return Decision{NeedLogin: true, Reason: "规则 " + r.Paths[i] + " 须登录"}
		case inAny(id, r.Groups):
			return Decision{Allow: true, Reason: "规则 " + r.Paths[i]}
		default:
			return Decision{Reason: "规则 " + r.Paths[i] + " 不允许该用户的组"}
		}
	}
	if id == nil {
		return Decision{NeedLogin: true, Reason: "没有规则匹配，须登录"}
	}
	return Decision{Reason: "没有规则匹配，默认拒绝"}
}

// grantsProject reports whether id is in one of the groups granted proj.
func (p *Policy) grantsProject(id *Identity, proj string) bool {
	groups := p.Projs[proj]
	return len(groups) > 0 && !slices.Contains(groups, "*") && inAny(id, groups)
}

// ReadableIndexes lists the restricted search indexes (site-relative
// directories) id may read.
func (p *Policy) ReadableIndexes(id *Identity, m *Manifest) []string {
	var out []string
	if id == nil {
		return nil
	}
	for _, proj := range m.Projects() {
		if p.grantsProject(id, proj) {
			out = append(out, m.Indexes[proj])
		}
	}
	return out
}

func inAny(id *Identity, groups []string) bool {
	if slices.Contains(groups, "*") {
		return true
	}
	for _, g := range id.Groups {
		if slices.Contains(groups, g) {
			return true
		}
	}
	return false
}

// match reports whether a doublestar pattern matches path. A pattern for a
// directory ("document/**") also matches the directory itself.
func match(pat, path string) bool {
	ok, err := doublestar.Match(pat, path)
	return err == nil && ok
}

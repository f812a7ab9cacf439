package gitrepo

import (
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
)

// User is who git would name on a commit made in root: user.name and
// user.email from the repository's own config, else the user's global
// config (~/.gitconfig, $XDG_CONFIG_HOME/git/config), else the system's
// (/etc/gitconfig). Either is empty when no config sets it; root need not
// be a repository (then only the global and system configs count). It is
// the one place opsbook looks the git user up: commit authors, the
// operator of a change run and a report's author.
func User(root string) (name, email string) {
	var r *git.Repository
	if root != "" {
		r, _ = git.PlainOpenWithOptions(root, &git.PlainOpenOptions{DetectDotGit: true})
	}
	return userOf(r)
}

// userOf is User for an opened repository (nil: none).
func userOf(r *git.Repository) (name, email string) {
	var cfgs []*config.Config
	if r != nil {
		if c, err := r.Config(); err == nil {
			cfgs = append(cfgs, c)
		}
	}
	for _, scope := range []config.Scope{config.GlobalScope, config.SystemScope} {
		if c, err := config.LoadConfig(scope); err == nil {
			cfgs = append(cfgs, c)
		}
	}
	for _, c := range cfgs {
		if name == "" {
			name = strings.TrimSpace(c.User.Name)
		}
		if email == "" {
			email = strings.TrimSpace(c.User.Email)
		}
	}
	return name, email
}

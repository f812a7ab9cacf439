package approval

import (
	"regexp"
	"strings"
)

// Merge message styles.
const (
	StyleGit    = "git"    // "Merge branch 'x'" (git CLI)
	StyleGitHub = "github" // "Merge pull request #12 from user/branch"
	StyleGitea  = "gitea"  // "Merge pull request 'title' (#12) from branch into main" (Gitea, Forgejo)
	StyleGitLab = "gitlab" // "Merge branch 'x' into 'main'" + "See merge request group/project!12"
	StyleOther  = ""       // any other message
)

// MergeMessage is what a merge commit's message says about the merge.
type MergeMessage struct {
	Style   string // one of the Style constants
	Request string // the pull/merge request: "#12" or "!12"; "" when not named
	Source  string // the merged branch, as the message names it
	Title   string // the pull request title, when the message carries it
}

var (
	reGitHub = regexp.MustCompile(`^Merge pull request #(\d+) from (\S+)`)
	reGitea  = regexp.MustCompile(`^Merge pull request '(.*)' \(#(\d+)\) from (\S+) into \S+`)
	reGitLab = regexp.MustCompile(`(?m)^See merge request (\S*)!(\d+)\s*$`)
	reGit    = regexp.MustCompile(`^Merge (?:remote-tracking )?branch '([^']+)'`)
)

// ParseMergeMessage recognises the merge messages of the git CLI, GitHub,
// Gitea/Forgejo and GitLab.
func ParseMergeMessage(msg string) MergeMessage {
	msg = strings.TrimSpace(msg)
	subject, body, _ := strings.Cut(msg, "\n")
	if m := reGitea.FindStringSubmatch(subject); m != nil {
		return MergeMessage{Style: StyleGitea, Request: "#" + m[2], Source: m[3], Title: m[1]}
	}
	if m := reGitHub.FindStringSubmatch(subject); m != nil {
		return MergeMessage{Style: StyleGitHub, Request: "#" + m[1], Source: m[2], Title: strings.TrimSpace(body)}
	}
	if m := reGit.FindStringSubmatch(subject); m != nil {
		if g := reGitLab.FindStringSubmatch(body); g != nil {
			title := strings.TrimSpace(strings.TrimSuffix(body, g[0]))
			title, _, _ = strings.Cut(title, "\n")
			return MergeMessage{Style: StyleGitLab, Request: "!" + g[2], Source: m[1], Title: title}
		}
		return MergeMessage{Style: StyleGit, Source: m[1]}
	}
	return MergeMessage{Style: StyleOther}
}

// Label is the message in Chinese, for tables: "Gitea 合并请求 #12",
// "git 合并分支 change/x", "合并提交".
func (m MergeMessage) Label() string {
	switch m.Style {
	case StyleGitHub:
		return "GitHub 合并请求 " + m.Request
	case StyleGitea:
		return "Gitea 合并请求 " + m.Request
	case StyleGitLab:
		return "GitLab 合并请求 " + m.Request
	case StyleGit:
		return "git 合并分支 " + m.Source
	}
	return "合并提交"
}

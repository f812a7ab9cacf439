package gitrepo

import (
	"errors"
	"fmt"
	"strings"
)

// ErrPushPending is wrapped by the error Commit returns when the commit was
// made locally but could not be pushed; a later Commit with Push pushes it.
var ErrPushPending = errors.New("push pending")

// errRemoteMoved means the remote branch moved between our fetch and our
// push: retried like a rejected push.
var errRemoteMoved = errors.New("remote branch moved during push")

// rejectionMarkers are the texts of a push the remote (or go-git's client
// side check) refused because the branch moved: go-git reports a stale local
// view as "non-fast-forward update: refs/heads/main", and git receive-pack's
// refusal to move a ref that changed under it as "command error on
// refs/heads/main: failed to update ref". Older git versions and other
// servers word the same thing differently.
var rejectionMarkers = []string{
	"non-fast-forward",
	"failed to update ref",
	"fetch first",
	"failed to lock",
	"cannot lock ref",
	"reference already exists",
	"stale info",
	"incorrect old value",
}

// IsRejected reports whether err is a push rejected because the remote
// branch moved: fetching, rebuilding and pushing again can succeed.
func IsRejected(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, errRemoteMoved) {
		return true
	}
	msg := strings.ToLower(err.Error())
	for _, m := range rejectionMarkers {
		if strings.Contains(msg, m) {
			return true
		}
	}
	return false
}

// PushError says a commit is kept locally and will be pushed next time.
type PushError struct {
	Commit string // the local branch tip that is not on the remote
	Remote string // remote name
	Branch string
	Tries  int
	Err    error // the last failure
}

func (e *PushError) Error() string {
	c := e.Commit
	if len(c) > 10 {
		c = c[:10]
	}
	tries := ""
	if e.Tries > 1 {
		tries = fmt.Sprintf("（尝试 %d 次）", e.Tries)
	}
	return fmt.Sprintf("提交 %s 已保存在本地，但推送到 %s/%s 失败%s：%v；下次带推送的运行会自动补推，也可在确认远程可达后执行 git push %s %s",
		c, e.Remote, e.Branch, tries, e.Err, e.Remote, e.Branch)
}

// Unwrap exposes both ErrPushPending and the cause.
func (e *PushError) Unwrap() []error { return []error{ErrPushPending, e.Err} }

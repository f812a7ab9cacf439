//go:build !unix

package gitrepo

import "context"

// repoLock is a no-op where flock is not available; git's own lock files
// (refs, index) still exclude concurrent writers.
type repoLock struct{}

func lockRepo(ctx context.Context, gitdir string) (*repoLock, error) { return &repoLock{}, nil }

func (l *repoLock) note(path string) {}

func (l *repoLock) release() {}

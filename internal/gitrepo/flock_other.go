//go:build !unix

package gitrepo

import "context"

// lockRepo is a no-op where flock is not available; git's own lock files
// (refs, index) still exclude concurrent writers.
func lockRepo(ctx context.Context, gitdir string) (func(), error) {
	return func() {}, nil
}

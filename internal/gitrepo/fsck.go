package gitrepo

import (
	"context"
	"fmt"
	"os/exec"
)

// Fsck runs `git fsck --strict` with the git command-line tool (used by
// tests and verification; nothing on the hot path needs the git CLI).
func Fsck(ctx context.Context, root string) error {
	out, err := exec.CommandContext(ctx, "git", "-C", root, "fsck", "--strict", "--no-progress", "--no-dangling").CombinedOutput()
	if err != nil {
		return fmt.Errorf("git fsck --strict %s: %w\n%s", root, err, out)
	}
	return nil
}

//go:build !unix

package attachment

import "os"

// openFlags: without O_NOFOLLOW the Lstat checks before opening and the
// SameFile check after it keep a symlink from being followed unnoticed.
const openFlags = os.O_RDONLY

func isSymlinkLoop(error) bool { return false }

//go:build unix

package repofile

import (
	"os"
	"syscall"
)

// openFlags never follow a final symlink and never block on a FIFO.
const openFlags = os.O_RDONLY | syscall.O_NOFOLLOW | syscall.O_NONBLOCK | syscall.O_NOCTTY

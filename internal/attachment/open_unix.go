//go:build unix

package attachment

import (
	"errors"
	"os"
	"syscall"
)

// openFlags never follow a final symlink and never block on a FIFO.
const openFlags = os.O_RDONLY | syscall.O_NOFOLLOW | syscall.O_NONBLOCK

func isSymlinkLoop(err error) bool { return errors.Is(err, syscall.ELOOP) }

//go:build !unix

package changerun

import (
	"errors"
	"os"
)

// errWouldBlock never happens where flock is not available: there the lock
// excludes nothing, and only the execution-record check after Prepare
// guards against a second run.
var errWouldBlock = errors.New("locked")

const openNoFollow = 0

func tryLock(f *os.File) error { return nil }

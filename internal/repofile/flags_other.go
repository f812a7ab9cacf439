//go:build !unix

package repofile

import "os"

// openFlags: without O_NOFOLLOW and O_NONBLOCK the Lstat checks before
// opening and the same-file check after it do the refusing.
const openFlags = os.O_RDONLY

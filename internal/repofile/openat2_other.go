//go:build !linux

package repofile

import (
	"errors"
	"os"
)

var errNoOpenat2 = errors.New("openat2 unavailable")

func openat2Usable() bool { return false }

func (d *Dir) openat2(rel string, dir bool) (*os.File, error) { return nil, errNoOpenat2 }

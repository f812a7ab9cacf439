// Package watch notices when files change by polling their names, sizes
// and modification times: no inotify watch limits, and it works on network
// file systems. site preview rebuilds with it, site serve re-reads its
// access file and the runner its runbooks.
package watch

import (
	"context"
	"encoding/binary"
	"hash/fnv"
	"io/fs"
	"path/filepath"
	"time"
)

// Stamp sums up every file under root/name for each name (a file or a
// directory): two stamps differ when a file was added, removed, renamed,
// resized or touched.
func Stamp(root string, names ...string) uint64 {
	h := fnv.New64a()
	var buf [16]byte
	for _, name := range names {
		filepath.WalkDir(filepath.Join(root, name), func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil
			}
			info, err := d.Info()
			if err != nil {
				return nil
			}
			h.Write([]byte(p))
			binary.LittleEndian.PutUint64(buf[:8], uint64(info.Size()))
			binary.LittleEndian.PutUint64(buf[8:], uint64(info.ModTime().UnixNano()))
			h.Write(buf[:])
			return nil
		})
	}
	return h.Sum64()
}

// OnChange calls changed every time stamp gives a new value, looking every
// interval until ctx ends.
func OnChange(ctx context.Context, every time.Duration, stamp func() uint64, changed func()) {
	last := stamp()
	Every(ctx, every, func() {
		if s := stamp(); s != last {
			last = s
			changed()
		}
	})
}

// Every calls f every interval until ctx ends.
func Every(ctx context.Context, every time.Duration, f func()) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			f()
		}
	}
}

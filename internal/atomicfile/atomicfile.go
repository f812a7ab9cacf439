// Package atomicfile writes whole files so that readers, and a crash or a
// SIGKILL halfway, see either the old content or the new, never a part:
// the data goes to a hidden temporary file in the same directory, is synced,
// and is then renamed over the target (Write) or hard-linked to a name that
// must not exist yet (Create).
package atomicfile

import (
	"fmt"
	"os"
	"path/filepath"
)

// Write replaces path with data (mode 0644), creating missing directories.
func Write(path string, data []byte) error {
	return write(path, data, os.Rename)
}

// Create writes data to path only if path does not exist yet; otherwise it
// fails with an error satisfying errors.Is(err, fs.ErrExist) and leaves the
// existing file alone.
func Create(path string, data []byte) error {
	return write(path, data, os.Link)
}

func write(path string, data []byte, place func(tmp, path string) error) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("创建目录 %s：%w", dir, err)
	}
	f, err := os.CreateTemp(dir, ".opsbook-tmp-*")
	if err != nil {
		return fmt.Errorf("写入 %s：%w", path, err)
	}
	tmp := f.Name()
	defer os.Remove(tmp) // after a rename or link this removes only the temporary name
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(0o644)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("写入 %s：%w", path, err)
	}
	if err := place(tmp, path); err != nil {
		return fmt.Errorf("写入 %s：%w", path, err)
	}
	return nil
}

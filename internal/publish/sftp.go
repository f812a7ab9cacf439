package publish

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"
)

// posixRename is the SFTP extension that renames over an existing file
// atomically; plain SFTP rename refuses when the new name exists.
const posixRename = "posix-rename@openssh.com"

// sftpTree is a directory tree on an SFTP server.
type sftpTree struct {
	c     *sftp.Client
	ssh   *ssh.Client
	stop  func() bool
	fsync bool // the server supports fsync@openssh.com
}

// dialSFTP logs in to t (see dial) and starts the SFTP subsystem. When ctx
// ends the connection is closed after a grace period, so an interrupted
// publish can still clean up its partial upload and its lock.
func dialSFTP(ctx context.Context, t Target, o Options) (*sftpTree, error) {
	cl, err := dial(ctx, t, o)
	if err != nil {
		return nil, err
	}
	c, err := sftp.NewClient(cl)
	if err != nil {
		cl.Close()
		return nil, fmt.Errorf("在 %s 上启动 SFTP 子系统失败：%v；请确认服务器 sshd_config 启用了 Subsystem sftp", t.Address(), err)
	}
	st := &sftpTree{c: c, ssh: cl}
	_, st.fsync = c.HasExtension("fsync@openssh.com")
	st.stop = context.AfterFunc(ctx, func() {
		time.AfterFunc(10*time.Second, func() { cl.Close() })
	})
	return st, nil
}

func (s *sftpTree) Lstat(p string) (fs.FileInfo, error) { return s.c.Lstat(p) }

func (s *sftpTree) ReadLink(p string) (string, error) { return s.c.ReadLink(p) }

func (s *sftpTree) ReadDir(p string) ([]fs.FileInfo, error) { return s.c.ReadDir(p) }

func (s *sftpTree) Mkdir(p string, perm fs.FileMode) error {
	if err := s.c.Mkdir(p); err != nil {
		// OpenSSH answers a generic failure when p exists; say so.
		if _, serr := s.c.Lstat(p); serr == nil {
			return &fs.PathError{Op: "mkdir", Path: p, Err: fs.ErrExist}
		}
		return err
	}
	return s.c.Chmod(p, perm) // whatever the server's umask
}

func (s *sftpTree) Put(ctx context.Context, src, p string, perm fs.FileMode, count func(int64)) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := s.c.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, &countingReader{ctx: ctx, r: in, count: count})
	if err == nil {
		err = out.Chmod(perm)
	}
	if err == nil && s.fsync {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return err
}

func (s *sftpTree) Symlink(target, p string) error { return s.c.Symlink(target, p) }

func (s *sftpTree) Replace(oldp, newp string) error { return s.c.PosixRename(oldp, newp) }

func (s *sftpTree) Remove(p string, dir bool) error {
	if dir {
		return s.c.RemoveDirectory(p)
	}
	return s.c.Remove(p)
}

func (s *sftpTree) Close() error {
	s.stop()
	err := s.c.Close()
	s.ssh.Close() // already closed with the SFTP session, or by the context
	return err
}

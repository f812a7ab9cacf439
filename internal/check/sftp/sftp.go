// Package sftp is the "sftp" check type: it logs in over SSH (same
// connection code and parameters as the ssh check, see package sshconn)
// and looks at the files matching a path or glob through the SFTP
// subsystem — typically to prove that last night's backup exists, is
// recent and is not truncated.
//
// Parameters, besides address, user, password, private_key_file,
// passphrase and known_hosts:
//
//	path   a file ("/backup/db.dmp"), a directory (its files), or a glob in
//	       path.Match syntax ("/backup/oracle/*.dmp", "/backup/*/full-*.tar.gz");
//	       absolute paths are best — relative ones start in the login home.
//
// Only regular files count (symbolic links are followed; directories are
// ignored). Placeholders: COUNT (int64), TOTAL_SIZE (Size), and when at
// least one file matched NEWEST_NAME (its full path), NEWEST_AGE
// (time.Duration since its modification time), NEWEST_SIZE (Size) and
// OLDEST_AGE (time.Duration, to check that old backups are cleaned up);
// plus CONNECTED (bool) and RESPONSE_TIME (time.Duration). No match is
// COUNT 0, not an error, so "[COUNT] >= 1" fails with a clear value.
package sftp

import (
	"context"
	"fmt"
	"path"
	"strings"
	"time"

	pkgsftp "github.com/pkg/sftp"

	"github.com/opsbook/opsbook/internal/check"
	"github.com/opsbook/opsbook/internal/check/ssh/sshconn"
	"github.com/opsbook/opsbook/internal/condition"
)

func init() {
	check.Register(check.Type{
		Name:  "sftp",
		Label: "SFTP 文件检查",
		Placeholders: []string{
			"CONNECTED", "RESPONSE_TIME",
			"COUNT", "TOTAL_SIZE", "NEWEST_NAME", "NEWEST_AGE", "NEWEST_SIZE", "OLDEST_AGE",
		},
		Category: "backup",
		New:      New,
	})
}

type checker struct {
	conn sshconn.Config
	path string
}

// New builds an sftp checker from spec, validating its parameters.
func New(spec check.Spec) (check.Checker, error) {
	p := spec.P()
	c := &checker{conn: sshconn.ReadParams(p), path: p.String("path", true)}
	if c.path != "" {
		for _, part := range strings.Split(c.path, "/") {
			if _, err := path.Match(part, ""); err != nil {
				p.Fail("path", "%q 不是合法的通配模式（%v）；可用 * ? [abc]，例如 /backup/oracle/*.dmp", c.path, err)
				break
			}
		}
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	return c, nil
}

// Check logs in, lists the matching files and reports on them.
func (c *checker) Check(ctx context.Context) check.Observation {
	start := time.Now()
	values := map[string]any{"CONNECTED": false}
	cl, err := sshconn.Dial(ctx, c.conn)
	if err != nil {
		values["RESPONSE_TIME"] = time.Since(start)
		return sshconn.Failed(err, values)
	}
	defer cl.Close()

	sc, err := pkgsftp.NewClient(cl.Client)
	if err != nil {
		values["RESPONSE_TIME"] = time.Since(start)
		return check.Failed(c.opError(ctx, "启动 SFTP 子系统", err, "请确认服务器的 sshd_config 启用了 Subsystem sftp"), values)
	}
	defer sc.Close()
	values["CONNECTED"] = true

	files, err := find(ctx, sc, c.path)
	values["RESPONSE_TIME"] = time.Since(start)
	if err != nil {
		return check.Failed(c.opError(ctx, "列出 "+c.path, err, "请检查路径和登录用户的读取权限"), values)
	}
	summarize(files, time.Now(), values)
	return check.Observation{Values: values}
}

func (c *checker) opError(ctx context.Context, what string, err error, hint string) error {
	if ctx.Err() != nil {
		return fmt.Errorf("SFTP %s：%s 时超时或被取消（%v）；请调大 timeout 或检查网络", c.conn.Address, what, context.Cause(ctx))
	}
	return fmt.Errorf("SFTP %s：%s 失败：%w；%s", c.conn.Address, what, err, hint)
}

func summarize(files []file, now time.Time, values map[string]any) {
	values["COUNT"] = int64(len(files))
	var total condition.Size
	for _, f := range files {
		total += condition.Size(f.size)
	}
	values["TOTAL_SIZE"] = total
	if len(files) == 0 {
		return
	}
	newest, oldest := files[0], files[0]
	for _, f := range files[1:] {
		if f.mtime.After(newest.mtime) || f.mtime.Equal(newest.mtime) && f.name > newest.name {
			newest = f
		}
		if f.mtime.Before(oldest.mtime) {
			oldest = f
		}
	}
	values["NEWEST_NAME"] = newest.name
	values["NEWEST_AGE"] = now.Sub(newest.mtime)
	values["NEWEST_SIZE"] = condition.Size(newest.size)
	values["OLDEST_AGE"] = now.Sub(oldest.mtime)
}

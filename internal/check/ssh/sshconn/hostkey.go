package sshconn

import (
	"errors"
	"fmt"
	"net"

	"github.com/skeema/knownhosts"
	"golang.org/x/crypto/ssh"
	xknownhosts "golang.org/x/crypto/ssh/knownhosts"
)

type hostKeys struct {
	db   *knownhosts.HostKeyDB
	file string
}

// loadKnownHosts reads the known_hosts file; it is read at every check so
// an edited file takes effect without restarting the runner.
func loadKnownHosts(path string) (*hostKeys, error) {
	path = expandHome(path)
	db, err := knownhosts.NewDB(path)
	if err != nil {
		return nil, &Error{Msg: fmt.Sprintf("读取 known_hosts 文件 %s 失败：%v；请用 ssh-keyscan 取得主机公钥、向管理员核实指纹后写入该文件", path, pathErr(err)), Err: err}
	}
	return &hostKeys{db: db, file: path}, nil
}

// hostKeyError explains why the host key callback rejected key.
func hostKeyError(addr, file string, key ssh.PublicKey, err error) *Error {
	fp := ssh.FingerprintSHA256(key)
	var ke *xknownhosts.KeyError
	if errors.As(err, &ke) && len(ke.Want) > 0 {
		w := ke.Want[0]
		return &Error{
			Msg: fmt.Sprintf("主机密钥不匹配：%s 提供的 %s 主机密钥（指纹 %s）与 known_hosts（%s 第 %d 行）记录的不同。"+
				"可能是服务器重装，也可能是中间人攻击；请先向服务器管理员核实指纹，确认无误后再更新 known_hosts",
				addr, key.Type(), fp, w.Filename, w.Line),
			Security: true, Err: err,
		}
	}
	if errors.As(err, &ke) {
		host, port, _ := net.SplitHostPort(addr)
		return &Error{
			Msg: fmt.Sprintf("known_hosts（%s）中没有 %s 的主机密钥（对方提供 %s，指纹 %s）；请向管理员核实指纹后添加，例如 ssh-keyscan -p %s %s >> %s",
				file, addr, key.Type(), fp, port, host, file),
			Err: err,
		}
	}
	return &Error{Msg: fmt.Sprintf("验证 %s 的主机密钥失败：%v", addr, err), Err: err}
}

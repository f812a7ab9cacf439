package sshconn

import (
	"crypto/x509"
	"errors"
	"fmt"
	"os"

	"golang.org/x/crypto/ssh"
)

// authMethods builds the login methods: the private key first (when set),
// then the password, offered both as "password" and as answers to
// keyboard-interactive prompts (servers that authenticate through PAM
// often offer only the latter).
func authMethods(c Config) ([]ssh.AuthMethod, error) {
	var methods []ssh.AuthMethod
	if c.PrivateKeyFile != "" {
		signer, err := loadKey(c.PrivateKeyFile, c.Passphrase)
		if err != nil {
			return nil, err
		}
		methods = append(methods, ssh.PublicKeys(signer))
	}
	if c.Password != "" {
		pw := c.Password
		methods = append(methods,
			ssh.Password(pw),
			ssh.KeyboardInteractive(func(_, _ string, questions []string, echos []bool) ([]string, error) {
				answers := make([]string, len(questions))
				for i := range questions {
					if !echos[i] { // a hidden prompt asks for the password
						answers[i] = pw
					}
				}
				return answers, nil
			}))
	}
	return methods, nil
}

func loadKey(path, passphrase string) (ssh.Signer, error) {
	path = expandHome(path)
	pemBytes, err := os.ReadFile(path)
	if err != nil {
		return nil, &Error{Msg: fmt.Sprintf("读取私钥文件 %s 失败：%v；请检查 private_key_file 路径和文件权限", path, pathErr(err)), Err: err}
	}
	var signer ssh.Signer
	if passphrase == "" {
		signer, err = ssh.ParsePrivateKey(pemBytes)
	} else {
		signer, err = ssh.ParsePrivateKeyWithPassphrase(pemBytes, []byte(passphrase))
	}
	var missing *ssh.PassphraseMissingError
	switch {
	case err == nil:
		return signer, nil
	case errors.As(err, &missing):
		return nil, &Error{Msg: fmt.Sprintf("私钥文件 %s 已加密：请设置 passphrase 参数（建议用 ${环境变量} 引用）", path), Err: err}
	case errors.Is(err, x509.IncorrectPasswordError):
		return nil, &Error{Msg: fmt.Sprintf("私钥文件 %s 的口令（passphrase）不正确", path), Err: err}
	}
	return nil, &Error{Msg: fmt.Sprintf("无法解析私钥文件 %s：%v；支持 OpenSSH 与 PEM 格式的 ed25519、ECDSA、RSA 私钥", path, err), Err: err}
}

// pathErr drops the path an *os.PathError repeats, since messages name it.
func pathErr(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

//go:build unix

package backup

import (
	"os/exec"
	"syscall"
)

// killGroup starts git in its own process group and makes cancellation kill
// the whole group: `git bundle create` and `git clone` fork pack-objects and
// index-pack, which must not go on writing after opsbook gave up.
func killGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
}

//go:build !unix

package exec

import osexec "os/exec"

// killGroup: without process groups, cancellation kills the command itself
// (exec.CommandContext's default).
func killGroup(*osexec.Cmd) {}

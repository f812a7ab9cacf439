//go:build !unix

package backup

import "os/exec"

// killGroup: without process groups, cancellation kills git itself
// (exec.CommandContext's default).
func killGroup(*exec.Cmd) {}

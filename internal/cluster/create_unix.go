//go:build unix

package cluster

import "syscall"

func ownProcessGroup() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }

// signalGroup sends SIGTERM to the process group led by pid.
func signalGroup(pid int) error { return syscall.Kill(-pid, syscall.SIGTERM) }

// stopOwnGroup sends SIGTERM to this process's group, but only when this
// process leads it (ExecCreate made it so): otherwise the group is the
// parent's, and stopping it would stop the parent.
func stopOwnGroup() {
	if pgid := syscall.Getpgrp(); pgid == syscall.Getpid() {
		_ = syscall.Kill(-pgid, syscall.SIGTERM)
	}
}

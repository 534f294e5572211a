//go:build !linux

package testcp

import "syscall"

// childProcAttr: only Linux can tie a child's life to its parent; elsewhere
// teardown in Main is the only cleanup.
func childProcAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{} }

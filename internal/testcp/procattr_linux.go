package testcp

import "syscall"

// childProcAttr makes the kernel kill a child when the test binary dies
// without running teardown (go test -timeout panic, SIGKILL), so no stray
// etcd or kube-apiserver outlives a test run.
func childProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}

//go:build !unix

package cluster

import (
	"errors"
	"syscall"
)

func ownProcessGroup() *syscall.SysProcAttr { return &syscall.SysProcAttr{} }

func signalGroup(int) error { return errors.New("process groups are not supported here") }

func stopOwnGroup() {}

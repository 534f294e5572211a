//go:build linux

package thp

import (
	"os"
	"runtime"
	"strings"
	"syscall"
	"unsafe"
)

func init() {
	if enabled(os.Getenv, os.ReadFile, syscall.Getrlimit) {
		advise()
	}
}

// enabled reports whether advising the heap can help and cannot hurt.
func enabled(getenv func(string) string, readFile func(string) ([]byte, error), getrlimit func(int, *syscall.Rlimit) error) bool {
	if getenv("EMMDEV_THP") == "off" || strings.Contains(getenv("GODEBUG"), "disablethp=1") {
		return false
	}
	mode, err := readFile("/sys/kernel/mm/transparent_hugepage/enabled")
	if err != nil || !strings.Contains(string(mode), "[madvise]") {
		return false // "always": nothing to do; "never" or no THP: nothing helps
	}
	if oc, err := readFile("/proc/sys/vm/overcommit_memory"); err != nil || strings.TrimSpace(string(oc)) == "2" {
		return false
	}
	var lim syscall.Rlimit
	if err := getrlimit(syscall.RLIMIT_AS, &lim); err != nil || lim.Cur != ^uint64(0) {
		return false
	}
	return true
}

// advise maps the reserve, marks the heap's mappings from the first heap
// object up to the end of the reserve MADV_HUGEPAGE, and frees it.
func advise() {
	first := new([64]byte)
	buf := make([]byte, reserve) // fresh from the OS: not zeroed, not touched
	lo, hi := uintptr(unsafe.Pointer(first)), uintptr(unsafe.Pointer(&buf[0]))
	end := hi + reserve
	if lo > hi || hi-lo > 1<<30 {
		lo = hi // not one contiguous heap: advise the reserve only
	}
	lo &^= hugePage - 1
	// Holes in the range make madvise return ENOMEM after advising every
	// mapping in it; either way there is nothing to do about an error.
	_, _, _ = syscall.Syscall(syscall.SYS_MADVISE, lo, end-lo, syscall.MADV_HUGEPAGE)
	runtime.KeepAlive(first)
	runtime.KeepAlive(buf) // its last use: the GC below frees it
	runtime.GC()
}

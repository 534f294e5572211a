//go:build linux

package thp

import (
	"bufio"
	"bytes"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"unsafe"
)

// reserve is how much heap is mapped (never touched) up front: enough for
// an 8,000-object lint run to stay in huge-page memory. Address space only;
// pages count when they are used, as for any heap.
const reserve = 256 << 20

// init, not a call from main: the heap must be advised before the other
// packages' initialisation allocates (a few MiB, as many faults).
func init() { //nolint:gochecknoinits // see above; it wires nothing
	if enabled(os.Args, os.Getenv, os.ReadFile, syscall.Getrlimit) {
		advise(os.ReadFile)
	}
}

// enabled reports whether advising the heap can help and cannot hurt: only
// for emmdev lint (short-lived and measured; long-running commands such as
// status keep the runtime's default, see the package comment) unless
// EMMDEV_THP=on, and never when it could fail or stall.
func enabled(args []string, getenv func(string) string, readFile func(string) ([]byte, error), getrlimit func(int, *syscall.Rlimit) error) bool {
	switch getenv("EMMDEV_THP") {
	case "off":
		return false
	case "on":
	default:
		if len(args) < 2 || args[1] != "lint" {
			return false
		}
	}
	if strings.Contains(getenv("GODEBUG"), "disablethp=1") {
		return false
	}
	mode, err := readFile("/sys/kernel/mm/transparent_hugepage/enabled")
	if err != nil || !strings.Contains(string(mode), "[madvise]") {
		return false // "always": nothing to do; "never" or no THP: nothing helps
	}
	if oc, err := readFile("/proc/sys/vm/overcommit_memory"); err != nil || strings.TrimSpace(string(oc)) == "2" {
		return false
	}
	// A small host: the kernel may refuse to map the reserve at all (a
	// fatal out-of-memory for Go), and free huge pages are scarce there.
	if avail, ok := memAvailable(readFile); !ok || avail < 4*reserve {
		return false
	}
	var lim syscall.Rlimit
	if err := getrlimit(syscall.RLIMIT_AS, &lim); err != nil || lim.Cur != ^uint64(0) {
		return false
	}
	return true
}

// memAvailable reads MemAvailable from /proc/meminfo, in bytes.
func memAvailable(readFile func(string) ([]byte, error)) (uint64, bool) {
	data, err := readFile("/proc/meminfo")
	if err != nil {
		return 0, false
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 3 && f[0] == "MemAvailable:" && f[2] == "kB" {
			kb, err := strconv.ParseUint(f[1], 10, 64)
			return kb << 10, err == nil
		}
	}
	return 0, false
}

// advise maps the reserve, marks the mapping that holds it MADV_HUGEPAGE
// (the runtime's first heap arena, which the reserve extends), and frees
// the reserve.
func advise(readFile func(string) ([]byte, error)) {
	buf := make([]byte, reserve) // fresh from the OS: not zeroed, not touched
	at := uintptr(unsafe.Pointer(&buf[0]))
	if lo, hi, ok := mappingOf(readFile, at); ok {
		_, _, _ = syscall.Syscall(syscall.SYS_MADVISE, lo, hi-lo, syscall.MADV_HUGEPAGE)
	}
	runtime.KeepAlive(buf) // its last use: the GC below frees it
	runtime.GC()
}

// mappingOf finds the mapping holding addr in /proc/self/maps.
func mappingOf(readFile func(string) ([]byte, error), addr uintptr) (lo, hi uintptr, ok bool) {
	data, err := readFile("/proc/self/maps")
	if err != nil {
		return 0, 0, false
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		r, _, _ := strings.Cut(line, " ")
		a, b, found := strings.Cut(r, "-")
		if !found {
			continue
		}
		start, err1 := strconv.ParseUint(a, 16, 64)
		end, err2 := strconv.ParseUint(b, 16, 64)
		if err1 == nil && err2 == nil && uint64(addr) >= start && uint64(addr) < end {
			return uintptr(start), uintptr(end), true
		}
	}
	return 0, 0, false
}

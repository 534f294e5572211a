//go:build linux

package thp

import (
	"errors"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"unsafe"
)

func TestEnabled(t *testing.T) {
	madvise := "always [madvise] never\n"
	unlimited := func(_ int, l *syscall.Rlimit) error { l.Cur, l.Max = ^uint64(0), ^uint64(0); return nil }
	limited := func(_ int, l *syscall.Rlimit) error { l.Cur, l.Max = 1<<30, 1<<30; return nil }
	for _, c := range []struct {
		name      string
		env       map[string]string
		thp, oc   string
		getrlimit func(int, *syscall.Rlimit) error
		want      bool
	}{
		{"madvise mode", nil, madvise, "0\n", unlimited, true},
		{"heuristic overcommit 1", nil, madvise, "1\n", unlimited, true},
		{"THP always: the kernel does it", nil, "[always] madvise never\n", "0\n", unlimited, false},
		{"THP never", nil, "always madvise [never]\n", "0\n", unlimited, false},
		{"no THP in the kernel", nil, "", "0\n", unlimited, false},
		{"EMMDEV_THP=off", map[string]string{"EMMDEV_THP": "off"}, madvise, "0\n", unlimited, false},
		{"GODEBUG=disablethp=1", map[string]string{"GODEBUG": "gctrace=0,disablethp=1"}, madvise, "0\n", unlimited, false},
		{"strict overcommit", nil, madvise, "2\n", unlimited, false},
		{"ulimit -v", nil, madvise, "0\n", limited, false},
	} {
		getenv := func(k string) string { return c.env[k] }
		readFile := func(name string) ([]byte, error) {
			switch name {
			case "/sys/kernel/mm/transparent_hugepage/enabled":
				if c.thp == "" {
					return nil, os.ErrNotExist
				}
				return []byte(c.thp), nil
			case "/proc/sys/vm/overcommit_memory":
				return []byte(c.oc), nil
			}
			return nil, errors.New("unexpected read of " + name)
		}
		if got := enabled(getenv, readFile, c.getrlimit); got != c.want {
			t.Errorf("%s: enabled = %v, want %v", c.name, got, c.want)
		}
	}
}

// TestHeapFlags checks, in this test binary (which ran the package's init),
// that the heap's mapping is marked for huge pages and gets them; with
// EMMDEV_THP_EXPECT=off (TestOffLeavesHeapAlone) that it is not marked.
func TestHeapFlags(t *testing.T) {
	expectOn := os.Getenv("EMMDEV_THP_EXPECT") != "off"
	mode, _ := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled")
	if expectOn && !strings.Contains(string(mode), "[madvise]") {
		t.Skipf("THP mode is %q here, not madvise: the package leaves the heap alone", strings.TrimSpace(string(mode)))
	}
	// Objects allocated now come from the heap the init advised.
	objs := make([]*[4096]byte, 8192)
	for i := range objs {
		objs[i] = new([4096]byte)
		objs[i][0] = 1
	}
	addr := uint64(uintptr(unsafe.Pointer(objs[len(objs)/2])))
	flags, huge := vmaOf(t, addr)
	if expectOn {
		if !strings.Contains(" "+flags+" ", " hg ") || huge == 0 {
			t.Fatalf("heap mapping of %#x: VmFlags %q, AnonHugePages %d kB; want hg and huge pages", addr, flags, huge)
		}
	} else if strings.Contains(" "+flags+" ", " hg ") {
		t.Fatalf("EMMDEV_THP=off, yet the heap mapping of %#x is marked: VmFlags %q", addr, flags)
	}
}

func TestOffLeavesHeapAlone(t *testing.T) {
	if os.Getenv("EMMDEV_THP_EXPECT") != "" {
		return // the child run
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestHeapFlags$", "-test.v")
	cmd.Env = append(os.Environ(), "EMMDEV_THP=off", "EMMDEV_THP_EXPECT=off")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: TestHeapFlags") {
		t.Fatalf("child run with EMMDEV_THP=off: %v\n%s", err, out)
	}
}

// vmaOf returns the VmFlags and AnonHugePages (kB) of the mapping holding addr.
func vmaOf(t *testing.T, addr uint64) (flags string, hugeKB int) {
	t.Helper()
	data, err := os.ReadFile("/proc/self/smaps")
	if err != nil {
		t.Fatal(err)
	}
	in := false
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if lo, hi, ok := strings.Cut(f[0], "-"); ok && len(f) >= 5 {
			a, err1 := strconv.ParseUint(lo, 16, 64)
			b, err2 := strconv.ParseUint(hi, 16, 64)
			in = err1 == nil && err2 == nil && a <= addr && addr < b
			continue
		}
		if !in {
			continue
		}
		switch f[0] {
		case "AnonHugePages:":
			hugeKB, _ = strconv.Atoi(f[1])
		case "VmFlags:":
			return strings.Join(f[1:], " "), hugeKB
		}
	}
	t.Fatalf("no mapping holds %#x", addr)
	return "", 0
}

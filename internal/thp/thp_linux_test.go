//go:build linux

package thp

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"unsafe"
)

// TestMain: with EMMDEV_THP_CHILD set, the test binary is a child process
// whose init ran under the environment a test chose; it reports how its
// heap is mapped instead of running tests.
func TestMain(m *testing.M) {
	if os.Getenv("EMMDEV_THP_CHILD") != "" {
		fmt.Println(heapReport())
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// heapReport allocates 32 MiB of small objects after init and says whether
// the mapping holding them is marked for huge pages and has some.
func heapReport() string {
	objs := make([]*[4096]byte, 8192)
	for i := range objs {
		objs[i] = new([4096]byte)
		objs[i][0] = 1
	}
	addr := uint64(uintptr(unsafe.Pointer(objs[len(objs)/2])))
	flags, huge, err := vmaOf(addr)
	if err != nil {
		return "error: " + err.Error()
	}
	return fmt.Sprintf("hg=%v huge=%v", strings.Contains(" "+flags+" ", " hg "), huge > 0)
}

func child(t *testing.T, env ...string) string {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), append(env, "EMMDEV_THP_CHILD=1")...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	return strings.TrimSpace(string(out))
}

func TestHeapInHugePagesWhenOn(t *testing.T) {
	mode, _ := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled")
	if !strings.Contains(string(mode), "[madvise]") {
		t.Skipf("THP mode is %q here, not madvise: the package leaves the heap alone", strings.TrimSpace(string(mode)))
	}
	if got := child(t, "EMMDEV_THP=on"); got != "hg=true huge=true" {
		t.Fatalf("EMMDEV_THP=on: heap mapping %s, want hg=true huge=true", got)
	}
}

func TestHeapLeftAloneWhenOffOrNotLint(t *testing.T) {
	for _, env := range [][]string{{"EMMDEV_THP=off"}, {"EMMDEV_THP="}} {
		// The child's arguments are not "lint", so the default is off too.
		if got := child(t, env...); !strings.HasPrefix(got, "hg=false") {
			t.Errorf("%v: heap mapping %s, want hg=false", env, got)
		}
	}
}

func TestEnabled(t *testing.T) {
	madvise := "always [madvise] never\n"
	plenty := "MemTotal:       24683648 kB\nMemFree:        15588356 kB\nMemAvailable:   23765584 kB\n"
	small := "MemTotal:         786432 kB\nMemAvailable:     524288 kB\n"
	unlimited := func(_ int, l *syscall.Rlimit) error { l.Cur, l.Max = ^uint64(0), ^uint64(0); return nil }
	limited := func(_ int, l *syscall.Rlimit) error { l.Cur, l.Max = 1<<30, 1<<30; return nil }
	lint := []string{"emmdev", "lint", "manifests/"}
	for _, c := range []struct {
		name         string
		args         []string
		env          map[string]string
		thp, oc, mem string
		getrlimit    func(int, *syscall.Rlimit) error
		want         bool
	}{
		{"lint, madvise mode", lint, nil, madvise, "0\n", plenty, unlimited, true},
		{"heuristic overcommit 1", lint, nil, madvise, "1\n", plenty, unlimited, true},
		{"not lint: status runs for hours", []string{"emmdev", "status"}, nil, madvise, "0\n", plenty, unlimited, false},
		{"no command", []string{"emmdev"}, nil, madvise, "0\n", plenty, unlimited, false},
		{"EMMDEV_THP=on for any command", []string{"emmdev", "version"}, map[string]string{"EMMDEV_THP": "on"}, madvise, "0\n", plenty, unlimited, true},
		{"THP always: the kernel does it", lint, nil, "[always] madvise never\n", "0\n", plenty, unlimited, false},
		{"THP never", lint, nil, "always madvise [never]\n", "0\n", plenty, unlimited, false},
		{"no THP in the kernel", lint, nil, "", "0\n", plenty, unlimited, false},
		{"EMMDEV_THP=off", lint, map[string]string{"EMMDEV_THP": "off"}, madvise, "0\n", plenty, unlimited, false},
		{"GODEBUG=disablethp=1", lint, map[string]string{"GODEBUG": "gctrace=0,disablethp=1"}, madvise, "0\n", plenty, unlimited, false},
		{"strict overcommit", lint, nil, madvise, "2\n", plenty, unlimited, false},
		{"ulimit -v", lint, nil, madvise, "0\n", plenty, limited, false},
		{"512 MiB available", lint, nil, madvise, "0\n", small, unlimited, false},
		{"no meminfo", lint, nil, madvise, "0\n", "", unlimited, false},
	} {
		getenv := func(k string) string { return c.env[k] }
		readFile := func(name string) ([]byte, error) {
			var s string
			switch name {
			case "/sys/kernel/mm/transparent_hugepage/enabled":
				s = c.thp
			case "/proc/sys/vm/overcommit_memory":
				s = c.oc
			case "/proc/meminfo":
				s = c.mem
			default:
				return nil, errors.New("unexpected read of " + name)
			}
			if s == "" {
				return nil, os.ErrNotExist
			}
			return []byte(s), nil
		}
		if got := enabled(c.args, getenv, readFile, c.getrlimit); got != c.want {
			t.Errorf("%s: enabled = %v, want %v", c.name, got, c.want)
		}
	}
}

// vmaOf returns the VmFlags and AnonHugePages (kB) of the mapping holding addr.
func vmaOf(addr uint64) (flags string, hugeKB int, err error) {
	data, err := os.ReadFile("/proc/self/smaps")
	if err != nil {
		return "", 0, err
	}
	in := false
	for line := range strings.SplitSeq(string(data), "\n") {
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
			return strings.Join(f[1:], " "), hugeKB, nil
		}
	}
	return "", 0, fmt.Errorf("no mapping holds %#x", addr)
}

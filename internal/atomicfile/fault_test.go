package atomicfile

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
)

// The fault tests run every writer against the same faults and check the
// same promise: afterwards the target holds exactly the old or exactly the
// new content, with the old or the new mode. They run a truncate-in-place
// writer (what os.WriteFile does) through the same checks and require them
// to catch it, so the checks are shown to be able to fail.

// writer is one implementation under test. step is called before every
// file-system operation; the crash test kills the process there.
type writer func(path string, data []byte, perm os.FileMode, fsys fsys) error

func atomicWriter(path string, data []byte, perm os.FileMode, fsys fsys) error {
	return write(fsys, path, data, perm)
}

// truncateInPlace is the wrong way: open with O_TRUNC and write.
func truncateInPlace(path string, data []byte, perm os.FileMode, fsys fsys) error {
	h := fsys.(*hookFS)
	h.step("open O_TRUNC")
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, perm)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = (&hookFile{f: f, h: h}).Write(data)
	return err
}

var writers = map[string]writer{"atomic": atomicWriter, "truncate-in-place": truncateInPlace}

// hookFS wraps the real file system: before each operation it calls
// onStep, and file writes go out in two halves (a crash can land between
// them) through an optional byte budget that fails with ENOSPC.
type hookFS struct {
	onStep func(op string)
	budget int // bytes the disk still takes; <0 means unlimited
}

func (h *hookFS) step(op string) {
	if h.onStep != nil {
		h.onStep(op)
	}
}

func (h *hookFS) CreateTemp(dir, pattern string) (file, error) {
	h.step("create temp")
	f, err := os.CreateTemp(dir, pattern)
	if err != nil {
		return nil, err
	}
	return &hookFile{f: f, h: h}, nil
}
func (h *hookFS) Rename(a, b string) error { h.step("rename"); return os.Rename(a, b) }
func (h *hookFS) Remove(n string) error    { h.step("remove"); return os.Remove(n) }
func (h *hookFS) SyncDir(d string) error   { h.step("sync dir"); return osFS{}.SyncDir(d) }

type hookFile struct {
	f *os.File
	h *hookFS
}

func (f *hookFile) Name() string              { return f.f.Name() }
func (f *hookFile) Chmod(m os.FileMode) error { f.h.step("chmod"); return f.f.Chmod(m) }
func (f *hookFile) Sync() error               { f.h.step("sync"); return f.f.Sync() }
func (f *hookFile) Close() error              { f.h.step("close"); return f.f.Close() }

func (f *hookFile) Write(p []byte) (int, error) {
	n := 0
	for _, half := range [][]byte{p[:len(p)/2], p[len(p)/2:]} {
		f.h.step("write")
		if f.h.budget >= 0 && len(half) > f.h.budget {
			m, _ := f.f.Write(half[:f.h.budget])
			f.h.budget = 0
			return n + m, syscall.ENOSPC
		}
		m, err := f.f.Write(half)
		n += m
		if f.h.budget >= 0 {
			f.h.budget -= m
		}
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

var (
	oldContent = []byte("old content, a full line\n")
	newContent = bytes.Repeat([]byte("new content 0123456789\n"), 4096)
)

const (
	envImpl = "ATOMICFILE_FAULT_IMPL"
	envPath = "ATOMICFILE_FAULT_PATH"
	envKill = "ATOMICFILE_FAULT_KILL_AT"
)

// TestMain doubles as the crashing writer: with envImpl set the test binary
// writes envPath with that implementation and kills itself with SIGKILL
// (no deferred cleanup, no flush) right before operation number envKill.
func TestMain(m *testing.M) {
	if impl := os.Getenv(envImpl); impl != "" {
		killAt, _ := strconv.Atoi(os.Getenv(envKill))
		n := 0
		h := &hookFS{budget: -1, onStep: func(string) {
			if n++; n == killAt {
				_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
				select {} // the signal is on its way
			}
		}}
		if err := writers[impl](os.Getenv(envPath), newContent, 0o600, h); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// crashViolations kills a child writer before each of its operations in
// turn and lists every point after which the target was neither the old
// nor the new file.
func crashViolations(t *testing.T, impl string) (violations []string) {
	t.Helper()
	for killAt := 1; ; killAt++ {
		if killAt > 50 {
			t.Fatalf("%s: writer never finished", impl)
		}
		path := filepath.Join(t.TempDir(), "key.pem")
		if err := os.WriteFile(path, oldContent, 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), envImpl+"="+impl, envPath+"="+path, envKill+"="+strconv.Itoa(killAt))
		out, err := cmd.CombinedOutput()
		var ee *exec.ExitError
		killed := errors.As(err, &ee) && ee.Sys().(syscall.WaitStatus).Signal() == syscall.SIGKILL
		if err != nil && !killed {
			t.Fatalf("%s: child writer failed: %v\n%s", impl, err, out)
		}
		if v := checkOldOrNew(path); v != "" {
			violations = append(violations, fmt.Sprintf("killed before operation %d: %s", killAt, v))
		}
		if !killed {
			if v := checkIs(path, newContent, 0o600); v != "" {
				violations = append(violations, "after a complete write: "+v)
			}
			return violations
		}
	}
}

func checkOldOrNew(path string) string {
	if checkIs(path, oldContent, 0o644) == "" || checkIs(path, newContent, 0o600) == "" {
		return ""
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	return fmt.Sprintf("target holds %d bytes, neither the old (%d) nor the new (%d) file", len(data), len(oldContent), len(newContent))
}

func checkIs(path string, want []byte, mode os.FileMode) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	fi, err := os.Stat(path)
	if err != nil {
		return err.Error()
	}
	if !bytes.Equal(data, want) || fi.Mode().Perm() != mode {
		return fmt.Sprintf("%d bytes mode %v", len(data), fi.Mode().Perm())
	}
	return ""
}

// TestCrashAtAnyPointLeavesOldOrNew: a writer killed (SIGKILL, so no
// deferred cleanup runs) before any of its operations leaves the old file
// or the new one, never a truncated or half-written file.
func TestCrashAtAnyPointLeavesOldOrNew(t *testing.T) {
	t.Parallel()
	if v := crashViolations(t, "atomic"); len(v) > 0 {
		t.Errorf("atomic writer:\n%v", v)
	}
	if v := crashViolations(t, "truncate-in-place"); len(v) == 0 {
		t.Error("the crash check did not catch a truncate-in-place writer: it cannot fail")
	}
}

// diskFullViolation fills the disk after budget bytes of the new content.
func diskFullViolation(t *testing.T, impl string, budget int) string {
	dir := t.TempDir()
	path := filepath.Join(dir, "key.pem")
	if err := os.WriteFile(path, oldContent, 0o644); err != nil {
		t.Fatal(err)
	}
	err := writers[impl](path, newContent, 0o600, &hookFS{budget: budget})
	if !errors.Is(err, syscall.ENOSPC) {
		return fmt.Sprintf("error %v, want one wrapping ENOSPC", err)
	}
	if v := checkIs(path, oldContent, 0o644); v != "" {
		return "after a failed write the target is not the old file: " + v
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		return fmt.Sprintf("%d entries left in the folder, want only the target", len(entries))
	}
	return ""
}

// TestDiskFullKeepsOldContent: when the disk fills up in the middle of the
// new content, the error says so and the old file is untouched, with no
// temporary file left behind.
func TestDiskFullKeepsOldContent(t *testing.T) {
	t.Parallel()
	for _, budget := range []int{0, 10, len(newContent) / 2, len(newContent) - 1} {
		if v := diskFullViolation(t, "atomic", budget); v != "" {
			t.Errorf("atomic writer, disk full after %d bytes: %s", budget, v)
		}
		if v := diskFullViolation(t, "truncate-in-place", budget); v == "" {
			t.Errorf("disk full after %d bytes: the check did not catch a truncate-in-place writer", budget)
		}
	}
}

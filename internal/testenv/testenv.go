// Package testenv holds what tests across emmdev share about their
// environment: the one rule for a test that cannot run here (skip on a
// developer machine, fail under CI) and the repository root tests read
// fixtures from.
package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/emmdev/emmdev/internal/repo"
)

// InCI reports whether the CI environment variable is set (any value), as
// .ci/run and every common CI service do.
func InCI() bool { return os.Getenv("CI") != "" }

// SkipOrFail skips a test that cannot run here with the reason, except
// under CI, where a test that cannot run is a failure: a skip there would
// count as a pass for something that was never checked.
func SkipOrFail(t testing.TB, format string, a ...any) {
	t.Helper()
	if InCI() {
		t.Fatalf("CI is set, so this fails instead of skipping: "+format, a...)
		return
	}
	t.Skipf(format, a...)
}

// RepoRoot is the project root above the test's working directory (the
// package folder), so tests read the real manifests/ and kind-config.yaml.
func RepoRoot(t testing.TB) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	root, err := repo.Root(wd)
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// BuildEmmdev builds the real emmdev binary into a temporary folder and
// returns its path, for tests that need the process itself: signals,
// network namespaces. It is skipped with -short.
func BuildEmmdev(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the emmdev binary; skipped with -short")
	}
	bin := filepath.Join(t.TempDir(), "emmdev")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/emmdev/emmdev/cmd/emmdev")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

package testenv

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// tbRecorder records Skipf and Fatalf instead of stopping the test.
type tbRecorder struct {
	testing.TB
	skipped, fatal string
}

func (r *tbRecorder) Helper()                   {}
func (r *tbRecorder) Skipf(f string, a ...any)  { r.skipped = fmt.Sprintf(f, a...) }
func (r *tbRecorder) Fatalf(f string, a ...any) { r.fatal = fmt.Sprintf(f, a...) }

// TestSkipOrFailFailsUnderCI: a test that cannot run must fail under CI,
// and skip with its reason elsewhere.
func TestSkipOrFailFailsUnderCI(t *testing.T) {
	t.Setenv("CI", "true")
	r := &tbRecorder{}
	SkipOrFail(r, "no %s", "unshare")
	if r.skipped != "" || !strings.Contains(r.fatal, "no unshare") {
		t.Errorf("under CI: skipped %q, fatal %q; want a failure with the reason", r.skipped, r.fatal)
	}
	t.Setenv("CI", "")
	r = &tbRecorder{}
	SkipOrFail(r, "no %s", "git")
	if r.fatal != "" || r.skipped != "no git" {
		t.Errorf("outside CI: skipped %q, fatal %q; want a skip with the reason", r.skipped, r.fatal)
	}
}

func TestRepoRootIsTheModuleRoot(t *testing.T) {
	root := RepoRoot(t)
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Errorf("RepoRoot = %s, which has no go.mod: %v", root, err)
	}
}

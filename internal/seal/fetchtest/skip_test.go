package fetchtest

import (
	"fmt"
	"strings"
	"testing"
)

// tbRecorder records Skip and Fatalf instead of stopping the test.
type tbRecorder struct {
	testing.TB
	skipped, fatal string
}

func (r *tbRecorder) Helper()                   {}
func (r *tbRecorder) Skip(a ...any)             { r.skipped = fmt.Sprint(a...) }
func (r *tbRecorder) Fatalf(f string, a ...any) { r.fatal = fmt.Sprintf(f, a...) }

// TestSkipOrFailFailsUnderCI: an integration test that cannot run must
// fail under CI, and skip with its reason elsewhere.
func TestSkipOrFailFailsUnderCI(t *testing.T) {
	t.Setenv("CI", "true")
	r := &tbRecorder{}
	skipOrFail(r, "no non-loopback IPv4 address")
	if r.skipped != "" || !strings.Contains(r.fatal, "no non-loopback IPv4 address") {
		t.Errorf("under CI: skipped %q, fatal %q; want a failure with the reason", r.skipped, r.fatal)
	}
	t.Setenv("CI", "")
	r = &tbRecorder{}
	skipOrFail(r, "cannot listen")
	if r.fatal != "" || r.skipped != "cannot listen" {
		t.Errorf("outside CI: skipped %q, fatal %q; want a skip with the reason", r.skipped, r.fatal)
	}
}

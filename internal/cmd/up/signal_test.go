package up_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/emmdev/emmdev/internal/cluster/clustertest"
	"github.com/emmdev/emmdev/internal/testenv"
)

// TestSIGTERMDuringKindCreateExitsWithin2s runs the real binary's `up`
// against the fake docker, whose commands inside the node hang (a slow
// kubeadm init), sends SIGTERM to emmdev alone (not its group, as
// `kill PID` or a CI runner would) and requires exit 130 within 2 s, and
// then the half-made node container removed.
func TestSIGTERMDuringKindCreateExitsWithin2s(t *testing.T) {
	bin := testenv.BuildEmmdev(t)
	state, calls := clustertest.FakeDocker(t)
	t.Setenv("FAKE_DOCKER_SLOW", "exec 60")
	r := newTestRepo(t, generateKey(t))
	cmd := exec.Command(bin, append([]string{"up", "--no-registry"}, r.keyArgs()...)...)
	cmd.Dir = r.dir
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir(), "NO_COLOR=1")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	started := filepath.Join(state, "slow-started")
	deadline := time.Now().Add(2 * time.Minute)
	for {
		if _, err := os.Stat(started); err == nil {
			break
		}
		select {
		case err := <-done:
			t.Fatalf("up ended before kind reached the node (%v):\n%s", err, out.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("kind never reached the node:\n%s", out.String())
		}
	}
	if _, err := os.Stat(filepath.Join(state, "containers", "emm-control-plane")); err != nil {
		t.Fatalf("the node container should exist while kind works in it: %v", err)
	}
	sent := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	var err error
	select {
	case err = <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("up still running 10 s after SIGTERM:\n%s", out.String())
	}
	took := time.Since(sent)
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 130 {
		t.Errorf("exit %v, want 130", err)
	}
	if took > 2*time.Second {
		t.Errorf("up took %s to stop after SIGTERM, want at most 2 s", took.Round(time.Millisecond))
	}
	if !strings.Contains(out.String(), "emmdev: interrupted") {
		t.Errorf("output does not say it was interrupted:\n%s", out.String())
	}
	// The child removes what kind made, possibly after the parent left.
	for end := time.Now().Add(10 * time.Second); ; {
		if _, err := os.Stat(filepath.Join(state, "containers", "emm-control-plane")); errors.Is(err, os.ErrNotExist) {
			break
		}
		if time.Now().After(end) {
			t.Fatalf("the half-made node container was not removed; docker calls:\n%s", calls())
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("stopped %s after SIGTERM", took.Round(time.Millisecond))
}

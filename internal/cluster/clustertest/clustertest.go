// Package clustertest is test support for kind wiring: it puts the fake
// docker CLI (internal/cluster/testdata/fakedocker) on PATH and hands out free
// host ports, for the cluster, up and down tests alike.
package clustertest

import (
	"net"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// FakeDocker puts the fake docker first on PATH (with nothing else that could
// hold a real docker), gives it a fresh state directory and a fresh
// KUBECONFIG. It changes process env, so callers must not run in parallel.
// It returns the state directory; calls reads the argv lines it recorded.
func FakeDocker(t *testing.T) (state string, calls func() string) {
	t.Helper()
	_, self, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("clustertest: cannot locate the fake docker")
	}
	bin := filepath.Join(filepath.Dir(self), "..", "testdata", "fakedocker")
	state = t.TempDir()
	t.Setenv("PATH", bin+":/usr/bin:/bin")
	t.Setenv("FAKE_DOCKER_DIR", state)
	t.Setenv("KUBECONFIG", filepath.Join(t.TempDir(), "kubeconfig"))
	return state, func() string {
		data, _ := os.ReadFile(filepath.Join(state, "calls"))
		return string(data)
	}
}

// FreePort returns a TCP port that was free a moment ago.
func FreePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", ":0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

package lint_test

import (
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

type countingTransport struct{ calls atomic.Int64 }

func (c *countingTransport) RoundTrip(*http.Request) (*http.Response, error) {
	c.calls.Add(1)
	return nil, errors.New("network access attempted during lint")
}

// TestOfflineNoHTTP lints a tree with a CRD, a custom resource, a
// SealedSecret and core kinds (every schema path) with the process's HTTP
// transports replaced and proxies pointed at a closed port: any attempt to
// fetch a schema would be counted. Not parallel: it swaps process globals.
func TestOfflineNoHTTP(t *testing.T) {
	t.Setenv("HTTP_PROXY", "http://127.0.0.1:9")
	t.Setenv("HTTPS_PROXY", "http://127.0.0.1:9")
	ct := &countingTransport{}
	oldTransport, oldClient := http.DefaultTransport, http.DefaultClient.Transport
	http.DefaultTransport, http.DefaultClient.Transport = ct, ct
	t.Cleanup(func() { http.DefaultTransport, http.DefaultClient.Transport = oldTransport, oldClient })

	r := run(t, "", "", "lint", "testdata/offline")
	if n := ct.calls.Load(); n != 0 {
		t.Fatalf("lint attempted %d HTTP requests", n)
	}
	assertOfflineResult(t, r.code, r.out+r.errOut)
}

func assertOfflineResult(t *testing.T, code int, out string) {
	t.Helper()
	if code != 1 {
		t.Fatalf("exit %d, want 1 (findings)\n%s", code, out)
	}
	for _, want := range []string{"[plaintext-secret]", "[readiness-probe]", "testdata/offline/objects.yaml:32:3: error [schema]", "testdata/offline/objects.yaml:7:3: error [schema] Widget"} {
		if !strings.Contains(out, want) {
			t.Errorf("offline lint lacks %q:\n%s", want, out)
		}
	}
}

// TestOfflineNetworkNamespace runs the real binary in a new network
// namespace (no interfaces but a down loopback), the "network unplugged"
// case. It needs unshare(1) and user namespaces; TestOfflineNoHTTP covers
// the same property in-process where they are missing.
func TestOfflineNetworkNamespace(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	if err := exec.Command("unshare", "-rn", "true").Run(); err != nil {
		t.Skipf("unshare -rn unavailable (%v); TestOfflineNoHTTP covers offline use in-process", err)
	}
	bin := filepath.Join(t.TempDir(), "emmdev")
	build := exec.Command("go", "build", "-o", bin, "github.com/emmdev/emmdev/cmd/emmdev")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.Command("unshare", "-rn", bin, "lint", "testdata/offline")
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	out, err := cmd.CombinedOutput()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	assertOfflineResult(t, code, string(out))
}

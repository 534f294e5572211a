package lint_test

import (
	"errors"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/emmdev/emmdev/internal/testenv"
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
// case: the proof that lint needs no network. It needs unshare(1) and user
// namespaces; without them it is skipped on a developer machine and fails
// under CI, where the proof must run.
func TestOfflineNetworkNamespace(t *testing.T) {
	if err := exec.Command("unshare", "-rn", "true").Run(); err != nil {
		testenv.SkipOrFail(t, "unshare -rn unavailable (%v): cannot run lint without a network", err)
	}
	bin := testenv.BuildEmmdev(t)
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

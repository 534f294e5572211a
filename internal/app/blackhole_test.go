package app

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emmdev/emmdev/internal/cmdutil"
	"github.com/emmdev/emmdev/internal/seal"
	"github.com/emmdev/emmdev/internal/testenv"
)

// TestBlackHoleAPIServerEndsEveryClusterCommand: an API server that accepts
// connections and never answers used to hang status, seal, up and limits for
// minutes. With --request-timeout 1s each one-shot command exits 2 within
// the timeout (plus client-go's one retry), naming the timeout.
func TestBlackHoleAPIServerEndsEveryClusterCommand(t *testing.T) {
	t.Parallel()
	kubeconfig := testenv.Kubeconfig(t, "https://"+testenv.BlackHole(t))
	repo := testenv.RepoRoot(t)
	keys := t.TempDir()
	kp, err := seal.GenerateKeyPair(2048, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	keyPath, certPath := filepath.Join(keys, "sealing", "dev-key.pem"), filepath.Join(keys, "dev-cert.pem")
	if _, err := seal.WriteKeyPair(kp, keyPath, certPath, false, time.Now()); err != nil {
		t.Fatal(err)
	}
	env := filepath.Join(t.TempDir(), "x.env")
	if err := os.WriteFile(env, []byte("A=1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	const timeout = time.Second
	cases := map[string][]string{
		"status --once":        {"status", "--once"},
		"seal --from-cluster":  {"seal", "--from-cluster", "--from-env-file", env, "--name", "x", "--namespace", "y"},
		"up --skip-cluster":    {"up", "--skip-cluster", "--no-wait", "--sealing-key", keyPath, "--sealing-cert", certPath},
		"status -o json":       {"status", "-o", "json"},
		"up, explicit context": {"up", "--skip-cluster", "--context", "test", "--sealing-key", keyPath, "--sealing-cert", certPath},
		"limits":               {"limits", filepath.Join(repo, "manifests")},
		"limits --watch":       {"limits", "--watch", "1m", filepath.Join(repo, "manifests")},
	}
	// The same commands against a port that refuses at once measure the
	// work done before and around the API calls (key, manifests, kustomize;
	// slow under -race), so only the time spent waiting is compared with
	// the timeout.
	refused := testenv.Kubeconfig(t, "https://"+closedPort(t))
	run := func(kc string, args []string) (int, string, string, time.Duration) {
		streams, _, out, errOut := cmdutil.TestStreams()
		streams.Getenv = func(k string) string {
			return map[string]string{"KUBECONFIG": kc, "HOME": keys}[k]
		}
		f := &cmdutil.Factory{Streams: streams, Version: "test", WorkDir: func() (string, error) { return repo, nil }}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		start := time.Now()
		code := Run(ctx, append(args, "--request-timeout", timeout.String()), f)
		return code, out.String(), errOut.String(), time.Since(start)
	}
	for name, args := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, _, _, base := run(refused, args)
			code, out, errOut, took := run(kubeconfig, args)
			t.Logf("exit %d after %s (%s against a refusing port): %s", code, took.Round(time.Millisecond), base.Round(time.Millisecond), strings.TrimSpace(errOut))
			if code != cmdutil.ExitFailure {
				t.Errorf("exit %d, want 2\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
			}
			// One retry by client-go at most, plus scheduling slack.
			if waited := took - base; waited > 2*timeout+time.Second {
				t.Errorf("waited %s (%s in all) with --request-timeout %s", waited.Round(time.Millisecond), took.Round(time.Millisecond), timeout)
			}
			if !strings.Contains(errOut, "did not answer within 1s (--request-timeout)") {
				t.Errorf("the error does not say it timed out:\n%s", errOut)
			}
		})
	}
}

// TestBlackHoleWatchKeepsReconnectingAndSaysSo: the live modes do not give
// up on a hung API server; each call times out, the informers retry, and
// the output says it is reconnecting, until the user interrupts.
func TestBlackHoleWatchKeepsReconnectingAndSaysSo(t *testing.T) {
	t.Parallel()
	kubeconfig := testenv.Kubeconfig(t, "https://"+testenv.BlackHole(t))
	streams, _, out, errOut := cmdutil.TestStreams()
	streams.Getenv = func(k string) string { return map[string]string{"KUBECONFIG": kubeconfig}[k] }
	f := &cmdutil.Factory{Streams: streams, Version: "test", WorkDir: func() (string, error) { return t.TempDir(), nil }}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(4*time.Second, cancel)
	code := Run(ctx, []string{"status", "--watch", "--request-timeout", "500ms"}, f)
	if code != cmdutil.ExitInterrupted {
		t.Errorf("exit %d, want 130 (interrupted)\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	if n := strings.Count(out.String(), "reconnecting (attempt "); n < 2 || !strings.Contains(out.String(), "no response within 500ms (--request-timeout)") {
		t.Errorf("want repeated reconnecting lines, got %d:\n%s", n, out)
	}
}

// closedPort is a loopback address nothing listens on: connections are
// refused at once.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	return addr
}

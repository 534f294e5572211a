package up_test

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/emmdev/emmdev/internal/app"
	"github.com/emmdev/emmdev/internal/cluster/clustertest"
	"github.com/emmdev/emmdev/internal/cmdutil"
	"github.com/emmdev/emmdev/internal/seal"
)

// testRepo is a throwaway copy of the EMM repository layout: kind-config.yaml,
// manifests/ and a dev sealing key pair generated for the test.
type testRepo struct {
	dir      string
	keyPath  string
	certPath string
	kp       *seal.KeyPair
	port     int
}

func newTestRepo(t *testing.T, kp *seal.KeyPair) *testRepo {
	t.Helper()
	r := &testRepo{dir: t.TempDir(), kp: kp}
	r.port = clustertest.FreePort(t)
	cfg, err := os.ReadFile("testdata/kind-config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg = bytes.ReplaceAll(cfg, []byte("HOSTPORT"), []byte(strconv.Itoa(r.port)))
	writeFile(t, filepath.Join(r.dir, "kind-config.yaml"), cfg, 0o644)
	copyDir(t, "../../../manifests", filepath.Join(r.dir, "manifests"))
	keys := t.TempDir()
	if err := os.Chmod(keys, 0o700); err != nil { // a key's folder must be private
		t.Fatal(err)
	}
	r.keyPath, r.certPath = filepath.Join(keys, "dev-key.pem"), filepath.Join(keys, "dev-cert.pem")
	writeFile(t, r.keyPath, kp.KeyPEM(), 0o600)
	writeFile(t, r.certPath, kp.CertPEM(), 0o644)
	return r
}

// generateKey makes a 2048-bit pair: the controller's 4096 bits cost seconds
// and prove nothing more here.
func generateKey(t *testing.T) *seal.KeyPair {
	t.Helper()
	kp, err := seal.GenerateKeyPair(2048, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return kp
}

func (r *testRepo) keyArgs() []string {
	return []string{"--sealing-key", r.keyPath, "--sealing-cert", r.certPath}
}

// run executes `emmdev <args>` in-process from the repository directory.
func (r *testRepo) run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	streams, _, out, errOut := cmdutil.TestStreams()
	// The process env, which clustertest.FakeDocker and the tests set with
	// t.Setenv (KUBECONFIG above all): kind writes there, up reads there.
	streams.Getenv = os.Getenv
	f := &cmdutil.Factory{Streams: streams, Version: "test", WorkDir: func() (string, error) { return r.dir, nil }}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	code = app.Run(ctx, args, f)
	return code, out.String(), errOut.String()
}

func writeFile(t *testing.T, path string, data []byte, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, mode); err != nil {
		t.Fatal(err)
	}
}

func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

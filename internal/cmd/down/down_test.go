package down_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emmdev/emmdev/internal/app"
	"github.com/emmdev/emmdev/internal/cluster"
	"github.com/emmdev/emmdev/internal/cluster/clustertest"
	"github.com/emmdev/emmdev/internal/cmdutil"
	"github.com/emmdev/emmdev/internal/progress"
)

// TestDownKeepsDataFolders creates cluster "emm" through kind's API against
// the fake docker CLI, puts a sentinel file in each data folder, runs
// `emmdev down --registry` and checks that the cluster and registry are gone
// and the sentinels are byte-for-byte untouched.
func TestDownKeepsDataFolders(t *testing.T) {
	state, _ := clustertest.FakeDocker(t)
	kubeconfig := os.Getenv("KUBECONFIG")

	repo := t.TempDir()
	cfg, err := os.ReadFile("testdata/kind-config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg = bytes.ReplaceAll(cfg, []byte("HOSTPORT"), []byte(strconv.Itoa(clustertest.FreePort(t))))
	if err := os.WriteFile(filepath.Join(repo, "kind-config.yaml"), cfg, 0o644); err != nil {
		t.Fatal(err)
	}
	p := progress.New(&bytes.Buffer{}, false, false, progress.Quiet)
	plan, err := cluster.Preflight(p, cluster.Options{RepoRoot: repo})
	if err != nil {
		t.Fatal(err)
	}
	if err := cluster.Ensure(p, plan, cluster.EnsureOptions{Kubeconfig: kubeconfig, WaitForReady: time.Minute, Registry: true}); err != nil {
		t.Fatal(err)
	}

	type sentinel struct {
		path  string
		data  []byte
		mtime time.Time
	}
	var sentinels []sentinel
	for _, dir := range []string{plan.Folders.Vault, plan.Folders.Unsorted} {
		path := filepath.Join(dir, "sentinel.md")
		data := []byte("keep me: " + dir + "\n")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		sentinels = append(sentinels, sentinel{path, data, fi.ModTime()})
	}

	code, out, errOut := runEmmdev(t, repo, "down", "--registry")
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	calls, _ := os.ReadFile(filepath.Join(state, "calls"))
	for _, want := range []string{"rm -f -v emm-control-plane", "rm -f kind-registry"} {
		if !strings.Contains(string(calls), want+"\n") {
			t.Errorf("down did not run `docker %s`; calls:\n%s", want, calls)
		}
	}
	for _, s := range sentinels {
		data, err := os.ReadFile(s.path)
		if err != nil || !bytes.Equal(data, s.data) {
			t.Errorf("sentinel %s changed or gone: %q, %v", s.path, data, err)
		}
		if fi, err := os.Stat(s.path); err != nil || !fi.ModTime().Equal(s.mtime) {
			t.Errorf("sentinel %s touched", s.path)
		}
	}
	for _, want := range []string{"vault     " + plan.Folders.Vault, "unsorted  " + plan.Folders.Unsorted} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout does not say where the data is (%q):\n%s", want, out)
		}
	}

	// Nothing left: a second down says so and still succeeds.
	code, _, errOut = runEmmdev(t, repo, "down")
	if code != 0 || !strings.Contains(errOut, `cluster "emm" does not exist`) {
		t.Errorf("second down: exit %d\n%s", code, errOut)
	}
}

func TestDownWithoutRuntimeFails(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	code, _, errOut := runEmmdev(t, t.TempDir(), "down")
	if code != cmdutil.ExitFailure || !strings.Contains(errOut, "emmdev: no container runtime found") {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
}

func runEmmdev(t *testing.T, dir string, args ...string) (int, string, string) {
	t.Helper()
	streams, _, out, errOut := cmdutil.TestStreams()
	f := &cmdutil.Factory{Streams: streams, Version: "test", WorkDir: func() (string, error) { return dir, nil }}
	code := app.Run(context.Background(), args, f)
	return code, out.String(), errOut.String()
}

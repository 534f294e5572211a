package down_test

import (
	"bytes"
	"context"
	"fmt"
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
	plan, err := cluster.Preflight(context.Background(), p, cluster.Options{RepoRoot: repo})
	if err != nil {
		t.Fatal(err)
	}
	if err := cluster.Ensure(context.Background(), p, plan, cluster.EnsureOptions{Kubeconfig: kubeconfig, WaitForReady: time.Minute, Registry: true}); err != nil {
		t.Fatal(err)
	}

	type sentinel struct {
		path  string
		data  []byte
		mtime time.Time
	}
	var sentinels []sentinel
	// A claim's folder as the platform's StorageClass lays it out
	// (namespace/claim), holding a Redis dump of a known size.
	redis := filepath.Join(plan.Folders.Volumes, "agentic-ai", "data-redis-cache-0")
	if err := os.MkdirAll(redis, 0o777); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{filepath.Join(plan.Folders.Vault, "sentinel.md"), filepath.Join(plan.Folders.Unsorted, "sentinel.md"), filepath.Join(redis, "dump.rdb")} {
		dir := filepath.Dir(path)
		data := []byte("keep me: " + dir + "\n")
		if strings.HasSuffix(path, ".rdb") {
			data = bytes.Repeat([]byte{'r'}, 3*1024*1024/2) // 1.5 MiB
		}
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
	vaultSize := fmt.Sprintf("%d B", len("keep me: "+plan.Folders.Vault+"\n"))
	for _, want := range []string{
		"Deleted:\n  cluster \"emm\" (node container emm-control-plane) with everything inside the node:\n    etcd: every Kubernetes object",
		"\n    the images pulled into the node",
		"  kube context kind-emm\n",
		"  registry container kind-registry and the images pushed to it\n",
		"Kept on this machine:\n",
		"  vault     " + plan.Folders.Vault + "  " + vaultSize + "\n",
		"  unsorted  " + plan.Folders.Unsorted + "  ",
		"  volumes   " + plan.Folders.Volumes + "  1.5 MiB\n",
		"            agentic-ai/data-redis-cache-0  1.5 MiB\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "(remove with --registry)") {
		t.Errorf("--registry removed the registry, but the report says it is kept:\n%s", out)
	}

	// Nothing left: a second down says so and still succeeds.
	code, out, errOut = runEmmdev(t, repo, "down")
	if code != 0 || !strings.Contains(errOut, `cluster "emm" does not exist`) {
		t.Errorf("second down: exit %d\n%s", code, errOut)
	}
	if !strings.Contains(out, "Deleted:\n  nothing\n") || !strings.Contains(out, "agentic-ai/data-redis-cache-0  1.5 MiB") ||
		!strings.Contains(out, "(remove with --registry)") {
		t.Errorf("second down report:\n%s", out)
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

// TestDownStopsAtOnceWhenInterrupted: docker hanging on `rm` (a stuck
// daemon) does not hold up Ctrl-C.
func TestDownStopsAtOnceWhenInterrupted(t *testing.T) {
	state, _ := clustertest.FakeDocker(t)
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
	plan, err := cluster.Preflight(context.Background(), p, cluster.Options{RepoRoot: repo})
	if err != nil {
		t.Fatal(err)
	}
	if err := cluster.Ensure(context.Background(), p, plan, cluster.EnsureOptions{Kubeconfig: os.Getenv("KUBECONFIG"), WaitForReady: time.Minute}); err != nil {
		t.Fatal(err)
	}
	t.Setenv("FAKE_DOCKER_SLOW", "rm 30")
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for {
			if _, err := os.Stat(filepath.Join(state, "slow-started")); err == nil {
				cancel()
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
	}()
	streams, _, _, errOut := cmdutil.TestStreams()
	f := &cmdutil.Factory{Streams: streams, Version: "test", WorkDir: func() (string, error) { return repo, nil }}
	start := time.Now()
	code := app.Run(ctx, []string{"down"}, f)
	if code != cmdutil.ExitInterrupted {
		t.Errorf("exit %d, want 130\n%s", code, errOut)
	}
	if took := time.Since(start); took > 15*time.Second {
		t.Errorf("down took %s while docker hung", took)
	}
}

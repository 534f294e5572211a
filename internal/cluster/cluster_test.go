package cluster

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"k8s.io/client-go/tools/clientcmd"

	"github.com/emmdev/emmdev/internal/cluster/clustertest"
	"github.com/emmdev/emmdev/internal/progress"
)

// fakeEnv puts testdata/fakedocker first on PATH (and nothing else that could
// hold a real docker) and gives the fake a fresh state directory. The tests
// using it change process-wide env, so they do not run in parallel.
type fakeEnv struct {
	state   string // FAKE_DOCKER_DIR
	root    string // repository root with kind-config.yaml
	kubecfg string
	port    int
}

func newFakeEnv(t *testing.T) *fakeEnv {
	t.Helper()
	state, _ := clustertest.FakeDocker(t)
	e := &fakeEnv{state: state, root: t.TempDir(), kubecfg: os.Getenv("KUBECONFIG")}
	e.port = clustertest.FreePort(t)
	e.writeConfig(t, "testdata/kind-config.yaml")
	return e
}

func (e *fakeEnv) writeConfig(t *testing.T, src string) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	data = bytes.ReplaceAll(data, []byte("HOSTPORT"), []byte(strconv.Itoa(e.port)))
	if err := os.WriteFile(filepath.Join(e.root, ConfigFile), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// calls returns the docker invocations recorded so far.
func (e *fakeEnv) calls(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(e.state, "calls"))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSpace(string(data)), "\n")
}

func (e *fakeEnv) countCalls(t *testing.T, prefix string) int {
	n := 0
	for _, c := range e.calls(t) {
		if strings.HasPrefix(c, prefix) {
			n++
		}
	}
	return n
}

func (e *fakeEnv) up(t *testing.T, o Options) (*Plan, error) {
	t.Helper()
	o.RepoRoot = e.root
	var out bytes.Buffer
	p := progress.New(&out, false, false, progress.Verbose)
	plan, err := Preflight(context.Background(), p, o)
	if err != nil {
		return plan, err
	}
	err = Ensure(context.Background(), p, plan, EnsureOptions{Kubeconfig: e.kubecfg, WaitForReady: time.Minute, Registry: true})
	return plan, err
}

const nodeRun = "run --name emm-control-plane "

func TestUpCreatesClusterWithAbsoluteHostPaths(t *testing.T) {
	e := newFakeEnv(t)
	plan, err := e.up(t, Options{})
	if err != nil {
		t.Fatalf("up: %v", err)
	}
	if plan.Action != ActionCreate {
		t.Fatalf("action = %s, want create", plan.Action)
	}
	var run string
	for _, c := range e.calls(t) {
		if strings.HasPrefix(c, nodeRun) {
			run = c
		}
	}
	if run == "" {
		t.Fatalf("kind never ran the node container; calls:\n%s", strings.Join(e.calls(t), "\n"))
	}
	for _, want := range []string{
		"--volume=" + filepath.Join(e.root, "data/vault") + ":/mnt/data/vault",
		"--volume=" + filepath.Join(e.root, "data/unsorted") + ":/mnt/data/unsorted",
		// The claims of the platform's StorageClass live on the host.
		"--volume=" + filepath.Join(e.root, "data/volumes") + ":/var/local-path-provisioner/emm",
		"--publish=0.0.0.0:" + strconv.Itoa(e.port) + ":30080/TCP",
	} {
		if !strings.Contains(run, want) {
			t.Errorf("docker run lacks %q:\n%s", want, run)
		}
	}
	if strings.Contains(run, "./data") {
		t.Errorf("a relative host path reached docker: %s", run)
	}
	for _, d := range []string{"data/vault", "data/unsorted", "data/volumes"} {
		fi, err := os.Stat(filepath.Join(e.root, d))
		if err != nil || !fi.IsDir() || fi.Mode().Perm() != 0o755 {
			t.Errorf("data folder %s not created 0755: %v %v", d, fi, err)
		}
	}
	// The effective config went through kind's containerd patch path and the
	// registry's hosts.toml was written into the node.
	hosts, err := os.ReadFile(filepath.Join(e.state, "files/emm-control-plane/etc/containerd/certs.d/localhost:5001/hosts.toml"))
	if err != nil || !strings.Contains(string(hosts), `[host."http://kind-registry:5000"]`) {
		t.Errorf("hosts.toml for the local registry: %q, %v", hosts, err)
	}
	if _, err := os.Stat(filepath.Join(e.state, "configmaps-emm-control-plane/local-registry-hosting")); err != nil {
		t.Errorf("KEP-1755 local-registry-hosting ConfigMap not applied: %v", err)
	}
	if e.countCalls(t, "run -d --restart=always -p 127.0.0.1:5001:5000") != 1 {
		t.Errorf("registry container not started once")
	}
	kc, err := clientcmd.LoadFromFile(e.kubecfg)
	if err != nil {
		t.Fatalf("kubeconfig: %v", err)
	}
	if kc.CurrentContext != "kind-emm" || kc.Contexts["kind-emm"] == nil {
		t.Errorf("current context = %q, contexts %v; want kind-emm", kc.CurrentContext, kc.Contexts)
	}
}

func TestSecondUpWithSameConfigReusesCluster(t *testing.T) {
	e := newFakeEnv(t)
	if _, err := e.up(t, Options{}); err != nil {
		t.Fatalf("first up: %v", err)
	}
	runs := e.countCalls(t, nodeRun)
	start := time.Now()
	plan, err := e.up(t, Options{})
	if err != nil {
		t.Fatalf("second up: %v", err)
	}
	if plan.Action != ActionReuse {
		t.Fatalf("action = %s, want reuse", plan.Action)
	}
	if got := e.countCalls(t, nodeRun); got != runs {
		t.Errorf("second up created the node again (%d docker run calls, want %d)", got, runs)
	}
	if e.countCalls(t, "rm ") != 0 {
		t.Errorf("second up deleted something: %v", e.calls(t))
	}
	t.Logf("reuse took %s", time.Since(start))
}

func TestChangedConfigIsRefusedUnlessRecreate(t *testing.T) {
	e := newFakeEnv(t)
	if _, err := e.up(t, Options{}); err != nil {
		t.Fatalf("first up: %v", err)
	}
	runs := e.countCalls(t, nodeRun)
	_, err := e.up(t, Options{Overrides: FolderOverrides{Vault: filepath.Join(e.root, "elsewhere")}})
	var refused *RefusedError
	if !errors.As(err, &refused) {
		t.Fatalf("changed config: err = %v, want RefusedError", err)
	}
	for _, want := range []string{"- ", filepath.Join(e.root, "data/vault"), "+ ", filepath.Join(e.root, "elsewhere"), "--recreate"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("refusal lacks %q:\n%s", want, err)
		}
	}
	if e.countCalls(t, nodeRun) != runs || e.countCalls(t, "rm ") != 0 {
		t.Fatalf("refused up touched the cluster: %v", e.calls(t))
	}

	plan, err := e.up(t, Options{Recreate: true, Overrides: FolderOverrides{Vault: filepath.Join(e.root, "elsewhere")}})
	if err != nil {
		t.Fatalf("--recreate: %v", err)
	}
	if plan.Action != ActionRecreate {
		t.Errorf("action = %s, want recreate", plan.Action)
	}
	if e.countCalls(t, "rm -f -v emm-control-plane") != 1 || e.countCalls(t, nodeRun) != runs+1 {
		t.Errorf("--recreate should delete once and create once; calls:\n%s", strings.Join(e.calls(t), "\n"))
	}
	// And now the new config is the recorded one.
	plan, err = e.up(t, Options{Overrides: FolderOverrides{Vault: filepath.Join(e.root, "elsewhere")}})
	if err != nil || plan.Action != ActionReuse {
		t.Errorf("up after recreate: %v, %v; want reuse", plan, err)
	}
}

func TestClusterWithoutRecordIsRefused(t *testing.T) {
	e := newFakeEnv(t)
	// A cluster "emm" made by plain kind: the node exists, no emmdev record.
	if err := os.MkdirAll(filepath.Join(e.state, "containers"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(e.state, "containers/emm-control-plane"), []byte("cluster=emm\nrole=control-plane\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := e.up(t, Options{})
	var refused *RefusedError
	if !errors.As(err, &refused) || refused.Diff != "" || !strings.Contains(err.Error(), "no record") {
		t.Fatalf("err = %v, want a refusal for a cluster without record", err)
	}
}

func TestPreflightFailuresCreateNothing(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(t *testing.T, e *fakeEnv) Options
		wantErr string
	}{
		{
			name: "no container runtime",
			setup: func(t *testing.T, e *fakeEnv) Options {
				t.Setenv("PATH", t.TempDir())
				return Options{}
			},
			wantErr: "no container runtime found",
		},
		{
			name: "runtime installed but not answering",
			setup: func(t *testing.T, e *fakeEnv) Options {
				dir := t.TempDir()
				script := "#!/bin/sh\necho \"$*\" >>\"$FAKE_DOCKER_DIR/calls\"\n[ \"$1\" = -v ] && { echo 'Docker version 27.5.1, build fake'; exit 0; }\necho 'Cannot connect to the Docker daemon' >&2; exit 1\n"
				if err := os.WriteFile(filepath.Join(dir, "docker"), []byte(script), 0o755); err != nil {
					t.Fatal(err)
				}
				t.Setenv("PATH", dir+":/usr/bin:/bin")
				return Options{}
			},
			wantErr: "does not answer",
		},
		{
			name: "busy host port",
			setup: func(t *testing.T, e *fakeEnv) Options {
				l, err := net.Listen("tcp", ":"+strconv.Itoa(e.port))
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { l.Close() })
				return Options{}
			},
			wantErr: "host port 0.0.0.0:",
		},
		{
			name: "data folder cannot be created",
			setup: func(t *testing.T, e *fakeEnv) Options {
				file := filepath.Join(t.TempDir(), "a-file")
				if err := os.WriteFile(file, nil, 0o644); err != nil {
					t.Fatal(err)
				}
				return Options{Overrides: FolderOverrides{Vault: filepath.Join(file, "vault")}}
			},
			wantErr: "a-file/vault: not a directory",
		},
		{
			name: "data folder not writable",
			setup: func(t *testing.T, e *fakeEnv) Options {
				dir := filepath.Join(t.TempDir(), "ro")
				if err := os.Mkdir(dir, 0o555); err != nil {
					t.Fatal(err)
				}
				if os.Geteuid() == 0 {
					// Root ignores mode bits; an immutable folder refuses
					// even root, as a read-only mount would.
					if out, err := exec.Command("chattr", "+i", dir).CombinedOutput(); err != nil {
						t.Fatalf("chattr +i (needed to make a folder unwritable for root): %v: %s", err, out)
					}
					t.Cleanup(func() { _ = exec.Command("chattr", "-i", dir).Run() })
				}
				return Options{Overrides: FolderOverrides{Unsorted: dir}}
			},
			wantErr: "is not writable",
		},
		{
			name: "kind config with a misspelt field",
			setup: func(t *testing.T, e *fakeEnv) Options {
				e.writeConfig(t, "testdata/kind-config-typo.yaml")
				return Options{}
			},
			wantErr: `kind-config.yaml:5: unknown field "extraMount"`,
		},
		{
			name: "kind config without data mounts",
			setup: func(t *testing.T, e *fakeEnv) Options {
				e.writeConfig(t, "testdata/kind-config-nomounts.yaml")
				return Options{}
			},
			wantErr: "no extraMounts for /mnt/data/vault, /mnt/data/unsorted, /var/local-path-provisioner/emm",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newFakeEnv(t)
			o := tt.setup(t, e)
			_, err := e.up(t, o)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
			}
			for _, c := range e.calls(t) {
				if strings.HasPrefix(c, "run ") || strings.HasPrefix(c, "network create") {
					t.Errorf("preflight failure still created something: %s", c)
				}
			}
			if tt.name != "data folder not writable" {
				if _, err := os.Stat(filepath.Join(e.root, "data", "unsorted")); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("data folder created despite the failed preflight (err %v)", err)
				}
			}
		})
	}
}

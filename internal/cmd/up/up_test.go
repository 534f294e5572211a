package up_test

import (
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emmdev/emmdev/internal/cluster/clustertest"
	"github.com/emmdev/emmdev/internal/cmd/up"
	"github.com/emmdev/emmdev/internal/cmdutil"
)

func TestFlagsParseIntoOptions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		args    []string
		check   func(t *testing.T, o *up.Options)
		wantErr string
	}{
		{name: "defaults", args: nil, check: func(t *testing.T, o *up.Options) {
			if o.Timeout != 5*time.Minute || o.SkipCluster || o.NoWait || o.Recreate || o.DryRun || o.ManifestsDir != "manifests" {
				t.Errorf("defaults: %+v", o)
			}
		}},
		{name: "deploy phase only", args: []string{"--skip-cluster", "--context", "other", "--kubeconfig", "/k", "--no-wait"}, check: func(t *testing.T, o *up.Options) {
			if !o.SkipCluster || o.Context != "other" || o.Kubeconfig != "/k" || !o.NoWait {
				t.Errorf("got %+v", o)
			}
		}},
		{name: "folders and timeout", args: []string{"--vault-dir", "v", "--unsorted-dir", "u", "--timeout", "90s", "-v"}, check: func(t *testing.T, o *up.Options) {
			if o.VaultDir != "v" || o.UnsortedDir != "u" || o.Timeout != 90*time.Second || !o.Verbose {
				t.Errorf("got %+v", o)
			}
		}},
		{name: "recreate with skip-cluster", args: []string{"--skip-cluster", "--recreate"}, wantErr: "--recreate needs the cluster phase"},
		{name: "context without skip-cluster", args: []string{"--context", "x"}, wantErr: "--context selects the cluster for --skip-cluster"},
		{name: "verbose and quiet", args: []string{"-v", "-q"}, wantErr: "cannot be combined"},
		{name: "zero timeout", args: []string{"--timeout", "0s"}, wantErr: "--timeout must be positive"},
		{name: "positional argument", args: []string{"extra"}, wantErr: "unknown command"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			streams, _, _, _ := cmdutil.TestStreams()
			var got *up.Options
			cmd := up.NewCmd(&cmdutil.Factory{Streams: streams}, func(o *up.Options) error { got = o; return nil })
			cmd.SetArgs(tt.args)
			cmd.SetOut(&strings.Builder{})
			cmd.SetErr(&strings.Builder{})
			cmd.SilenceUsage, cmd.SilenceErrors = true, true
			err := cmd.Execute()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				if got != nil {
					t.Errorf("Run was called despite the usage error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, got)
		})
	}
}

func TestDryRunPrintsPlanAndChangesNothing(t *testing.T) {
	_, calls := clustertest.FakeDocker(t)
	r := newTestRepo(t, generateKey(t))
	code, out, errOut := r.run(t, append([]string{"up", "--dry-run"}, r.keyArgs()...)...)
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	vault := filepath.Join(r.dir, "data", "vault")
	for _, want := range []string{
		`    cluster:   create "emm" (context kind-emm)`,
		"    mount:     " + vault + ":/mnt/data/vault",
		"    mount:     " + filepath.Join(r.dir, "data", "volumes") + ":/var/local-path-provisioner/emm",
		"    folder:    create " + vault + " (vault, mode 0755)",
		"    port:      0.0.0.0:" + strconv.Itoa(r.port) + "/TCP",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("plan lacks %q:\n%s", want, out)
		}
	}
	// Dependency order: namespace first, the CRD and the dev key before the
	// SealedSecret, the controller's key Secret before its Deployment.
	order := []string{
		"CustomResourceDefinition sealedsecrets.bitnami.com",
		"Secret kube-system/emmdev-dev-sealing-key",
		"Deployment kube-system/sealed-secrets-controller",
		"Namespace agentic-ai",
		"SealedSecret agentic-ai/confluence-credentials",
		"StatefulSet agentic-ai/redis-cache",
		"Service agentic-ai/confluence",
		"Deployment agentic-ai/confluence",
	}
	last := -1
	for _, id := range order {
		i := strings.Index(out, id)
		if i < 0 || i < last {
			t.Fatalf("plan does not list %q after the previous objects:\n%s", id, out)
		}
		last = i
	}
	if _, err := os.Stat(vault); !os.IsNotExist(err) {
		t.Errorf("dry run created %s (err %v)", vault, err)
	}
	if strings.Contains(calls(), "\nrun ") || strings.HasPrefix(calls(), "run ") {
		t.Errorf("dry run ran a container:\n%s", calls())
	}
	if strings.Contains(out+errOut, "PRIVATE KEY") {
		t.Errorf("key material in the output")
	}
}

func TestPreflightFailureExits2BeforeCreating(t *testing.T) {
	_, calls := clustertest.FakeDocker(t)
	r := newTestRepo(t, generateKey(t))
	l, err := net.Listen("tcp", ":"+strconv.Itoa(r.port))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	code, out, errOut := r.run(t, append([]string{"up"}, r.keyArgs()...)...)
	if code != cmdutil.ExitFailure {
		t.Fatalf("exit %d, want 2\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	if !strings.Contains(errOut, "✗ Checking host ports") || !strings.Contains(errOut, "emmdev: kind-config.yaml: nodes[0].extraPortMappings[0]: host port 0.0.0.0:"+strconv.Itoa(r.port)+"/TCP is in use") {
		t.Errorf("stderr does not explain the busy port:\n%s", errOut)
	}
	if strings.Count(errOut, "emmdev:") != 1 {
		t.Errorf("error printed more than once:\n%s", errOut)
	}
	if c := calls(); strings.Contains(c, "run ") {
		t.Errorf("a container was started despite the failed preflight:\n%s", c)
	}
}

func TestMissingDevKeyExplainsKeygen(t *testing.T) {
	clustertest.FakeDocker(t)
	r := newTestRepo(t, generateKey(t))
	code, _, errOut := r.run(t, "up", "--sealing-key", filepath.Join(r.dir, "nope.pem"), "--sealing-cert", r.certPath)
	if code != cmdutil.ExitFailure || !strings.Contains(errOut, "emmdev seal keygen") {
		t.Fatalf("exit %d, stderr:\n%s", code, errOut)
	}
}

// On a fresh clone the dev private key is missing: a dry run still prints
// the whole plan, the key marked ✗ with the way out, and exits 2; a real up
// refuses before creating anything.
func TestMissingDevKey(t *testing.T) {
	_, calls := clustertest.FakeDocker(t)
	r := newTestRepo(t, generateKey(t))
	missing := filepath.Join(t.TempDir(), "no-such-key.pem")
	args := []string{"--sealing-key", missing, "--sealing-cert", r.certPath}

	code, out, errOut := r.run(t, append([]string{"up", "--dry-run"}, args...)...)
	if code != 2 {
		t.Fatalf("dry run: exit %d, want 2\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	if !strings.Contains(out, "  ✗ key:       dev sealing key: read sealing key") || !strings.Contains(out, "keygen --force") ||
		!strings.Contains(out, "1 problems (✗ above)") {
		t.Errorf("dry run: the plan does not mark the key with the way out:\n%s", out)
	}
	if strings.Contains(errOut, "emmdev:") {
		t.Errorf("the plan already names the problem; stderr repeats it:\n%s", errOut)
	}
	if !strings.Contains(out, "Deployment kube-system/sealed-secrets-controller") ||
		strings.Contains(out, "emmdev-dev-sealing-key") {
		t.Errorf("dry run plan: want the controller without a dev key Secret:\n%s", out)
	}

	code, _, errOut = r.run(t, append([]string{"up"}, args...)...)
	if code != 2 || !strings.Contains(errOut, "keygen --force") {
		t.Errorf("up without key: exit %d, want 2 with the hint\n%s", code, errOut)
	}
	if c := calls(); strings.Contains(c, " run ") || strings.Contains(c, "network create") {
		t.Errorf("docker was asked to create something:\n%s", c)
	}
}

// TestDryRunMarksEveryProblem: without docker, with a busy host port, a
// missing dev key and the home folder as a data folder, one dry run prints
// the whole plan with each of the four marked ✗, and exits 2; a real up
// names all four at once and creates nothing.
func TestDryRunMarksEveryProblem(t *testing.T) {
	clustertest.FakeDocker(t)
	r := newTestRepo(t, generateKey(t))
	t.Setenv("PATH", t.TempDir()) // no docker
	l, err := net.Listen("tcp", ":"+strconv.Itoa(r.port))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	home := t.TempDir()
	t.Setenv("HOME", home)
	missing := filepath.Join(t.TempDir(), "no-such-key.pem")
	args := []string{"--sealing-key", missing, "--sealing-cert", r.certPath, "--unsorted-dir", home}

	code, out, errOut := r.run(t, append([]string{"up", "--dry-run"}, args...)...)
	if code != 2 {
		t.Fatalf("exit %d, want 2\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	for _, want := range []string{
		"  ✗ key:       dev sealing key: read sealing key",
		"  ✗ runtime:   container runtime: no container runtime found",
		"  ✗ folder:    unsorted " + home + ": unsorted folder " + home + " is your home folder",
		"  ✗ port:      0.0.0.0:" + strconv.Itoa(r.port) + "/TCP: kind-config.yaml: nodes[0].extraPortMappings[0]: host port",
		"    folder:    create " + filepath.Join(r.dir, "data", "vault") + " (vault, mode 0755)",
		"      Deployment agentic-ai/confluence",
		"4 problems (✗ above)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("plan lacks %q:\n%s", want, out)
		}
	}
	code, _, errOut = r.run(t, append([]string{"up"}, args...)...)
	if code != 2 || !strings.Contains(errOut, "emmdev: 4 problems, nothing was created:") {
		t.Errorf("up: exit %d, want 2 naming all four problems\n%s", code, errOut)
	}
	for _, d := range []string{"vault", "volumes"} {
		if _, err := os.Stat(filepath.Join(r.dir, "data", d)); !os.IsNotExist(err) {
			t.Errorf("data/%s created despite the failed preflight", d)
		}
	}
}

package cluster

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emmdev/emmdev/internal/progress"
)

// TestPreflightReportsEveryProblemInOneRun: no container runtime, a busy
// host port and a data folder that is a file are three problems; one run
// names all three, and nothing is created.
func TestPreflightReportsEveryProblemInOneRun(t *testing.T) {
	e := newFakeEnv(t)
	t.Setenv("PATH", t.TempDir()) // no docker at all
	l, err := net.Listen("tcp", ":"+strconv.Itoa(e.port))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	file := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	plan, err := Preflight(context.Background(), progress.New(&out, false, false, progress.Normal),
		Options{RepoRoot: e.root, Overrides: FolderOverrides{Unsorted: file}})
	var pe *PreflightError
	if !errors.As(err, &pe) || len(pe.Problems) != 3 {
		t.Fatalf("err = %v, want a PreflightError with 3 problems", err)
	}
	for _, want := range []string{"3 problems, nothing was created", "no container runtime found", "host port 0.0.0.0:" + strconv.Itoa(e.port) + "/TCP is in use", "a-file exists and is not a directory"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if plan == nil || plan.Failed("runtime") == nil || plan.Failed("folder "+file) == nil || plan.Config == nil {
		t.Errorf("plan does not mark the failed items: %+v", plan)
	}
	if strings.Count(out.String(), "✗") != 3 {
		t.Errorf("want three failed steps:\n%s", out.String())
	}
	for _, d := range []string{"data/vault", "data/volumes"} {
		if _, err := os.Stat(filepath.Join(e.root, d)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s created despite the failed preflight", d)
		}
	}
}

func TestRefuseFolders(t *testing.T) {
	t.Parallel()
	base := t.TempDir()
	home := filepath.Join(base, "home")
	repo := filepath.Join(base, "repo")
	for _, d := range []string{home, repo, filepath.Join(repo, "data", "v")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	linkToHome := filepath.Join(base, "link-to-home")
	if err := os.Symlink(home, linkToHome); err != nil {
		t.Fatal(err)
	}
	ok := func(name string) string { return filepath.Join(repo, "data", name) }
	tests := []struct {
		name string
		f    Folders
		want []string
	}{
		{"separate folders under the repository", Folders{ok("v"), ok("u"), ok("vol")}, nil},
		{"root", Folders{"/", ok("u"), ok("vol")}, []string{"vault folder / is the file-system root", "--vault-dir or EMMDEV_VAULT_DIR"}},
		{"home", Folders{ok("v"), home, ok("vol")}, []string{"unsorted folder " + home + " is your home folder"}},
		{"home through a symlink", Folders{ok("v"), ok("u"), linkToHome}, []string{"volumes folder " + linkToHome + " is your home folder", "--volumes-dir"}},
		{"repository root", Folders{repo, ok("u"), ok("vol")}, []string{"is the repository root"}},
		{"same folder twice", Folders{ok("v"), ok("v") + "/", ok("vol")}, []string{"vault and unsorted are the same folder"}},
		{"two problems", Folders{"/", ok("u"), ok("u")}, []string{"file-system root", "unsorted and volumes are the same folder"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := tt.f
			f.Unsorted = filepath.Clean(f.Unsorted)
			probs := RefuseFolders(f, repo, home)
			var msgs []string
			for _, p := range probs {
				msgs = append(msgs, p.Err.Error())
			}
			all := strings.Join(msgs, "\n")
			if (len(tt.want) == 0) != (len(probs) == 0) {
				t.Fatalf("problems %q, want %q", all, tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(all, w) {
					t.Errorf("problems lack %q:\n%s", w, all)
				}
			}
		})
	}
}

// waitFor polls until path exists (the fake docker's slow call started).
func waitForFile(t *testing.T, path string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := os.Stat(path); err == nil {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%s never appeared", path)
}

// TestPreflightStopsWhenInterrupted: a docker that hangs (a stuck daemon)
// does not hold up an interrupt: Preflight returns context.Canceled at once.
func TestPreflightStopsWhenInterrupted(t *testing.T) {
	e := newFakeEnv(t)
	t.Setenv("FAKE_DOCKER_SLOW", "ps 30")
	ctx, cancel := context.WithCancel(context.Background())
	go func() { waitForFile(t, filepath.Join(e.state, "slow-started")); cancel() }()
	var out bytes.Buffer
	start := time.Now()
	_, err := Preflight(ctx, progress.New(&out, false, false, progress.Normal), Options{RepoRoot: e.root})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("preflight took %s after docker hung", took)
	}
}

// TestCreateInProcessFinishesKindsStepThenRemovesTheCluster: in-process,
// kind's create cannot be stopped; an interrupt says so, lets kind finish,
// then deletes what it made and reports the interruption.
func TestCreateInProcessFinishesKindsStepThenRemovesTheCluster(t *testing.T) {
	e := newFakeEnv(t)
	var out bytes.Buffer
	p := progress.New(&out, false, false, progress.Normal)
	plan, err := Preflight(context.Background(), p, Options{RepoRoot: e.root})
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("FAKE_DOCKER_SLOW", "run 2")
	ctx, cancel := context.WithCancel(context.Background())
	go func() { waitForFile(t, filepath.Join(e.state, "slow-started")); cancel() }()
	err = Ensure(ctx, p, plan, EnsureOptions{Kubeconfig: e.kubecfg, WaitForReady: time.Minute})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if !strings.Contains(out.String(), "finishing kind's step, Ctrl-C again to abort") {
		t.Errorf("output does not say kind is finishing:\n%s", out.String())
	}
	if n := e.countCalls(t, "rm -f -v emm-control-plane"); n != 1 {
		t.Errorf("the cluster kind made was not removed (%d rm calls):\n%s", n, strings.Join(e.calls(t), "\n"))
	}
	if entries, _ := os.ReadDir(filepath.Join(e.state, "containers")); len(entries) != 0 {
		t.Errorf("containers left: %v", entries)
	}
}

func TestKubeconfigFileFollowsTheInjectedEnvironment(t *testing.T) {
	t.Parallel()
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	list := "/a/config" + string(filepath.ListSeparator) + "/b/config"
	cases := []struct {
		explicit string
		env      map[string]string
		want     string
	}{
		{"/explicit", map[string]string{"KUBECONFIG": list, "HOME": "/h"}, "/explicit"},
		{"", map[string]string{"KUBECONFIG": list, "HOME": "/h"}, "/a/config"},
		{"", map[string]string{"HOME": "/h"}, "/h/.kube/config"},
		{"", nil, ""},
	}
	for _, c := range cases {
		if got := KubeconfigFile(c.explicit, env(c.env)); got != c.want {
			t.Errorf("KubeconfigFile(%q, %v) = %q, want %q", c.explicit, c.env, got, c.want)
		}
	}
}

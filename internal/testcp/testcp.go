// Package testcp starts a real Kubernetes control plane for integration
// tests: etcd, kube-apiserver, kube-controller-manager, kube-scheduler and a
// kwok-simulated node, from binaries built by hack/build-control-plane.sh.
//
// One plane serves a whole test package. It starts lazily on the first Get,
// so a package whose tests all skip starts nothing, and Main tears it down
// after the tests ran:
//
//	func TestMain(m *testing.M) {
//		os.Exit(testcp.Main(m, testcp.Options{Controllers: true, Kwok: true}))
//	}
//
//	func TestX(t *testing.T) {
//		cp := testcp.Get(t)
//		ns := cp.Namespace(t)
//		...
//	}
//
// Without binaries Get skips with a how-to message, except when CI is set,
// where it fails: CI must never pass by skipping.
package testcp

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// Options select what Main starts for a test package.
type Options struct {
	// Controllers starts kube-controller-manager and kube-scheduler (needed for
	// Deployments to create pods and pods to be scheduled).
	Controllers bool
	// Kwok starts kwok with one Ready node so scheduled pods go Running, and
	// the crash-loop stage (see CrashLoopLabel).
	Kwok bool
	// Metrics (implies Kwok) simulates container usage in kwok (see
	// UsageMemoryAnnotation) and starts metrics-server, registered as the
	// v1beta1.metrics.k8s.io APIService, so `kubectl top` works.
	Metrics bool
	// Logs (implies Kwok) serves container logs through kwok's kubelet
	// endpoint, so pods/log works; see ControlPlane.SetLogs.
	Logs bool
	// Prometheus (implies Kwok) starts Prometheus scraping kwok's simulated
	// kubelet resource metrics every second; see ControlPlane.PrometheusURL.
	Prometheus bool
}

// withKwok reports whether kwok must run for o.
func (o Options) withKwok() bool { return o.Kwok || o.Metrics || o.Logs || o.Prometheus }

// CrashLoopLabel: a pod carrying this label with value "true" is made to
// crash-loop by kwok (restartCount rises, CrashLoopBackOff, BackOff events);
// with value "oom" its containers are OOMKilled (exit code 137) instead.
// Containers with a liveness probe crash with exit code 137 after Unhealthy
// and Killing events; others with exit code 1. See CrashLoopRunAnnotation
// and CrashLoopBackOffAnnotation for the timing.
const CrashLoopLabel = "emmdev.test/crashloop"

// ControlPlane is a running, shared control plane.
type ControlPlane struct {
	// Config authenticates as a cluster admin (system:masters).
	Config *rest.Config
	// KubeconfigPath is a standalone kubeconfig (context "testcp") for the
	// same admin, for code under test that takes --kubeconfig.
	KubeconfigPath string
	Clientset      kubernetes.Interface
	Dynamic        dynamic.Interface

	p  *plane
	mu sync.Mutex // serialises StopAPIServer/StartAPIServer
}

// harness is the per-package state between Main and Get.
type harness struct {
	opts   Options
	getenv func(string) string

	once    sync.Once
	cp      *ControlPlane
	err     error
	elapsed time.Duration
	logged  atomic.Bool
}

// current is the harness of the running test binary. Main and Get are plain
// functions (testing.M carries no values), so this package-level pointer is
// the only way for Get to find the plane Main owns; it is set once per test
// binary and never otherwise mutated.
var current atomic.Pointer[harness]

// Main is called from TestMain: os.Exit(testcp.Main(m, testcp.Options{...})).
// It runs the tests, starting the plane on the first Get, then tears it down
// (kwok, scheduler, controller-manager, apiserver, etcd) and removes its
// temp dir. A failed teardown turns a passing run into exit code 1.
func Main(m *testing.M, opts Options) int {
	h := &harness{opts: opts, getenv: os.Getenv}
	if !current.CompareAndSwap(nil, h) {
		fmt.Fprintln(os.Stderr, "testcp: Main called twice in one test binary")
		return 2
	}
	defer current.Store(nil)
	code := m.Run()
	if err := h.teardown(); err != nil {
		fmt.Fprintf(os.Stderr, "testcp: teardown: %v\n", err)
		if code == 0 {
			code = 1
		}
	}
	return code
}

// Get returns the shared plane. Without binaries it skips the test with a
// message saying how to build them, unless CI is set, where it fails.
func Get(t testing.TB) *ControlPlane {
	t.Helper()
	h := current.Load()
	if h == nil {
		t.Fatal("testcp.Get: no control plane; call testcp.Main from TestMain")
		return nil
	}
	cp, skip, err := h.resolve()
	if skip != "" {
		t.Skip(skip)
	}
	if err != nil {
		t.Fatalf("testcp: %v", err)
	}
	// A component that died since the start (say kwok) would otherwise
	// show up as pods stuck in Pending until a test times out.
	if err := cp.p.checkAlive(false); err != nil {
		t.Fatalf("testcp: control plane broken: %v", err)
	}
	if h.logged.CompareAndSwap(false, true) {
		t.Logf("testcp: control plane up in %s (%s); binaries %s; logs in %s",
			h.elapsed.Round(10*time.Millisecond), strings.Join(cp.p.timings, ", "), cp.p.binDir, cp.p.dir)
	}
	return cp
}

// resolve decides between a plane, a skip (no binaries on a developer
// machine) and a failure (anything else, or no binaries with CI set).
func (h *harness) resolve() (cp *ControlPlane, skip string, err error) {
	cp, err = h.get()
	if errors.Is(err, errNotFound) {
		if h.getenv("CI") == "" {
			return nil, err.Error(), nil
		}
		return nil, "", fmt.Errorf("%w (CI is set, so this fails instead of skipping)", err)
	}
	return cp, "", err
}

// get starts the plane on first use; every later call gets the same result.
func (h *harness) get() (*ControlPlane, error) {
	h.once.Do(func() {
		dir, err := locateBinaries(h.getenv, h.opts)
		if err != nil {
			h.err = err
			return
		}
		t0 := time.Now()
		p, err := startPlane(dir, h.opts, h.getenv(EnvKeep) != "")
		if err != nil {
			h.err = err
			return
		}
		h.elapsed = time.Since(t0)
		h.cp, h.err = newControlPlane(p)
		if h.err != nil {
			h.err = errors.Join(h.err, p.stop())
		}
	})
	return h.cp, h.err
}

func (h *harness) teardown() error {
	if h.cp == nil {
		return nil
	}
	return h.cp.p.stop()
}

func newControlPlane(p *plane) (*ControlPlane, error) {
	cs, err := kubernetes.NewForConfig(p.config)
	if err != nil {
		return nil, fmt.Errorf("clientset: %w", err)
	}
	dyn, err := dynamic.NewForConfig(p.config)
	if err != nil {
		return nil, fmt.Errorf("dynamic client: %w", err)
	}
	return &ControlPlane{
		Config:         rest.CopyConfig(p.config),
		KubeconfigPath: p.path("admin.kubeconfig"),
		Clientset:      cs,
		Dynamic:        dyn,
		p:              p,
	}, nil
}

// Namespace creates a fresh namespace t-<random> for the test and deletes it
// after. Its "default" ServiceAccount exists on return, so pods can be
// created at once (even without the controller-manager).
func (c *ControlPlane) Namespace(t testing.TB) string {
	t.Helper()
	ctx := context.Background()
	name := "t-" + strings.ToLower(rand.Text()[:10])
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}
	if _, err := c.Clientset.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{}); err != nil {
		t.Fatalf("testcp: create namespace %s: %v", name, err)
	}
	t.Cleanup(func() {
		err := c.Clientset.CoreV1().Namespaces().Delete(context.Background(), name, metav1.DeleteOptions{})
		if err != nil && !apierrors.IsNotFound(err) {
			t.Errorf("testcp: delete namespace %s: %v", name, err)
		}
	})
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "default"}}
	if _, err := c.Clientset.CoreV1().ServiceAccounts(name).Create(ctx, sa, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatalf("testcp: create service account in %s: %v", name, err)
	}
	return name
}

// StopAPIServer stops kube-apiserver (SIGTERM, then wait); etcd keeps the
// data. If the test ends without StartAPIServer, cleanup starts it again so
// later tests find a working plane. Tests that stop the API server must not
// run in parallel with other tests of the package.
func (c *ControlPlane) StopAPIServer(t testing.TB) {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.p.apiserver.stop(20 * time.Second); err != nil {
		t.Fatalf("testcp: stop kube-apiserver: %v", err)
	}
	t.Cleanup(func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		if !c.p.apiserver.running() {
			if err := c.startAPIServerLocked(); err != nil {
				t.Errorf("testcp: restart kube-apiserver after test: %v", err)
			}
		}
	})
}

// StartAPIServer starts kube-apiserver again on the same address with the
// same flags and waits until it is ready; clients reconnect by themselves.
// It does nothing when the API server runs.
func (c *ControlPlane) StartAPIServer(t testing.TB) {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.p.apiserver.running() {
		return
	}
	if err := c.startAPIServerLocked(); err != nil {
		t.Fatalf("testcp: start kube-apiserver: %v", err)
	}
	// The other components must have ridden out the outage.
	if err := c.p.checkAlive(true); err != nil {
		t.Fatalf("testcp: after kube-apiserver restart: %v", err)
	}
}

// RestartAPIServer stops and starts kube-apiserver.
func (c *ControlPlane) RestartAPIServer(t testing.TB) {
	t.Helper()
	c.StopAPIServer(t)
	c.StartAPIServer(t)
}

func (c *ControlPlane) startAPIServerLocked() error {
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	return c.p.runAPIServer(ctx)
}

// PIDs returns the process ids of the running control-plane processes, by
// binary name.
func (c *ControlPlane) PIDs() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.p.pids()
}

// LogDir is the directory holding <binary>.log for each process (removed at
// teardown unless EMMDEV_TESTCP_KEEP is set).
func (c *ControlPlane) LogDir() string { return c.p.dir }

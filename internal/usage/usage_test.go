package usage

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/rest"
	k8stesting "k8s.io/client-go/testing"
	metricsapi "k8s.io/metrics/pkg/apis/metrics/v1beta1"
	metricsv "k8s.io/metrics/pkg/client/clientset/versioned"
	"k8s.io/metrics/pkg/client/clientset/versioned/fake"
)

var t0 = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

func podMetrics(ns, name string, at time.Time, containers ...metricsapi.ContainerMetrics) *metricsapi.PodMetrics {
	return &metricsapi.PodMetrics{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Timestamp: metav1.NewTime(at), Window: metav1.Duration{Duration: 15 * time.Second}, Containers: containers}
}

func cm(name, cpu, mem string) metricsapi.ContainerMetrics {
	return metricsapi.ContainerMetrics{Name: name, Usage: corev1.ResourceList{
		corev1.ResourceCPU: resource.MustParse(cpu), corev1.ResourceMemory: resource.MustParse(mem)}}
}

func TestFetchReadsEveryContainer(t *testing.T) {
	t.Parallel()
	c := withPods(t,
		podMetrics("agentic-ai", "api-0", t0, cm("api", "250m", "251Mi"), cm("sidecar", "5m", "10Mi")),
		podMetrics("other", "x", t0, cm("x", "1", "1Gi")),
	)
	s, err := Fetch(context.Background(), c, "agentic-ai", "", time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if !s.Available || len(s.Pods) != 1 {
		t.Fatalf("snapshot = %+v, want the one pod of agentic-ai", s)
	}
	p := s.Pods[Key{"agentic-ai", "api-0"}]
	if got := p.Containers["api"]; got.CPUMilli != 250 || got.MemBytes != 251<<20 {
		t.Errorf("api = %+v, want 250m and 251Mi", got)
	}
	if got := p.Containers["sidecar"]; got.CPUMilli != 5 || got.MemBytes != 10<<20 {
		t.Errorf("sidecar = %+v", got)
	}
	if !p.Timestamp.Equal(t0) || p.Window != 15*time.Second {
		t.Errorf("timestamp/window = %v/%v", p.Timestamp, p.Window)
	}
}

func TestFetchExplainsAMissingOrFailingAPI(t *testing.T) {
	t.Parallel()
	gr := schema.GroupResource{Group: "metrics.k8s.io", Resource: "pods"}
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"no metrics-server", apierrors.NewNotFound(gr, ""), "install metrics-server"},
		{"registered but down", apierrors.NewServiceUnavailable("the server is currently unable to handle the request"), "metrics API unavailable"},
		{"rbac", apierrors.NewForbidden(gr, "", errors.New("no")), "metrics forbidden"},
		{"other", errors.New("dial tcp: connection refused\nmore"), "metrics API failed: dial tcp: connection refused"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := fake.NewSimpleClientset()
			c.PrependReactor("list", "pods", func(k8stesting.Action) (bool, runtime.Object, error) { return true, nil, tc.err })
			s, err := Fetch(context.Background(), c, "", "", time.Second)
			if err != nil {
				t.Fatalf("Fetch returned %v; a failing metrics API must be a note, not an error", err)
			}
			if s.Available || !strings.Contains(s.Note, tc.want) || strings.Contains(s.Note, "\n") {
				t.Errorf("snapshot = %+v, want unavailable with a one-line note containing %q", s, tc.want)
			}
		})
	}
}

// hangingServer accepts requests and never answers until the test ends.
func hangingServer(t *testing.T) metricsv.Interface {
	t.Helper()
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() { close(release); srv.Close() })
	c, err := metricsv.NewForConfig(&rest.Config{Host: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestFetchHasADeadline(t *testing.T) {
	t.Parallel()
	c := hangingServer(t)
	start := time.Now()
	s, err := Fetch(context.Background(), c, "", "", 100*time.Millisecond)
	if err != nil || s.Available || !strings.Contains(s.Note, "did not answer within 100ms") {
		t.Errorf("hanging API: snapshot %+v, err %v", s, err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Fetch took %s against a hanging server with a 100ms deadline", d)
	}
}

func TestPollerStopsOnCancelDuringACall(t *testing.T) {
	t.Parallel()
	c := hangingServer(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- Poller{Client: c, Interval: time.Hour, Timeout: time.Hour}.Run(ctx, func(Snapshot) {})
	}()
	time.Sleep(100 * time.Millisecond) // the first call is in flight
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Run = %v, want context.Canceled", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Poller did not stop within 2s of cancel while a call hung")
	}
}

func TestPollerPollsAtTheInterval(t *testing.T) {
	t.Parallel()
	c := withPods(t, podMetrics("ns", "p", t0, cm("c", "1m", "1Mi")))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	got := make(chan Snapshot, 8)
	go func() {
		_ = Poller{Client: c, Interval: 20 * time.Millisecond}.Run(ctx, func(s Snapshot) { got <- s })
	}()
	for i := range 3 {
		select {
		case s := <-got:
			if !s.Available || len(s.Pods) != 1 {
				t.Fatalf("snapshot %d = %+v", i, s)
			}
		case <-time.After(2 * time.Second):
			t.Fatalf("only %d snapshots in 2s at a 20ms interval", i)
		}
	}
}

// withPods is the metrics fake with pods registered under the resource name
// the real API uses ("pods" of metrics.k8s.io), which its guesser gets wrong.
func withPods(t *testing.T, pods ...*metricsapi.PodMetrics) *fake.Clientset {
	t.Helper()
	c := fake.NewSimpleClientset()
	gvr := metricsapi.SchemeGroupVersion.WithResource("pods")
	for _, p := range pods {
		if err := c.Tracker().Create(gvr, p, p.Namespace); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

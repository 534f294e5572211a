package status

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/client-go/rest"
	k8stesting "k8s.io/client-go/testing"
	metricsv "k8s.io/metrics/pkg/client/clientset/versioned"

	"github.com/emmdev/emmdev/internal/cmdutil"
)

var (
	t0  = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	now = t0.Add(time.Hour)
)

func mkPod(name string, mut ...func(*corev1.Pod)) *corev1.Pod {
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: "agentic-ai", Name: name, CreationTimestamp: metav1.NewTime(t0),
			Labels: map[string]string{"app.kubernetes.io/name": strings.Split(name, "-")[0]}},
		Spec: corev1.PodSpec{NodeName: "kwok-node-0", Containers: []corev1.Container{{Name: "main"}}},
		Status: corev1.PodStatus{Phase: corev1.PodRunning, ContainerStatuses: []corev1.ContainerStatus{{
			Name: "main", Ready: true, State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}}}},
	}
	for _, m := range mut {
		m(p)
	}
	return p
}

func oom(p *corev1.Pod) {
	p.Spec.Containers[0].Resources.Limits = corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("256Mi")}
	cs := &p.Status.ContainerStatuses[0]
	cs.Ready, cs.RestartCount = false, 2
	cs.State = corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff"}}
	cs.LastTerminationState.Terminated = &corev1.ContainerStateTerminated{
		Reason: "OOMKilled", ExitCode: 137, FinishedAt: metav1.NewTime(now.Add(-4 * time.Minute))}
}

// harness runs `emmdev status args...` against client with no TTY.
type harness struct {
	out, errOut *bytes.Buffer
	err         error
}

func runStatus(t *testing.T, ctx context.Context, client kubernetes.Interface, args ...string) harness {
	t.Helper()
	return runStatusWithMetrics(t, ctx, client, noMetricsServer(), args...)
}

func runStatusWithMetrics(t *testing.T, ctx context.Context, client kubernetes.Interface, mc metricsv.Interface, args ...string) harness {
	t.Helper()
	kubeconfig, err := filepath.Abs("testdata/kubeconfig")
	if err != nil {
		t.Fatal(err)
	}
	streams, _, out, errOut := cmdutil.TestStreams()
	streams.Getenv = func(k string) string {
		if k == "KUBECONFIG" {
			return kubeconfig
		}
		return ""
	}
	f := &cmdutil.Factory{Streams: streams, Version: "test"}
	cmd := NewCmd(f, func(o *Options) error {
		o.NewClient = func(*rest.Config) (kubernetes.Interface, error) { return client, nil }
		o.NewMetricsClient = func(*rest.Config) (metricsv.Interface, error) { return mc, nil }
		o.Now = func() time.Time { return now }
		o.Context = ctx
		return Run(o)
	})
	cmd.SetArgs(args)
	cmd.SetOut(out)
	cmd.SetErr(errOut)
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	return harness{out: out, errOut: errOut, err: cmd.ExecuteContext(ctx)}
}

func TestOnceTable(t *testing.T) {
	t.Parallel()
	client := fake.NewClientset(mkPod("api-0"), mkPod("worker-0", oom))
	for _, args := range [][]string{{"--once"}, {}} { // no TTY means once
		h := runStatus(t, context.Background(), client, args...)
		if h.err != nil {
			t.Fatalf("%v: %v", args, h.err)
		}
		lines := strings.Split(strings.TrimSpace(h.out.String()), "\n")
		if len(lines) != 3 {
			t.Fatalf("%v: want header + 2 rows, got:\n%s", args, h.out)
		}
		for _, want := range []string{"APP", "NAME", "READY", "STATUS", "RESTARTS", "LAST RESTART CAUSE", "AGE", "NODE"} {
			if !strings.Contains(lines[0], want) {
				t.Errorf("header lacks %s: %q", want, lines[0])
			}
		}
		if f := strings.Fields(lines[1]); strings.Join(f, " ") != "api api-0 1/1 Running 0 - 60m kwok-node-0" {
			t.Errorf("api row = %q", lines[1])
		}
		for _, want := range []string{"worker-0", "0/1", "CrashLoopBackOff", "2 (4m ago)", "OOMKilled (limit 256Mi)", "kwok-node-0"} {
			if !strings.Contains(lines[2], want) {
				t.Errorf("worker row lacks %q: %q", want, lines[2])
			}
		}
	}
}

func TestOnceJSONFieldByField(t *testing.T) {
	t.Parallel()
	client := fake.NewClientset(mkPod("api-0"), mkPod("worker-0", oom))
	h := runStatus(t, context.Background(), client, "-o", "json")
	if h.err != nil {
		t.Fatal(h.err)
	}
	var doc struct {
		Metrics map[string]any   `json:"metrics"`
		Items   []map[string]any `json:"items"`
	}
	if err := json.Unmarshal(h.out.Bytes(), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, h.out)
	}
	if doc.Metrics["available"] != false || !strings.Contains(fmt.Sprint(doc.Metrics["note"]), "install metrics-server") {
		t.Errorf("metrics = %v, want unavailable with the reason", doc.Metrics)
	}
	if len(doc.Items) != 2 {
		t.Fatalf("want 2 items, got %d", len(doc.Items))
	}
	want := []map[string]any{
		{"namespace": "agentic-ai", "name": "api-0", "app": "api", "ready": 1.0, "total": 1.0, "status": "Running",
			"restarts": 0.0, "lastRestart": nil, "lastCause": "", "ageSeconds": 3600.0, "node": "kwok-node-0", "usage": nil},
		{"namespace": "agentic-ai", "name": "worker-0", "app": "worker", "ready": 0.0, "total": 1.0, "status": "CrashLoopBackOff",
			"restarts": 2.0, "lastRestart": "2026-11-26T12:56:00Z", "lastCause": "OOMKilled (limit 256Mi)", "ageSeconds": 3600.0, "node": "kwok-node-0", "usage": nil},
	}
	for i, w := range want {
		got := doc.Items[i]
		if len(got) != len(w) {
			t.Errorf("item %d has fields %v, want exactly %d", i, got, len(w))
		}
		for k, v := range w {
			if got[k] != v {
				t.Errorf("item %d %s = %#v, want %#v", i, k, got[k], v)
			}
		}
	}
}

func TestFailIfNotReady(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		pods     []runtime.Object
		wantCode int
		wantErr  string
	}{
		{"all ready", []runtime.Object{mkPod("api-0")}, cmdutil.ExitOK, ""},
		{"one not ready", []runtime.Object{mkPod("api-0"), mkPod("worker-0", oom)}, cmdutil.ExitFindings, "1 of 2 pods not ready"},
		{"completed pods are fine", []runtime.Object{mkPod("job-0", func(p *corev1.Pod) {
			p.Status.Phase = corev1.PodSucceeded
			p.Status.ContainerStatuses[0].Ready = false
			p.Status.ContainerStatuses[0].State = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{Reason: "Completed"}}
		})}, cmdutil.ExitOK, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := runStatus(t, context.Background(), fake.NewClientset(tc.pods...), "--once", "--fail-if-not-ready")
			if got := cmdutil.ExitCode(h.err); got != tc.wantCode {
				t.Errorf("exit %d, want %d (err %v)", got, tc.wantCode, h.err)
			}
			if !strings.Contains(h.errOut.String(), tc.wantErr) {
				t.Errorf("stderr %q lacks %q", h.errOut, tc.wantErr)
			}
		})
	}
}

func TestEmptyNamespaceSaysSo(t *testing.T) {
	t.Parallel()
	h := runStatus(t, context.Background(), fake.NewClientset(), "--once", "-l", "app=api")
	if h.err != nil || h.out.Len() != 0 {
		t.Fatalf("err %v, out %q", h.err, h.out)
	}
	if got := h.errOut.String(); got != "No pods found in namespace agentic-ai matching app=api.\n" {
		t.Errorf("stderr = %q", got)
	}
}

func TestForbiddenIsAClearError(t *testing.T) {
	t.Parallel()
	client := fake.NewClientset()
	client.PrependReactor("list", "pods", func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewForbidden(schema.GroupResource{Resource: "pods"}, "", errors.New("RBAC says no"))
	})
	h := runStatus(t, context.Background(), client, "--once", "-n", "payments")
	if cmdutil.ExitCode(h.err) != cmdutil.ExitFailure || !strings.Contains(h.err.Error(), `you may not list pods in namespace "payments"`) {
		t.Errorf("want exit 2 naming verb and namespace, got %v", h.err)
	}
}

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	tests := map[string][]string{
		"unknown output format":   {"-o", "yaml"},
		"cannot be used together": {"--once", "--watch"},
		"cannot be combined":      {"-o", "json", "--watch"},
		"--all-namespaces":        {"-A", "-n", "x"},
		"needs --once":            {"--watch", "--fail-if-not-ready"},
	}
	for want, args := range tests {
		t.Run(want, func(t *testing.T) {
			t.Parallel()
			h := runStatus(t, context.Background(), fake.NewClientset(), args...)
			var usage *cmdutil.UsageError
			if !errors.As(h.err, &usage) || !strings.Contains(h.err.Error(), want) {
				t.Errorf("%v: want a usage error containing %q, got %v", args, want, h.err)
			}
		})
	}
}

func TestFlagsReachOptions(t *testing.T) {
	t.Parallel()
	streams, _, _, _ := cmdutil.TestStreams()
	var got *Options
	cmd := NewCmd(&cmdutil.Factory{Streams: streams}, func(o *Options) error { got = o; return nil })
	cmd.SetArgs([]string{"-n", "team", "-l", "app=api", "--context", "staging", "--kubeconfig", "/k", "--once", "-o", "json", "--fail-if-not-ready"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.Kube.Namespace != "team" || got.Selector != "app=api" || got.Kube.Context != "staging" || got.Kube.Kubeconfig != "/k" ||
		!got.Once || got.Output != "json" || !got.FailIfNotReady {
		t.Errorf("options = %+v", got)
	}
}

func TestWatchPrintsOneLinePerChangeUntilInterrupted(t *testing.T) {
	t.Parallel()
	client := fake.NewClientset(mkPod("api-0"))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan harness, 1)
	go func() { done <- runStatus(t, ctx, client, "--watch") }()

	// runStatus writes into buffers we cannot read concurrently, so drive the
	// change after the initial list has had time, then stop.
	time.Sleep(500 * time.Millisecond)
	p := mkPod("api-0", oom)
	if _, err := client.CoreV1().Pods("agentic-ai").UpdateStatus(context.Background(), p, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	if err := client.CoreV1().Pods("agentic-ai").Delete(context.Background(), "api-0", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	cancel()
	h := <-done
	if code := cmdutil.ExitCode(h.err); code != cmdutil.ExitInterrupted {
		t.Errorf("exit %d (%v), want 130", code, h.err)
	}
	want := []string{
		"2026-11-26T13:00:00Z ADDED    agentic-ai/api-0 1/1 Running restarts=0 node=kwok-node-0",
		`2026-11-26T13:00:00Z MODIFIED agentic-ai/api-0 0/1 CrashLoopBackOff restarts=2 last="OOMKilled (limit 256Mi)" node=kwok-node-0`,
		"2026-11-26T13:00:00Z DELETED  agentic-ai/api-0",
	}
	if got := strings.Split(strings.TrimSpace(h.out.String()), "\n"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("lines:\n%s\nwant:\n%s", h.out, strings.Join(want, "\n"))
	}
}

// TestTerminalRunsTheScreenAndQuits drives the real TUI path with a fake
// terminal: the screen renders the pods and "q" ends it with exit 0.
func TestTerminalRunsTheScreenAndQuits(t *testing.T) {
	t.Parallel()
	kubeconfig, err := filepath.Abs("testdata/kubeconfig")
	if err != nil {
		t.Fatal(err)
	}
	client := fake.NewClientset(mkPod("api-0"), mkPod("worker-0", oom))
	streams, _, out, _ := cmdutil.TestStreams()
	streams.OutIsTTY, streams.InIsTTY = true, true
	keys := &slowReader{after: time.Now().Add(time.Second), data: []byte("q")}
	streams.In = keys
	cmd := NewCmd(&cmdutil.Factory{Streams: streams}, func(o *Options) error {
		o.Kube.Kubeconfig = kubeconfig
		o.NewClient = func(*rest.Config) (kubernetes.Interface, error) { return client, nil }
		o.NewMetricsClient = func(*rest.Config) (metricsv.Interface, error) { return noMetricsServer(), nil }
		o.Now = func() time.Time { return now }
		o.TeaOptions = []tea.ProgramOption{tea.WithWindowSize(160, 30)}
		return Run(o)
	})
	cmd.SetArgs(nil)
	if err := cmd.ExecuteContext(context.Background()); err != nil {
		t.Fatalf("q should exit 0, got %v", err)
	}
	screen := out.String()
	for _, want := range []string{"emmdev status", "context kind-emm", "worker-0", "OOMKilled (limit 256Mi)"} {
		if !strings.Contains(screen, want) {
			t.Errorf("screen lacks %q:\n%q", want, screen)
		}
	}
}

// slowReader types its keys only after a moment, once the pods are shown.
type slowReader struct {
	after time.Time
	data  []byte
}

func (r *slowReader) Read(p []byte) (int, error) {
	time.Sleep(time.Until(r.after))
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

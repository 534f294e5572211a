package watch

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	k8stypes "k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
)

const ns = "agentic-ai"

func testPod(name string, labels map[string]string) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Labels: labels, UID: k8stypes.UID("uid-" + name)},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "main"}}, NodeName: "kwok-node-0"},
		Status: corev1.PodStatus{Phase: corev1.PodRunning, ContainerStatuses: []corev1.ContainerStatus{{
			Name: "main", Ready: true, State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}}}},
	}
}

// run starts a store and returns a channel of its snapshots.
func run(t *testing.T, s *Store) <-chan Snapshot {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan Snapshot, 1000)
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx, func(snap Snapshot) { ch <- snap }) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if !errors.Is(err, context.Canceled) {
				t.Errorf("Run returned %v, want context.Canceled", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("Run did not stop after cancel")
		}
	})
	return ch
}

// waitFor returns the first snapshot satisfying ok.
func waitFor(t *testing.T, ch <-chan Snapshot, what string, ok func(Snapshot) bool) Snapshot {
	t.Helper()
	timeout := time.After(15 * time.Second)
	for {
		select {
		case s := <-ch:
			if ok(s) {
				return s
			}
		case <-timeout:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func find(s Snapshot, name string) (Pod, bool) {
	for _, p := range s.Pods {
		if p.Name == name {
			return p, true
		}
	}
	return Pod{}, false
}

func TestStoreFollowsPodsAndEvents(t *testing.T) {
	t.Parallel()
	client := fake.NewClientset(testPod("api-0", map[string]string{"app": "api"}), testPod("api-1", map[string]string{"app": "api"}),
		testPod("db-0", map[string]string{"app": "db"}))
	ch := run(t, New(client, Options{Namespace: ns, Selector: "app=api"}))

	s := waitFor(t, ch, "synced snapshot", func(s Snapshot) bool { return s.Synced && len(s.Pods) == 2 })
	if s.Conn.Phase != Connected {
		t.Errorf("conn = %v, want connected", s.Conn)
	}
	if _, ok := find(s, "db-0"); ok {
		t.Error("the label selector should exclude db-0")
	}

	ctx := context.Background()
	p := testPod("api-0", map[string]string{"app": "api"})
	p.Status.ContainerStatuses[0].RestartCount = 2
	p.Status.ContainerStatuses[0].LastTerminationState.Terminated = &corev1.ContainerStateTerminated{
		Reason: "Error", ExitCode: 137, FinishedAt: metav1.Now()}
	if _, err := client.CoreV1().Pods(ns).UpdateStatus(ctx, p, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	s = waitFor(t, ch, "restart", func(s Snapshot) bool { p, _ := find(s, "api-0"); return p.Restarts == 2 })
	if got, _ := find(s, "api-0"); got.LastCause != "exit code 137 (SIGKILL)" {
		t.Errorf("cause = %q", got.LastCause)
	}

	ev := &corev1.Event{
		ObjectMeta:     metav1.ObjectMeta{Namespace: ns, Name: "api-0.1", UID: "ev1"},
		InvolvedObject: corev1.ObjectReference{Kind: "Pod", Namespace: ns, Name: "api-0"},
		Reason:         "Unhealthy", Type: "Warning", Message: "Liveness probe failed: HTTP probe failed with statuscode: 500",
		LastTimestamp: metav1.Now(),
	}
	if _, err := client.CoreV1().Events(ns).Create(ctx, ev, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	s = waitFor(t, ch, "probe cause", func(s Snapshot) bool {
		p, _ := find(s, "api-0")
		return strings.HasPrefix(p.LastCause, "liveness probe failed")
	})
	if got, _ := find(s, "api-0"); len(got.Events) != 1 {
		t.Errorf("details need the pod's events, got %d", len(got.Events))
	}

	if err := client.CoreV1().Pods(ns).Delete(ctx, "api-1", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ch, "deletion", func(s Snapshot) bool { _, ok := find(s, "api-1"); return !ok && len(s.Pods) == 1 })
}

func TestStoreCoalescesBurstsAndIdlesQuietly(t *testing.T) {
	t.Parallel()
	client := fake.NewClientset()
	ch := run(t, New(client, Options{Namespace: ns, Interval: 50 * time.Millisecond}))
	waitFor(t, ch, "sync", func(s Snapshot) bool { return s.Synced })

	const n = 300
	start := time.Now()
	for i := range n {
		if _, err := client.CoreV1().Pods(ns).Create(context.Background(), testPod(fmt.Sprintf("p-%03d", i), nil), metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	snaps := 0
	final := waitFor(t, ch, "all pods", func(s Snapshot) bool { snaps++; return len(s.Pods) == n })
	for i, p := range final.Pods {
		if want := fmt.Sprintf("p-%03d", i); p.Name != want {
			t.Fatalf("pods[%d] = %s, want %s: snapshots stay sorted by name", i, p.Name, want)
		}
	}
	// One snapshot per interval at most (plus the leading one).
	if limit := int(time.Since(start)/(50*time.Millisecond)) + 2; snaps > limit {
		t.Errorf("%d snapshots for a %d-pod burst in %v; coalescing allows at most %d", snaps, n, time.Since(start), limit)
	}
	select {
	case s := <-ch:
		t.Errorf("a snapshot (seq %d) was sent while nothing changed", s.Seq)
	case <-time.After(300 * time.Millisecond):
	}
}

func TestStoreReportsReconnectingThenRecovers(t *testing.T) {
	t.Parallel()
	client := fake.NewClientset(testPod("api-0", nil))
	var failures atomic.Int32
	client.PrependReactor("list", "pods", func(k8stesting.Action) (bool, runtime.Object, error) {
		if failures.Add(1) <= 2 {
			return true, nil, errors.New("dial tcp 127.0.0.1:6443: connect: connection refused")
		}
		return false, nil, nil
	})
	ch := run(t, New(client, Options{Namespace: ns}))
	s := waitFor(t, ch, "reconnecting", func(s Snapshot) bool { return s.Conn.Phase == Reconnecting })
	if !strings.Contains(s.Conn.String(), "reconnecting (attempt 1, last error: ") || !strings.Contains(s.Conn.String(), "connection refused") {
		t.Errorf("header text = %q", s.Conn.String())
	}
	waitFor(t, ch, "attempt 2", func(s Snapshot) bool { return s.Conn.Attempt == 2 })
	s = waitFor(t, ch, "recovered", func(s Snapshot) bool { return s.Conn.Phase == Connected && s.Synced })
	if _, ok := find(s, "api-0"); !ok {
		t.Error("after recovery the pod list must be right")
	}
}

func TestStoreForbiddenNamesNamespaceAndVerb(t *testing.T) {
	t.Parallel()
	client := fake.NewClientset()
	client.PrependReactor("list", "pods", func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewForbidden(schema.GroupResource{Resource: "pods"}, "",
			errors.New(`User "dev" cannot list resource "pods" in API group "" in the namespace "payments"`))
	})
	ch := run(t, New(client, Options{Namespace: "payments"}))
	s := waitFor(t, ch, "forbidden", func(s Snapshot) bool { return s.Conn.Phase == Forbidden })
	for _, want := range []string{"forbidden", "list pods", `namespace "payments"`, `User "dev"`} {
		if !strings.Contains(s.Conn.String(), want) {
			t.Errorf("forbidden text %q lacks %q", s.Conn.String(), want)
		}
	}
}

func TestListOnce(t *testing.T) {
	t.Parallel()
	client := fake.NewClientset(testPod("b", nil), testPod("a", nil))
	pods, err := List(context.Background(), client, ns, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(pods) != 2 || pods[0].Name != "a" || pods[1].Name != "b" {
		t.Errorf("want a, b sorted; got %v", pods)
	}

	forbidden := fake.NewClientset()
	forbidden.PrependReactor("list", "pods", func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewForbidden(schema.GroupResource{Resource: "pods"}, "", errors.New("no"))
	})
	_, err = List(context.Background(), forbidden, "payments", "")
	var fe *ForbiddenError
	if !errors.As(err, &fe) || !strings.Contains(err.Error(), `you may not list pods in namespace "payments"`) {
		t.Errorf("want a ForbiddenError naming the namespace, got %v", err)
	}

	noEvents := fake.NewClientset(testPod("a", nil))
	noEvents.PrependReactor("list", "events", func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewForbidden(schema.GroupResource{Resource: "events"}, "", errors.New("no"))
	})
	if pods, err := List(context.Background(), noEvents, ns, ""); err != nil || len(pods) != 1 {
		t.Errorf("forbidden events should not hide pods: %v, %d pods", err, len(pods))
	}
}

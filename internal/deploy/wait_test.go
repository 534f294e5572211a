package deploy

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
)

func ptr[T any](v T) *T { return &v }

func deployment(name string, gen, observed int64, replicas, updated, available int32) *appsv1.Deployment {
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "ns", Generation: gen},
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr(replicas),
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": name}},
		},
		Status: appsv1.DeploymentStatus{ObservedGeneration: observed, Replicas: updated, UpdatedReplicas: updated, AvailableReplicas: available},
	}
}

func TestAvailability(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		obj    runtime.Object
		want   bool
		reason string
	}{
		{"deployment available", deployment("a", 2, 2, 1, 1, 1), true, ""},
		{"deployment spec not observed", deployment("a", 3, 2, 1, 1, 1), false, "not seen the latest spec"},
		{"deployment not available", deployment("a", 1, 1, 2, 2, 1), false, "1 of 2 replicas available"},
		{"deployment rolling", deployment("a", 1, 1, 1, 0, 1), false, "0 of 1 replicas updated"},
		{"deployment new pods not available", func() *appsv1.Deployment {
			d := deployment("a", 2, 2, 1, 1, 1)
			d.Status.Replicas = 2 // one old pod kept while the new one crashes
			return d
		}(), false, "rollout not finished: 1 old replicas still running, 0 of 1 new available"},
		{"statefulset ready", &appsv1.StatefulSet{
			ObjectMeta: metav1.ObjectMeta{Name: "s", Namespace: "ns", Generation: 1},
			Spec:       appsv1.StatefulSetSpec{Replicas: ptr(int32(1))},
			Status:     appsv1.StatefulSetStatus{ObservedGeneration: 1, ReadyReplicas: 1, CurrentRevision: "r1", UpdateRevision: "r1"},
		}, true, ""},
		{"statefulset updating", &appsv1.StatefulSet{
			ObjectMeta: metav1.ObjectMeta{Name: "s", Namespace: "ns", Generation: 1},
			Spec:       appsv1.StatefulSetSpec{Replicas: ptr(int32(1))},
			Status:     appsv1.StatefulSetStatus{ObservedGeneration: 1, ReadyReplicas: 1, CurrentRevision: "r1", UpdateRevision: "r2"},
		}, false, "rolling update"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var ok bool
			var reason string
			switch o := tt.obj.(type) {
			case *appsv1.Deployment:
				ok, reason, _ = deploymentAvailable(o)
			case *appsv1.StatefulSet:
				ok, reason, _ = statefulSetReady(o)
			}
			if ok != tt.want || !strings.Contains(reason, tt.reason) {
				t.Errorf("got %v %q, want %v %q", ok, reason, tt.want, tt.reason)
			}
		})
	}
}

func TestWaitNamesNotReadyPodsWithCause(t *testing.T) {
	t.Parallel()
	crashing := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "bad-1", Namespace: "ns", Labels: map[string]string{"app": "bad"}},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "c"}}},
		Status: corev1.PodStatus{Phase: corev1.PodRunning, ContainerStatuses: []corev1.ContainerStatus{{
			Name: "c", RestartCount: 4,
			State:                corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff"}},
			LastTerminationState: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 1, Reason: "Error", FinishedAt: metav1.Now()}},
		}}},
	}
	healthyPod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "bad-2", Namespace: "ns", Labels: map[string]string{"app": "bad"}},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "c"}}},
		Status: corev1.PodStatus{Phase: corev1.PodRunning, ContainerStatuses: []corev1.ContainerStatus{{Name: "c", Ready: true,
			State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}}}},
	}
	cs := fake.NewClientset(deployment("good", 1, 1, 1, 1, 1), deployment("bad", 1, 1, 2, 2, 1), crashing, healthyPod)
	ws := []Workload{{"Deployment", "ns", "good"}, {"Deployment", "ns", "bad"}}
	var ready []string
	nrs, err := Wait(context.Background(), cs, ws, WaitOptions{Timeout: 50 * time.Millisecond, Interval: 10 * time.Millisecond,
		OnReady: func(w Workload) { ready = append(ready, w.Name) }})
	if err != nil {
		t.Fatal(err)
	}
	if len(nrs) != 1 || nrs[0].Workload.Name != "bad" || nrs[0].Reason != "1 of 2 replicas available" {
		t.Fatalf("not ready = %+v", nrs)
	}
	if len(nrs[0].Pods) != 1 {
		t.Fatalf("pods = %+v, want only the crashing one", nrs[0].Pods)
	}
	if d := nrs[0].Pods[0].String(); d != "ns/bad-1 0/1 CrashLoopBackOff, 4 restarts, last: exit code 1" {
		t.Errorf("diagnosis = %q", d)
	}
	if strings.Join(ready, ",") != "good" {
		t.Errorf("ready = %v", ready)
	}
}

func TestWaitNamesPodsMarkedNotReadyByTheNode(t *testing.T) {
	t.Parallel()
	// Containers report ready, but the node went NotReady and the node
	// controller set the pod's Ready condition to False.
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "app-1", Namespace: "ns", Labels: map[string]string{"app": "app"}},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "c"}}},
		Status: corev1.PodStatus{
			Phase:             corev1.PodRunning,
			Conditions:        []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionFalse, Reason: "NodeNotReady"}},
			ContainerStatuses: []corev1.ContainerStatus{{Name: "c", Ready: true, State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}}},
		},
	}
	cs := fake.NewClientset(deployment("app", 1, 1, 1, 1, 0), pod)
	nrs, err := Wait(context.Background(), cs, []Workload{{"Deployment", "ns", "app"}}, WaitOptions{Timeout: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if len(nrs) != 1 || len(nrs[0].Pods) != 1 || nrs[0].Pods[0].String() != "ns/app-1 1/1 Running; pod not Ready: NodeNotReady" {
		t.Fatalf("not ready = %+v", nrs)
	}
}

func TestWaitStopsOnCancel(t *testing.T) {
	t.Parallel()
	cs := fake.NewClientset(deployment("bad", 1, 1, 1, 1, 0))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Wait(ctx, cs, []Workload{{"Deployment", "ns", "bad"}}, WaitOptions{Timeout: time.Hour})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

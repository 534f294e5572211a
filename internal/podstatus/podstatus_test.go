package podstatus

import (
	"fmt"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

var t0 = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

func pod(mut ...func(*corev1.Pod)) *corev1.Pod {
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: "agentic-ai", Name: "api-0", CreationTimestamp: metav1.NewTime(t0),
			Labels: map[string]string{"app.kubernetes.io/name": "api"}},
		Spec: corev1.PodSpec{NodeName: "kwok-node-0", Containers: []corev1.Container{{Name: "api"}}},
		Status: corev1.PodStatus{Phase: corev1.PodRunning, ContainerStatuses: []corev1.ContainerStatus{{
			Name: "api", Ready: true, State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}},
		}}},
	}
	for _, m := range mut {
		m(p)
	}
	return p
}

func lastTerm(reason string, code, signal int32, at time.Time) func(*corev1.Pod) {
	return func(p *corev1.Pod) {
		cs := &p.Status.ContainerStatuses[0]
		cs.RestartCount = 3
		cs.LastTerminationState.Terminated = &corev1.ContainerStateTerminated{
			Reason: reason, ExitCode: code, Signal: signal, FinishedAt: metav1.NewTime(at)}
	}
}

func waiting(reason string) func(*corev1.Pod) {
	return func(p *corev1.Pod) {
		cs := &p.Status.ContainerStatuses[0]
		cs.Ready = false
		cs.State = corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: reason}}
	}
}

func memLimit(q string) func(*corev1.Pod) {
	return func(p *corev1.Pod) {
		p.Spec.Containers[0].Resources.Limits = corev1.ResourceList{corev1.ResourceMemory: resource.MustParse(q)}
	}
}

func unhealthy(msg string, at time.Time) corev1.Event {
	return corev1.Event{Reason: "Unhealthy", Type: "Warning", Message: msg, LastTimestamp: metav1.NewTime(at)}
}

func TestSummarize(t *testing.T) {
	t.Parallel()
	restartAt := t0.Add(10 * time.Minute)
	tests := []struct {
		name      string
		pod       *corev1.Pod
		events    []corev1.Event
		status    string
		ready     string // "x/y"
		restarts  int32
		cause     string
		notReady  bool
		lastAtSet bool
	}{
		{name: "running and ready", pod: pod(), status: "Running", ready: "1/1"},
		{name: "crash loop with exit code", pod: pod(waiting("CrashLoopBackOff"), lastTerm("Error", 1, 0, restartAt)),
			status: "CrashLoopBackOff", ready: "0/1", restarts: 3, cause: "exit code 1", notReady: true, lastAtSet: true},
		{name: "OOMKilled shows the memory limit", pod: pod(waiting("CrashLoopBackOff"), memLimit("256Mi"), lastTerm("OOMKilled", 137, 0, restartAt)),
			status: "CrashLoopBackOff", ready: "0/1", restarts: 3, cause: "OOMKilled (limit 256Mi)", notReady: true, lastAtSet: true},
		{name: "OOMKilled without a limit says so", pod: pod(lastTerm("OOMKilled", 137, 0, restartAt)),
			status: "Running", ready: "1/1", restarts: 3, cause: "OOMKilled (no memory limit)", lastAtSet: true},
		{name: "signal is named", pod: pod(lastTerm("Error", 0, 9, restartAt)),
			status: "Running", ready: "1/1", restarts: 3, cause: "signal 9 (SIGKILL)", lastAtSet: true},
		{name: "exit 143 is SIGTERM", pod: pod(lastTerm("Error", 143, 0, restartAt)),
			status: "Running", ready: "1/1", restarts: 3, cause: "exit code 143 (SIGTERM)", lastAtSet: true},
		{name: "exit 139 is SIGSEGV", pod: pod(lastTerm("Error", 139, 0, restartAt)),
			status: "Running", ready: "1/1", restarts: 3, cause: "exit code 139 (SIGSEGV)", lastAtSet: true},
		{name: "unusual reason is kept", pod: pod(lastTerm("ContainerCannotRun", 128, 0, restartAt)),
			status: "Running", ready: "1/1", restarts: 3, cause: "ContainerCannotRun, exit code 128", lastAtSet: true},
		{name: "liveness failure just before the restart is the cause",
			pod:    pod(lastTerm("Error", 137, 0, restartAt)),
			events: []corev1.Event{unhealthy("Liveness probe failed: HTTP probe failed with statuscode: 500", restartAt.Add(-20*time.Second))},
			status: "Running", ready: "1/1", restarts: 3, lastAtSet: true,
			cause: "liveness probe failed: HTTP probe failed with statuscode: 500 (exit code 137 (SIGKILL))"},
		{name: "liveness failure long before the restart is not",
			pod:    pod(lastTerm("Error", 1, 0, restartAt)),
			events: []corev1.Event{unhealthy("Liveness probe failed: timeout", restartAt.Add(-time.Hour))},
			status: "Running", ready: "1/1", restarts: 3, cause: "exit code 1", lastAtSet: true},
		{name: "readiness failure explains a running pod that is not ready",
			pod: pod(func(p *corev1.Pod) { p.Status.ContainerStatuses[0].Ready = false }),
			events: []corev1.Event{
				unhealthy("Readiness probe failed: connection refused", t0.Add(time.Minute)),
				unhealthy("Readiness probe failed: HTTP probe failed with statuscode: 503", t0.Add(2*time.Minute)),
			},
			status: "Running", ready: "0/1", notReady: true, cause: "readiness probe failed: HTTP probe failed with statuscode: 503"},
		{name: "readiness failure of a ready pod is old news",
			pod:    pod(),
			events: []corev1.Event{unhealthy("Readiness probe failed: x", t0)},
			status: "Running", ready: "1/1"},
		{name: "pending with the scheduler's reason",
			pod: pod(func(p *corev1.Pod) {
				p.Spec.NodeName = ""
				p.Status = corev1.PodStatus{Phase: corev1.PodPending, Conditions: []corev1.PodCondition{{
					Type: corev1.PodScheduled, Status: corev1.ConditionFalse, Reason: "Unschedulable"}}}
			}),
			status: "Pending: Unschedulable", ready: "0/1", notReady: true},
		{name: "image pull back-off", pod: pod(waiting("ImagePullBackOff")), status: "ImagePullBackOff", ready: "0/1", notReady: true},
		{name: "init container waiting", pod: pod(func(p *corev1.Pod) {
			p.Spec.InitContainers = []corev1.Container{{Name: "migrate"}, {Name: "seed"}}
			p.Status.Phase = corev1.PodPending
			p.Status.InitContainerStatuses = []corev1.ContainerStatus{{Name: "migrate",
				State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}}}
			waiting("PodInitializing")(p)
		}), status: "Init:0/2", ready: "0/1", notReady: true},
		{name: "init container crash loop", pod: pod(func(p *corev1.Pod) {
			p.Spec.InitContainers = []corev1.Container{{Name: "migrate"}}
			p.Status.Phase = corev1.PodPending
			p.Status.InitContainerStatuses = []corev1.ContainerStatus{{Name: "migrate", RestartCount: 4,
				State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff"}},
				LastTerminationState: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
					Reason: "Error", ExitCode: 2, FinishedAt: metav1.NewTime(restartAt)}}}}
			waiting("PodInitializing")(p)
		}), status: "Init:CrashLoopBackOff", ready: "0/1", restarts: 4, cause: "exit code 2", notReady: true, lastAtSet: true},
		{name: "init container failed without reason", pod: pod(func(p *corev1.Pod) {
			p.Spec.InitContainers = []corev1.Container{{Name: "migrate"}}
			p.Status.InitContainerStatuses = []corev1.ContainerStatus{{Name: "migrate",
				State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 3}}}}
			waiting("PodInitializing")(p)
		}), status: "Init:ExitCode:3", ready: "0/1", notReady: true},
		{name: "completed job pod is not 'not ready'", pod: pod(func(p *corev1.Pod) {
			p.Status.Phase = corev1.PodSucceeded
			p.Status.ContainerStatuses[0].Ready = false
			p.Status.ContainerStatuses[0].State = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{Reason: "Completed"}}
		}), status: "Completed", ready: "0/1"},
		{name: "terminated without reason shows the exit code", pod: pod(func(p *corev1.Pod) {
			p.Status.ContainerStatuses[0].Ready = false
			p.Status.ContainerStatuses[0].State = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 4}}
		}), status: "ExitCode:4", ready: "0/1", notReady: true},
		{name: "evicted", pod: pod(func(p *corev1.Pod) {
			p.Status = corev1.PodStatus{Phase: corev1.PodFailed, Reason: "Evicted"}
		}), status: "Evicted", ready: "0/1", notReady: true},
		{name: "terminating", pod: pod(func(p *corev1.Pod) {
			now := metav1.NewTime(t0)
			p.DeletionTimestamp = &now
		}), status: "Terminating", ready: "1/1"},
		{name: "node lost while deleting is Unknown", pod: pod(func(p *corev1.Pod) {
			now := metav1.NewTime(t0)
			p.DeletionTimestamp = &now
			p.Status.Reason = "NodeLost"
		}), status: "Unknown", ready: "1/1"},
		{name: "the newest termination across containers wins", pod: pod(func(p *corev1.Pod) {
			p.Spec.Containers = append(p.Spec.Containers, corev1.Container{Name: "sidecar",
				Resources: corev1.ResourceRequirements{Limits: corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("64Mi")}}})
			p.Status.ContainerStatuses[0].RestartCount = 1
			p.Status.ContainerStatuses[0].LastTerminationState.Terminated = &corev1.ContainerStateTerminated{
				Reason: "Error", ExitCode: 1, FinishedAt: metav1.NewTime(restartAt.Add(-time.Hour))}
			p.Status.ContainerStatuses = append(p.Status.ContainerStatuses, corev1.ContainerStatus{
				Name: "sidecar", Ready: true, RestartCount: 2, State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}},
				LastTerminationState: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
					Reason: "OOMKilled", ExitCode: 137, FinishedAt: metav1.NewTime(restartAt)}}})
		}), status: "Running", ready: "2/2", restarts: 3, cause: "OOMKilled (limit 64Mi)", lastAtSet: true},
		{name: "native sidecar counts in READY", pod: pod(func(p *corev1.Pod) {
			always := corev1.ContainerRestartPolicyAlways
			started := true
			p.Spec.InitContainers = []corev1.Container{{Name: "proxy", RestartPolicy: &always}}
			p.Status.InitContainerStatuses = []corev1.ContainerStatus{{Name: "proxy", Ready: true, Started: &started,
				State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}}}
		}), status: "Running", ready: "2/2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := Summarize(tc.pod, tc.events)
			if s.Status != tc.status {
				t.Errorf("Status = %q, want %q", s.Status, tc.status)
			}
			if got := fmt.Sprintf("%d/%d", s.Ready, s.Total); got != tc.ready {
				t.Errorf("READY = %s, want %s", got, tc.ready)
			}
			if s.Restarts != tc.restarts {
				t.Errorf("Restarts = %d, want %d", s.Restarts, tc.restarts)
			}
			if s.LastCause != tc.cause {
				t.Errorf("LastCause = %q, want %q", s.LastCause, tc.cause)
			}
			if s.NotReady() != tc.notReady {
				t.Errorf("NotReady() = %v, want %v", s.NotReady(), tc.notReady)
			}
			if !s.LastRestart.IsZero() != tc.lastAtSet {
				t.Errorf("LastRestart = %v, want set=%v", s.LastRestart, tc.lastAtSet)
			}
			if s.App != "api" || s.Namespace != "agentic-ai" || s.Name != "api-0" {
				t.Errorf("identity = %s/%s app %s", s.Namespace, s.Name, s.App)
			}
		})
	}
}

func TestAppFallsBackToLabelThenOwner(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		mut  func(*corev1.Pod)
		want string
	}{
		{"app.kubernetes.io/name", func(*corev1.Pod) {}, "api"},
		{"app label", func(p *corev1.Pod) { p.Labels = map[string]string{"app": "worker"} }, "worker"},
		{"owner", func(p *corev1.Pod) {
			p.Labels = nil
			p.OwnerReferences = []metav1.OwnerReference{{Name: "api-7d9f"}}
		}, "api-7d9f"},
		{"pod name", func(p *corev1.Pod) { p.Labels = nil }, "api-0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := Summarize(pod(tc.mut), nil).App; got != tc.want {
				t.Errorf("App = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestDiagnosis(t *testing.T) {
	t.Parallel()
	s := Summarize(pod(waiting("CrashLoopBackOff"), memLimit("128Mi"), lastTerm("OOMKilled", 137, 0, t0)), nil)
	want := "agentic-ai/api-0 0/1 CrashLoopBackOff, 3 restarts, last: OOMKilled (limit 128Mi)"
	if got := s.Diagnosis(); got != want {
		t.Errorf("Diagnosis() = %q, want %q", got, want)
	}
}

func TestSignalName(t *testing.T) {
	t.Parallel()
	for sig, want := range map[int]string{9: "SIGKILL", 15: "SIGTERM", 6: "SIGABRT", 64: "signal 64"} {
		if got := SignalName(sig); got != want {
			t.Errorf("SignalName(%d) = %q, want %q", sig, got, want)
		}
	}
}

package tui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/emmdev/emmdev/internal/watch"
)

var (
	t0  = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	now = t0.Add(time.Hour)
)

func clock() time.Time { return now }

// mkPod builds a running pod of app; mut adjusts it.
func mkPod(app, name string, mut ...func(*corev1.Pod)) *corev1.Pod {
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: "agentic-ai", Name: name, UID: types.UID("uid-" + name),
			CreationTimestamp: metav1.NewTime(t0), Labels: map[string]string{"app": app}},
		Spec: corev1.PodSpec{NodeName: "kwok-node-0", Containers: []corev1.Container{{Name: "main", Image: app + ":1"}}},
		Status: corev1.PodStatus{Phase: corev1.PodRunning, ContainerStatuses: []corev1.ContainerStatus{{
			Name: "main", Ready: true, State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: metav1.NewTime(t0)}},
		}}},
	}
	for _, m := range mut {
		m(p)
	}
	return p
}

// restarted makes the pod show n restarts, the last OOMKilled 4 minutes ago
// under a 256Mi limit, and currently in CrashLoopBackOff.
func oomLoop(n int32) func(*corev1.Pod) {
	return func(p *corev1.Pod) {
		p.Spec.Containers[0].Resources.Limits = corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("256Mi")}
		cs := &p.Status.ContainerStatuses[0]
		cs.Ready, cs.RestartCount = false, n
		cs.State = corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff", Message: "back-off 40s"}}
		cs.LastTerminationState.Terminated = &corev1.ContainerStateTerminated{
			Reason: "OOMKilled", ExitCode: 137, FinishedAt: metav1.NewTime(now.Add(-4 * time.Minute))}
	}
}

func snapshot(synced bool, pods ...*corev1.Pod) SnapshotMsg {
	events := map[string][]corev1.Event{}
	for _, p := range pods {
		if p.Status.ContainerStatuses[0].RestartCount > 0 {
			events[p.Namespace+"/"+p.Name] = []corev1.Event{{Type: "Warning", Reason: "BackOff",
				Message: "Back-off restarting failed container main", Count: 7, LastTimestamp: metav1.NewTime(now.Add(-time.Minute))}}
		}
	}
	return SnapshotMsg{watch.Snapshot{Pods: watch.BuildPods(pods, events), Synced: synced,
		Conn: watch.Conn{Phase: watch.Connected}}}
}

func threePods() SnapshotMsg {
	return snapshot(true,
		mkPod("api", "api-0"),
		mkPod("api", "api-1"),
		mkPod("worker", "worker-0", oomLoop(2)),
	)
}

func newModel(t *testing.T, msgs ...tea.Msg) Model {
	t.Helper()
	m := New(Options{Context: "kind-emm", Namespace: "agentic-ai", Now: clock})
	return send(m, msgs...)
}

func send(m Model, msgs ...tea.Msg) Model {
	for _, msg := range msgs {
		next, _ := m.Update(msg)
		m = next.(Model)
	}
	return m
}

func key(s string) tea.KeyPressMsg {
	switch s {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "pgdown":
		return tea.KeyPressMsg{Code: tea.KeyPgDown}
	case "ctrl+c":
		return tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
	}
	r := []rune(s)
	if len(r) != 1 {
		panic(fmt.Sprintf("key %q: add it to key()", s))
	}
	return tea.KeyPressMsg{Code: r[0], Text: s}
}

func typeText(s string) []tea.Msg {
	var out []tea.Msg
	for _, r := range s {
		out = append(out, key(string(r)))
	}
	return out
}

// rowLines returns the table rows of the rendered view (lines that show a pod).
func rowLines(view string) []string {
	var rows []string
	for _, l := range strings.Split(view, "\n") {
		if strings.Contains(l, "kwok-node") {
			rows = append(rows, l)
		}
	}
	return rows
}

package liveintegration

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/emmdev/emmdev/internal/testcp"
)

func key(s string) tea.KeyPressMsg {
	if s == "enter" {
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	}
	return tea.KeyPressMsg{Code: []rune(s)[0], Text: s}
}

// TestLogsAndPreviousLogsOfACrashLoopingPod: the details view follows the
// current container's log through the API server's pods/log (served by
// kwok as the kubelet) and shows the crashed instance's last lines on p.
func TestLogsAndPreviousLogsOfACrashLoopingPod(t *testing.T) {
	t.Parallel()
	cp := testcp.Get(t)
	ns := cp.Namespace(t)
	ctx := context.Background()
	p := usedPod("classifier", "1", "1Gi", "10m", "100Mi")
	p.Labels[testcp.CrashLoopLabel] = "true"
	p.Annotations[testcp.CrashLoopRunAnnotation] = "20s"
	if _, err := cp.Clientset.CoreV1().Pods(ns).Create(ctx, p, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	cp.SetPodLogs(t, ns, "classifier", map[string]testcp.ContainerLogs{"main": {
		Current:  []string{"loading model content-classifier-v3", "listening on :8080"},
		Previous: []string{"batch 97 of 100 ok", "batch 98 of 100: allocating 1.2GiB", "fatal: cannot allocate memory"},
	}})

	s := watchScreen(t, cp, ns, time.Hour)
	s.until("the pod restarted", 90*time.Second, func(v string) bool {
		return strings.Contains(v, "classifier") && strings.Contains(v, "exit code 1")
	})
	// The API server's pods/log reaches kwok on the pod's node (before the
	// pod is scheduled it answers with nothing).
	prev, err := cp.Clientset.CoreV1().Pods(ns).GetLogs("classifier", &corev1.PodLogOptions{Container: "main", Previous: true}).DoRaw(ctx)
	if err != nil {
		t.Fatalf("pods/log -p through the API server: %v", err)
	}
	if !strings.Contains(string(prev), "fatal: cannot allocate memory") {
		t.Fatalf("previous log = %q", prev)
	}

	s.send(key("enter"))
	v := s.contains("listening on :8080", 30*time.Second)
	if !strings.Contains(v, "LOGS main (current) · following") || !strings.Contains(v, "loading model content-classifier-v3") {
		t.Errorf("details should follow the current log:\n%s", v)
	}
	// The container writes on: the followed stream shows it.
	cp.AppendLog(t, ns, "classifier", "main", "request 1: 200 OK")
	s.contains("request 1: 200 OK", 30*time.Second)

	s.send(key("p"))
	v = s.contains("fatal: cannot allocate memory", 30*time.Second)
	for _, want := range []string{"LOGS main (previous)", "last 3 lines of the previous container", "batch 98 of 100"} {
		if !strings.Contains(v, want) {
			t.Errorf("previous log view lacks %q:\n%s", want, v)
		}
	}
	if strings.Contains(v, "listening on :8080") {
		t.Errorf("the current instance's lines leaked into the previous log:\n%s", v)
	}
	// Search the crash's last words.
	s.send(key("/"))
	for _, r := range "batch" {
		s.send(key(string(r)))
	}
	v = s.contains(`search "batch": 2 matches`, 10*time.Second)
	if strings.Contains(v, "fatal: cannot") {
		t.Errorf("search should hide lines without the text:\n%s", v)
	}
}
